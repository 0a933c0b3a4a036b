import { describe, expect, it } from 'vitest';
import { formatMoney, groupDigits } from './money-display.ts';

describe('groupDigits', () => {
  it('groups the integer part and pads the decimals without touching the digits', () => {
    expect(groupDigits('1234567.5')).toBe('1,234,567.50');
    expect(groupDigits('0')).toBe('0.00');
    expect(groupDigits('-1000.125')).toBe('-1,000.125');
    expect(groupDigits('9007199254740993.01')).toBe('9,007,199,254,740,993.01');
    expect(groupDigits('999', 0)).toBe('999');
  });
});

describe('formatMoney', () => {
  it('uses a symbol for well-known currencies and the code otherwise', () => {
    expect(formatMoney({ amount: '1234.5', currency: 'CNY' })).toBe('¥1,234.50');
    expect(formatMoney({ amount: '-20', currency: 'USD' })).toBe('-$20.00');
    expect(formatMoney({ amount: '15000', currency: 'JPY' })).toBe('JP¥15,000');
    expect(formatMoney({ amount: '7', currency: 'SGD' })).toBe('SGD 7.00');
  });
});
