import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  checkMapping,
  csvLines,
  decodeText,
  detectFormat,
  escapeCell,
  normalizeAmount,
  normalizeDate,
  parseCsv,
  parseXlsx,
  suggestMapping,
  toRecord,
  toTable,
  unescapeCell,
} from './import.ts';

/**
 * A GBK encoder for test files, built from the platform's GB18030 decoder over every two-byte
 * code (lead 0x81–0xFE, trail 0x40–0xFE except 0x7F): the bytes are what Excel on a Chinese
 * Windows writes for "CSV (逗号分隔)".
 */
const gbkTable = (() => {
  const map = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && !map.has(ch)) map.set(ch, [lead, trail]);
    }
  }
  return map;
})();
function gbk(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else out.push(...gbkTable.get(ch)!);
  }
  return new Uint8Array(out);
}

// GB 32100-2015: the check character of 91110000100000000 is R.
const VALID_USCC = '91110000100000000R';
const opts = { locale: 'en' as const, defaultCurrency: 'CNY' };

describe('decodeText', () => {
  it('reads known GBK bytes: 你好 is C4E3 BAC3', () => {
    const res = decodeText(new Uint8Array([0xc4, 0xe3, 0xba, 0xc3, 0x2c, 0x41]));
    expect(res).toEqual({ ok: true, text: '你好,A', encoding: 'gb18030' });
  });

  it('reads a GBK CSV that is not UTF-8', () => {
    const bytes = gbk('客户名称,客户类型\r\n杭州西湖测试有限公司,企业\r\n');
    // The same bytes are not UTF-8: the test would pass for the wrong reason otherwise.
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const res = decodeText(bytes);
    expect(res.ok && res.encoding).toBe('gb18030');
    expect(res.ok && parseCsv(res.text)[1]).toEqual(['杭州西湖测试有限公司', '企业']);
  });

  it('prefers UTF-8 and names a BOM', () => {
    const plain = new TextEncoder().encode('名称\n甲');
    expect(decodeText(plain)).toEqual({ ok: true, text: '名称\n甲', encoding: 'utf-8' });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...plain]);
    expect(decodeText(bom)).toEqual({ ok: true, text: '名称\n甲', encoding: 'utf-8-bom' });
  });

  it('reads UTF-16 LE and BE with their BOMs', () => {
    const text = '客户名称,类型\r\n甲,企业';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(decodeText(le)).toEqual({ ok: true, text, encoding: 'utf-16le' });
    const be = Buffer.from(le.subarray(2));
    be.swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual({ ok: true, text, encoding: 'utf-16be' });
  });

  it('refuses bytes that are neither UTF-8 nor GB18030, naming both', () => {
    expect(decodeText(new Uint8Array([0x41, 0xff, 0xfe, 0xff, 0x42]))).toEqual({ ok: false, tried: ['utf-8', 'gb18030'], reason: 'undecodable' });
  });

  it('refuses binary content (NUL bytes) and control characters', () => {
    expect(decodeText(new Uint8Array([0x41, 0x00, 0x42]))).toMatchObject({ ok: false, reason: 'binary' });
    expect(decodeText(new Uint8Array([0x41, 0x01, 0x02, 0x42]))).toMatchObject({ ok: false });
  });

  it('refuses a broken UTF-16 file (odd length after the BOM)', () => {
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x42]))).toEqual({ ok: false, tried: ['utf-16le'], reason: 'undecodable' });
  });
});

describe('tables', () => {
  it('skips blank rows but keeps file line numbers, and suffixes repeated headers', () => {
    const t = toTable(parseCsv('\n姓名,电话,电话\n\n张三,138,139\n,,\n李四,,\n'))!;
    expect(t.columns).toEqual(['姓名', '电话', '电话 (2)']);
    expect(t.rows).toEqual([
      { line: 4, cells: ['张三', '138', '139'] },
      { line: 6, cells: ['李四', '', ''] },
    ]);
  });

  it('sniffs semicolons and tabs', () => {
    expect(parseCsv('a;b\n1;2')[1]).toEqual(['1', '2']);
    expect(parseCsv('a\tb\n1\t2')[1]).toEqual(['1', '2']);
  });

  it('has no table without a header', () => {
    expect(toTable([['', ''], []])).toBeNull();
  });

  it('reads an XLSX workbook built with exceljs: text, numbers, dates, rich text', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('商机');
    ws.addRow(['商机名称', '客户名称', '金额', '预计成交日期']);
    ws.addRow(['云平台扩容', { richText: [{ text: '杭州' }, { text: '测试公司' }] }, 1234.5, new Date(Date.UTC(2026, 11, 31))]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    expect(detectFormat(bytes)).toBe('xlsx');
    const t = toTable(await parseXlsx(bytes))!;
    expect(t.columns).toEqual(['商机名称', '客户名称', '金额', '预计成交日期']);
    expect(t.rows[0]).toEqual({ line: 2, cells: ['云平台扩容', '杭州测试公司', '1234.5', '2026-12-31'] });
  });
});

