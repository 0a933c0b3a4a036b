/**
 * Money on screen, from the wire's decimal strings. Formatting groups the digits of the string
 * itself, so an amount is shown exactly as the server computed it (no round trip through a float).
 */

const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€', GBP: '£', JPY: 'JP¥', HKD: 'HK$' };

/** "1234567.5" → "1,234,567.50" (at least `minDecimals` decimals; extra precision is kept). */
export function groupDigits(amount: string, minDecimals = 2): string {
  const negative = amount.startsWith('-');
  const [intPart = '0', frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = frac.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${grouped}${decimals ? `.${decimals}` : ''}`;
}

/** "¥1,234.50", "USD 1,000.00" for currencies without a well-known symbol. */
export function formatMoney(money: { amount: string; currency: string }, minDecimals = 2): string {
  const symbol = SYMBOLS[money.currency];
  const digits = groupDigits(money.amount, money.currency === 'JPY' ? 0 : minDecimals);
  if (!symbol) return `${money.currency} ${digits}`;
  return digits.startsWith('-') ? `-${symbol}${digits.slice(1)}` : `${symbol}${digits}`;
}

/**
 * A chart coordinate from a decimal string. Charts need numbers; the value is only plotted (never
 * summed or stored), and the tooltip shows the exact string.
 */
export function toChartValue(amount: string): number {
  return Number(amount);
}
