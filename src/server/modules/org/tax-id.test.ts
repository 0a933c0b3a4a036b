import { describe, expect, it } from 'vitest';
import { hasUsccShape, USCC_CHARSET } from '../../../shared/uscc.ts';
import { checkTaxId } from './tax-id.ts';

// Published codes of real companies (business licences are public records).
const REAL = {
  huawei: '914403001922038216', // 华为技术有限公司
  alibabaChina: '91330100799655058B', // 阿里巴巴（中国）有限公司
  tencentTech: '9144030071526726XG', // 腾讯科技（深圳）有限公司
};

describe('checkTaxId', () => {
  it('accepts real codes as they are', () => {
    for (const code of Object.values(REAL)) expect(checkTaxId(code)).toEqual({ ok: true, value: code });
  });

  it('rejects a credit code with a wrong check character and says which one belongs there', () => {
    expect(checkTaxId('91330100799655058C')).toEqual({ ok: false, expected: 'B' });
    expect(checkTaxId('914403001922038217')).toEqual({ ok: false, expected: '6' });
  });

  it('recognises a lower-case credit code, checks it, and returns it in upper case', () => {
    expect(checkTaxId('91330100799655058b')).toEqual({ ok: true, value: '91330100799655058B' });
    expect(checkTaxId('9144030071526726xg')).toEqual({ ok: true, value: '9144030071526726XG' });
    expect(checkTaxId('9144030071526726xh')).toEqual({ ok: false, expected: 'G' });
  });

  it('takes other tax numbers as typed: other lengths, or characters outside the alphabet', () => {
    expect(checkTaxId('DE123456789')).toEqual({ ok: true, value: 'DE123456789' }); // German USt-IdNr.
    expect(checkTaxId('12-3456789')).toEqual({ ok: true, value: '12-3456789' }); // US EIN
    expect(checkTaxId('9133010079965505')).toEqual({ ok: true, value: '9133010079965505' }); // 16 characters
    expect(checkTaxId('91330100799655O58B')).toEqual({ ok: true, value: '91330100799655O58B' }); // O: not a credit code
    expect(hasUsccShape('91330100799655O58B')).toBe(false);
    expect(hasUsccShape('91330100799655058b')).toBe(true);
  });

  it('catches every single-character typo of a valid code', () => {
    const code = REAL.alibabaChina;
    for (let i = 0; i < 18; i++) {
      for (const c of USCC_CHARSET) {
        if (c === code[i]) continue;
        const typo = code.slice(0, i) + c + code.slice(i + 1);
        expect(checkTaxId(typo).ok).toBe(false);
      }
    }
  });
});
