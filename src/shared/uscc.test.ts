import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  USCC_AUTHORITIES,
  USCC_CHARSET,
  UsccError,
  assertValidUscc,
  computeOrganisationCodeCheckChar,
  computeUsccCheckChar,
  describeUsccCategory,
  isValidUscc,
  normalizeUscc,
  validateUscc,
} from './uscc.ts';

// Published codes (business licences / public registries), cross-checked: each also passes the
// independent GB 11714 check on positions 9–17, which a mistyped code would fail 10 times in 11.
const REAL = {
  huawei: '914403001922038216', // 华为技术有限公司
  tencentTech: '9144030071526726XG', // 腾讯科技（深圳）有限公司
  tencentComputer: '91440300708461136T', // 深圳市腾讯计算机系统有限公司
  alibabaChina: '91330100799655058B', // 阿里巴巴（中国）有限公司
  baiduNetcom: '91110000802100433B', // 北京百度网讯科技有限公司
  xiaomi: '91110108551385082Q', // 小米科技有限责任公司
};

const charArb = fc.constantFrom(...USCC_CHARSET);
const digitArb = fc.constantFrom(...'0123456789');
/** A random 17-character body whose division code (positions 3–8) is digits, as the standard requires. */
const bodyArb = fc
  .tuple(charArb, charArb, fc.array(digitArb, { minLength: 6, maxLength: 6 }), fc.array(charArb, { minLength: 9, maxLength: 9 }))
  .map(([a, c, div, org]) => a + c + div.join('') + org.join(''));
const validCodeArb = bodyArb.map((b) => b + computeUsccCheckChar(b));

describe('USCC check character', () => {
  it('worked example: Huawei 91440300192203821? → 6', () => {
    // values: 9 1 4 4 0 3 0 0 1 9 2 2 0 3 8 2 1
    // Σ vᵢwᵢ = 9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 1·20 + 9·29 + 2·25 + 2·13 + 0·8
    //        + 3·24 + 8·10 + 2·30 + 1·28 = 831;  831 mod 31 = 25;  31 − 25 = 6 → '6'
    expect(computeUsccCheckChar('91440300192203821')).toBe('6');
  });

  it('worked example with a letter on both sides: Tencent 9144030071526726X? → G', () => {
    // X is worth 29 (index in the charset), G is worth 16.
    // Σ = 9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 7·20 + 1·29 + 5·25 + 2·13 + 6·8
    //   + 7·24 + 2·10 + 6·30 + 29·28 = 1782;  1782 mod 31 = 15;  31 − 15 = 16 → 'G'
    expect(computeUsccCheckChar('9144030071526726X')).toBe('G');
  });

  it('a sum divisible by 31 gives check 0, never an out-of-range 31', () => {
    // '00000000000000000' sums to 0 → 31 − 0 = 31 → 0.
    expect(computeUsccCheckChar('00000000000000000')).toBe('0');
    expect(validateUscc('000000000000000000').ok).toBe(true);
  });

  it('refuses a body of the wrong length or with a letter outside the charset', () => {
    expect(() => computeUsccCheckChar('9144030019220382')).toThrow(UsccError);
    expect(() => computeUsccCheckChar('9144030019220382I')).toThrow(expect.objectContaining({ reason: 'charset', position: 17 }));
  });
});