describe('suggestMapping', () => {
  it('maps Chinese and English headers, ignoring case, width, spaces and required marks', () => {
    expect(suggestMapping('account', ['客户名称*', 'USCC', '类型', 'Owner Email', '备注'])).toEqual({
      nameZh: '客户名称*',
      uscc: 'USCC',
      kind: '类型',
      owner: 'Owner Email',
      notes: '备注',
    });
    expect(suggestMapping('account', ['Name', '统一社会信用代码'])).toEqual({ nameZh: 'Name', uscc: '统一社会信用代码' });
  });

  it('gives "客户名称" to the contact account, not to a name field', () => {
    expect(suggestMapping('contact', ['客户名称', '联系人', '手机', '层级'])).toEqual({
      account: '客户名称',
      name: '联系人',
      phones: '手机',
      level: '层级',
    });
  });

  it('uses a column for one field only', () => {
    const m = suggestMapping('opportunity', ['名称']);
    expect(Object.values(m)).toEqual(['名称']);
  });
});

describe('checkMapping', () => {
  it('lists unknown fields, missing columns, columns used twice and unmapped required fields', () => {
    const issues = checkMapping('account', { nameZh: 'A', nameEn: 'A', bogus: 'B', notes: 'Z' }, ['A', 'B']);
    expect(issues).toEqual([
      { path: 'mapping.nameEn', message: 'v:import_column_twice' },
      { path: 'mapping.bogus', message: 'v:unknown_field' },
      { path: 'mapping.notes', message: 'v:import_unknown_column' },
      { path: 'mapping.kind', message: 'v:required' },
    ]);
  });
});

