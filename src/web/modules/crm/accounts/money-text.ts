/**
 * Money as text without going through floats: the decimal string from the wire is grouped by
 * thousands as it is. CNY shows as ¥, other currencies by their code.
 */
export function moneyText(m: { amount: string; currency: string }): string {
  const negative = m.amount.startsWith('-');
  const [whole = '0', fraction] = m.amount.replace(/^-/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const number = `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
  return m.currency === 'CNY' ? `¥${number}` : `${number} ${m.currency}`;
}
