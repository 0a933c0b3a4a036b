import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAME_KEY_DROPPED, normalizeAccountName } from './account-names.ts';

describe('normalizeAccountName', () => {
  it('ignores width, ASCII case, spaces and punctuation', () => {
    const key = normalizeAccountName('浙江省财政厅');
    for (const spelling of ['浙江省 财政厅', '浙江省（财政厅）', '浙江省(财政厅)', '浙江省·财政厅', '「浙江省」财政厅。', ' 浙江省财政厅\t']) {
      expect(normalizeAccountName(spelling), spelling).toBe(key);
    }
    expect(normalizeAccountName('ＡＢＣ Technology Co., Ltd.')).toBe('abctechnologycoltd');
    expect(normalizeAccountName('IBM（中国）有限公司')).toBe('ibm中国有限公司');
  });

  it('keeps every character that carries meaning', () => {
    expect(normalizeAccountName('浙江省财政厅')).not.toBe(normalizeAccountName('浙江省财政局'));
    expect(normalizeAccountName('A1')).not.toBe(normalizeAccountName('A2'));
    // Case folding is ASCII only, the same as the SQL key (translate A–Z → a–z).
    expect(normalizeAccountName('Ä')).toBe('Ä');
  });

  it('is idempotent, and inserting dropped characters anywhere never changes the key', () => {
    const dropped = fc.constantFrom(...NAME_KEY_DROPPED);
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(fc.tuple(fc.nat(), dropped), { maxLength: 6 }), (name, inserts) => {
        const key = normalizeAccountName(name);
        expect(normalizeAccountName(key)).toBe(key);
        const chars = [...name.normalize('NFKC')];
        for (const [at, ch] of inserts) chars.splice(at % (chars.length + 1), 0, ch);
        expect(normalizeAccountName(chars.join(''))).toBe(normalizeAccountName(name.normalize('NFKC')));
      }),
    );
  });
});