describe('toRecord', () => {
  const cols = ['客户名称', '类型', '统一社会信用代码', '等级', '标签', '省份', '城市'];
  const mapping = suggestMapping('account', cols);

  it('builds the API create body: words to enum keys, lists split, defaults applied', () => {
    const rec = toRecord('account', mapping, cols, ['杭州测试有限公司', '国企', '', '重点', '政企，华东、 重点', '浙江省', '杭州市'], opts);
    expect(rec.issues).toEqual([]);
    expect(rec.body).toEqual({
      nameZh: '杭州测试有限公司',
      kind: 'state_owned',
      tier: 'key',
      status: 'prospect',
      tags: ['政企', '华东', '重点'],
      provinceCode: '330000',
      cityCode: '330100',
    });
  });

  it('reports every problem of a row, each on its field', () => {
    const long = 'x'.repeat(201);
    const rec = toRecord('account', mapping, cols, [long, '外星人', '12345', '', '', '999999', ''], opts);
    expect(rec.body).toBeNull();
    const byField = Object.fromEntries(rec.issues.map((i) => [i.field, i.code]));
    expect(byField).toEqual({ nameZh: 'too_big', kind: 'unknown_option', uscc: 'uscc_length', provinceCode: 'unknown_region' });
  });

  it('accepts a valid USCC in any spelling and rejects a wrong check character', () => {
    const ok = toRecord('account', mapping, cols, ['甲公司', '企业', ` ${VALID_USCC.toLowerCase()} `, '', '', '', ''], opts);
    expect(ok.issues).toEqual([]);
    const bad = toRecord('account', mapping, cols, ['甲公司', '企业', VALID_USCC.slice(0, 17) + 'B', '', '', '', ''], opts);
    expect(bad.issues.map((i) => i.code)).toEqual(['uscc_check_digit']);
  });

  it('reads deal amounts, dates and percentages as people type them', () => {
    const c = ['商机名称', '客户名称', '金额', '预计成交日期', '赢率', '竞争对手'];
    const m = suggestMapping('opportunity', c);
    const rec = toRecord('opportunity', m, c, ['扩容', '甲公司', '¥1,234.50', '2026年3月5日', '60%', 'A; B'], opts);
    expect(rec.issues).toEqual([]);
    expect(rec.refs).toEqual({ account: '甲公司' });
    expect(rec.body).toEqual({
      name: '扩容',
      amount: { amount: '1234.50', currency: 'CNY' },
      expectedCloseDate: '2026-03-05',
      probability: 60,
      competitors: ['A', 'B'],
    });
    const bad = toRecord('opportunity', m, c, ['扩容', '甲公司', '12.345', '明天', '160', ''], opts);
    expect(bad.issues.map((i) => `${i.field}:${i.code}`).sort()).toEqual(['amount:currency_places', 'expectedCloseDate:date', 'probability:too_big']);
  });

  it('checks contacts with the API rules (phone and email shapes)', () => {
    const c = ['所属客户', '姓名', '层级', '电话', '邮箱'];
    const m = suggestMapping('contact', c);
    const rec = toRecord('contact', m, c, ['甲公司', '张三', '决策层', '+86 138 0000 0001、0571-87000000', 'Zhang@Example.cn'], opts);
    expect(rec.body).toMatchObject({ name: '张三', level: 'decision', phones: ['+86 138 0000 0001', '0571-87000000'], emails: ['zhang@example.cn'] });
    const bad = toRecord('contact', m, c, ['甲公司', '张三', '', 'abc', 'not-an-email'], opts);
    expect(bad.issues.map((i) => `${i.field}:${i.code}`).sort()).toEqual(['emails:email', 'level:invalid_value', 'phones:phone']);
  });

  it('gives messages in the caller language for schema problems', () => {
    const c = ['商机名称', '客户名称', '金额', '预计成交日期', '赢率'];
    const m = suggestMapping('opportunity', c);
    const zh = toRecord('opportunity', m, c, ['扩容', '甲', '1', '2026-01-01', '160'], { locale: 'zh-CN', defaultCurrency: 'CNY' });
    expect(zh.issues[0]!.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('cell helpers', () => {
  it('normalizes dates and amounts', () => {
    expect(normalizeDate('2026/3/5')).toBe('2026-03-05');
    expect(normalizeDate('2026.12.31')).toBe('2026-12-31');
    expect(normalizeDate('31/12/2026')).toBeNull();
    expect(normalizeAmount('￥1,000,000.00')).toBe('1000000.00');
    expect(normalizeAmount('１２３元')).toBe('123');
  });

  it('escapes formula-like cells on the way out and restores them on the way in', () => {
    expect(escapeCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(escapeCell('+86 138 0000 0001')).toBe('+86 138 0000 0001');
    expect(escapeCell('-x')).toBe("'-x");
    expect(unescapeCell(escapeCell('@cmd'))).toBe('@cmd');
    expect(csvLines([['a,b', '=1']])).toBe('"a,b",\'=1\r\n');
  });
});

describe('custom fields', () => {
  const defs = [
    {
      entity: 'contact' as const,
      key: 'hobbies',
      type: 'multi_select' as const,
      label: { zh: '爱好', en: 'Hobbies' },
      required: true,
      archived: false,
      options: [
        { key: 'golf', label: { zh: '高尔夫', en: 'Golf' }, archived: false },
        { key: 'tea', label: { zh: '茶', en: 'Tea' }, archived: false },
      ],
    },
    { entity: 'contact' as const, key: 'mentor', type: 'user_ref' as const, label: { zh: '引荐人', en: 'Mentor' }, required: false, archived: false },
    { entity: 'contact' as const, key: 'old', type: 'text' as const, label: { zh: '旧字段', en: 'Old' }, required: false, archived: true },
  ];
  const cols = ['所属客户', '姓名', '层级', '爱好', '引荐人', '旧字段'];

  it('maps active custom fields by label (archived ones are not importable) and requires the required ones', () => {
    const m = suggestMapping('contact', cols, defs);
    expect(m).toMatchObject({ 'custom.hobbies': '爱好', 'custom.mentor': '引荐人' });
    expect(m).not.toHaveProperty('custom.old');
    const { 'custom.hobbies': _h, ...withoutRequired } = m;
    expect(checkMapping('contact', withoutRequired, cols, defs)).toEqual([{ path: 'mapping.custom.hobbies', message: 'v:required' }]);
  });

  it('reads option labels into keys and leaves a person named by email for the service to find', () => {
    const m = suggestMapping('contact', cols, defs);
    const rec = toRecord('contact', m, cols, ['甲', '张三', '决策层', '茶、Golf', 'li@example.cn', ''], { ...opts, custom: defs });
    expect(rec.issues).toEqual([]);
    expect(rec.body!['custom']).toMatchObject({ hobbies: ['tea', 'golf'] });
    expect(rec.refs.users).toEqual({ mentor: 'li@example.cn' });
    const bad = toRecord('contact', m, cols, ['甲', '张三', '决策层', '', '', ''], { ...opts, custom: defs });
    expect(bad.issues.map((i) => `${i.field}:${i.code}`)).toEqual(['custom.hobbies:required']);
  });
});
