import { describe, expect, it } from 'vitest';
import { accountLabel, elapsedParts, formatPercent, formatPercentRounded, productLabel } from './quote-format.ts';

describe('formatPercent', () => {
  it('drops trailing zeros of the decimal string and keeps every other digit', () => {
    expect(formatPercent('12.50')).toBe('12.5%');
    expect(formatPercent('15.00')).toBe('15%');
    expect(formatPercent('100')).toBe('100%');
    expect(formatPercent('0.125000')).toBe('0.125%');
    expect(formatPercent('-3.10')).toBe('-3.1%');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('formatPercentRounded', () => {
  it('rounds half-up on the decimal string, then drops trailing zeros', () => {
    expect(formatPercentRounded('16.816327')).toBe('16.82%');
    // 1.005 is not exact in binary (Number(1.005).toFixed(2) is "1.00"); on the decimal string it is 1.01.
    expect(formatPercentRounded('1.005')).toBe('1.01%');
    expect(formatPercentRounded('78.391357')).toBe('78.39%');
    expect(formatPercentRounded('15')).toBe('15%');
    expect(formatPercentRounded(null)).toBe('—');
  });
});

describe('productLabel', () => {
  const p = { sku: 'ERP-STD', nameZh: '云澜 ERP 标准版', nameEn: 'Yunlan ERP Standard' };
  it('shows the name of the UI language, falling back to Chinese', () => {
    expect(productLabel(p, 'zh-CN')).toBe('ERP-STD · 云澜 ERP 标准版');
    expect(productLabel(p, 'en')).toBe('ERP-STD · Yunlan ERP Standard');
    expect(productLabel({ ...p, nameEn: null }, 'en')).toBe('ERP-STD · 云澜 ERP 标准版');
    expect(productLabel(undefined, 'en', 'x')).toBe('x');
  });
});

describe('elapsedParts', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  it('minutes under an hour, hours under two days, then days', () => {
    expect(elapsedParts('2026-11-25T11:15:30Z', now)).toEqual({ unit: 'minutes', count: 44 });
    expect(elapsedParts('2026-11-24T13:00:00Z', now)).toEqual({ unit: 'hours', count: 23 });
    expect(elapsedParts('2026-11-23T12:00:01Z', now)).toEqual({ unit: 'hours', count: 47 });
    expect(elapsedParts('2026-11-20T12:00:00Z', now)).toEqual({ unit: 'days', count: 5 });
    expect(elapsedParts('2026-11-26T12:00:00Z', now)).toEqual({ unit: 'minutes', count: 0 });
  });
});

describe('accountLabel', () => {
  it('shows the Chinese name, the English one in en when there is one, and the fallback for a name missing', () => {
    const both = { accountName: '云澜银行', accountNameEn: 'Yunlan Bank' };
    const zhOnly = { accountName: '云澜银行', accountNameEn: null };
    expect(accountLabel(both, 'zh-CN')).toBe('云澜银行');
    expect(accountLabel(both, 'en')).toBe('Yunlan Bank');
    expect(accountLabel(zhOnly, 'en')).toBe('云澜银行');
    expect(accountLabel({ accountName: '', accountNameEn: null }, 'zh-CN', '客户')).toBe('客户');
  });
});