describe('validateUscc', () => {
  it.each(Object.entries(REAL))('accepts the published code of %s, also strictly', (_name, code) => {
    expect(validateUscc(code)).toMatchObject({ ok: true, code });
    expect(validateUscc(code, { strict: true }).ok).toBe(true);
  });

  it('splits into its parts', () => {
    expect(validateUscc(REAL.huawei)).toEqual({
      ok: true,
      code: REAL.huawei,
      parts: {
        registrationAuthority: '9',
        organisationCategory: '1',
        divisionCode: '440300',
        organisationCode: '192203821',
        checkChar: '6',
      },
    });
  });

  it('normalizes lower case, full-width characters and spaces before validating', () => {
    expect(normalizeUscc(' 9144030071526726xg ')).toBe(REAL.tencentTech);
    // Full-width digits and letters as typed with a Chinese IME, with an ideographic space.
    expect(normalizeUscc('９１４４０３００７１５２６７２６ＸＧ')).toBe(REAL.tencentTech);
    expect(normalizeUscc('91440300\u3000708461136t')).toBe(REAL.tencentComputer);
    expect(validateUscc('9144 0300 1922 0382 16')).toMatchObject({ ok: true, code: REAL.huawei });
  });

  it('reports a wrong check character with the expected one', () => {
    expect(validateUscc('914403001922038217')).toEqual({ ok: false, reason: 'check_digit', position: 18, expected: '6' });
  });

  it('reports empty, length, charset (with position) and non-digit division codes', () => {
    expect(validateUscc('   ')).toEqual({ ok: false, reason: 'empty' });
    expect(validateUscc('91440300192203821')).toEqual({ ok: false, reason: 'length' });
    expect(validateUscc('9144030019220382166')).toEqual({ ok: false, reason: 'length' });
    // O instead of 0 at position 5 — the classic typo; I, Z, S, V are excluded too.
    expect(validateUscc('9144O3001922038216')).toEqual({ ok: false, reason: 'charset', position: 5 });
    for (const letter of ['I', 'O', 'Z', 'S', 'V']) {
      expect(validateUscc(`91440300192203821${letter}`)).toMatchObject({ ok: false, reason: 'charset', position: 18 });
    }
    expect(validateUscc('91440300192203821😀')).toMatchObject({ ok: false, reason: 'charset', position: 18 });
    expect(validateUscc('9144A3001922038216')).toMatchObject({ ok: false, reason: 'division_code', position: 5 });
    expect(validateUscc('914403001922038-16')).toMatchObject({ ok: false, reason: 'charset', position: 16 });
  });

  it('strict mode checks the authority table and the GB 11714 check inside the code', () => {
    const withBody = (body: string) => body + computeUsccCheckChar(body);
    // Authority B does not exist; category 4 does not exist under 9 (工商).
    expect(validateUscc(withBody('B1440300192203821'), { strict: true })).toMatchObject({ reason: 'registration_authority' });
    expect(validateUscc(withBody('94440300192203821'), { strict: true })).toMatchObject({ reason: 'organisation_category' });
    // Organisation code 19220382 has check 1 (Σ = 164, 164 mod 11 = 10, 11 − 10 = 1); 2 is wrong.
    const badOrg = withBody('91440300192203822');
    expect(validateUscc(badOrg).ok).toBe(true); // passes the USCC checksum alone
    expect(validateUscc(badOrg, { strict: true })).toEqual({ ok: false, reason: 'organisation_code_check', position: 17, expected: '1' });
  });

  it('GB 11714 check: worked values including X and 0', () => {
    expect(computeOrganisationCodeCheckChar('19220382')).toBe('1');
    expect(computeOrganisationCodeCheckChar('71526726')).toBe('X'); // Tencent's …71526726X
    // 00000000: Σ = 0 → 11 − 0 = 11 → '0'.
    expect(computeOrganisationCodeCheckChar('00000000')).toBe('0');
    expect(computeOrganisationCodeCheckChar('1922038')).toBeNull();
    expect(computeOrganisationCodeCheckChar('1922038a')).toBeNull();
  });

  it('describes the category of a code', () => {
    expect(describeUsccCategory({ registrationAuthority: '9', organisationCategory: '1' })).toEqual({ authority: '工商', category: '企业' });
    expect(describeUsccCategory({ registrationAuthority: '5', organisationCategory: '3' })).toEqual({ authority: '民政', category: '基金会' });
    expect(describeUsccCategory({ registrationAuthority: '9', organisationCategory: '9' })).toBeNull();
    // Every authority and category key is itself a charset character.
    for (const [a, { categories }] of Object.entries(USCC_AUTHORITIES)) {
      expect(USCC_CHARSET).toContain(a);
      for (const c of Object.keys(categories)) expect(USCC_CHARSET).toContain(c);
    }
  });

  it('assertValidUscc returns the normalized code or throws a typed error', () => {
    expect(assertValidUscc('91110108551385082q')).toBe(REAL.xiaomi);
    expect(() => assertValidUscc('91110108551385082R')).toThrow(
      expect.objectContaining({ code: 'crm.invalid_uscc', reason: 'check_digit', expected: 'Q' }),
    );
    expect(isValidUscc('nonsense')).toBe(false);
  });
});

describe('USCC properties', () => {
  it('a random body plus its computed check character validates', () => {
    fc.assert(
      fc.property(validCodeArb, (code) => {
        expect(validateUscc(code)).toMatchObject({ ok: true, code });
      }),
    );
  });

  it('every single-character substitution by another charset character is caught (exhaustive per code)', () => {
    fc.assert(
      fc.property(validCodeArb, (code) => {
        for (let i = 0; i < 18; i++) {
          for (const ch of USCC_CHARSET) {
            if (ch === code[i]) continue;
            const changed = code.slice(0, i) + ch + code.slice(i + 1);
            const res = validateUscc(changed);
            expect(res.ok).toBe(false);
            // A letter in the division code fails earlier; everything else reaches the checksum.
            if (!(i >= 2 && i < 8 && !/\d/.test(ch))) expect(res).toMatchObject({ reason: 'check_digit' });
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every swap of two adjacent different characters is caught', () => {
    fc.assert(
      fc.property(validCodeArb, (code) => {
        for (let i = 0; i < 17; i++) {
          if (code[i] === code[i + 1]) continue;
          const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
          expect(validateUscc(swapped).ok).toBe(false);
        }
      }),
    );
  });

  it('the only equivalents are spellings that normalize to the same code (case, full width, spaces)', () => {
    fc.assert(
      fc.property(validCodeArb, fc.array(fc.constantFrom('lower', 'full', 'space'), { minLength: 18, maxLength: 18 }), (code, styles) => {
        const spelled = [...code]
          .map((ch, i) => {
            const style = styles[i]!;
            if (style === 'lower') return ch.toLowerCase();
            if (style === 'full') return String.fromCodePoint(ch.codePointAt(0)! + 0xfee0);
            return ` ${ch}`;
          })
          .join('');
        expect(validateUscc(spelled)).toMatchObject({ ok: true, code });
      }),
    );
  });

  it('normalizeUscc is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(normalizeUscc(normalizeUscc(s))).toBe(normalizeUscc(s));
      }),
    );
  });

  it('validateUscc never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30, unit: 'binary' }), (s) => void validateUscc(s, { strict: true })));
  });
});
