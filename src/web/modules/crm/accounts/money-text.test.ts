import { describe, expect, it } from 'vitest';
import { moneyText } from './money-text.ts';

describe('moneyText', () => {
  it('groups thousands and keeps every decimal digit', () => {
    expect(moneyText({ amount: '1234567.50', currency: 'CNY' })).toBe('¥1,234,567.50');
    expect(moneyText({ amount: '999', currency: 'CNY' })).toBe('¥999');
    expect(moneyText({ amount: '12345678901234567.89', currency: 'USD' })).toBe('12,345,678,901,234,567.89 USD');
    expect(moneyText({ amount: '-1000.00', currency: 'CNY' })).toBe('¥-1,000.00');
  });
});
