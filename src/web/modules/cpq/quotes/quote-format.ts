import type { Product } from '../../../../server/modules/catalog/contract.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import { DECIMAL_PATTERN, Dec } from '../../../../shared/money.ts';

/**
 * Small display rules of the quote screens. Percentages arrive as decimal strings ("12.50",
 * "18.5"); they are shown as typed by the server, trailing zeros dropped, never via a float.
 */
export function formatPercent(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const trimmed = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
  return `${trimmed}%`;
}

/**
 * A percent for a glance ("16.816327" → "16.82%"), rounded half-up on the decimal string. The
 * exact value stays where a decision is explained (the approval triggers show what was compared).
 */
export function formatPercentRounded(value: string | null | undefined, places = 2): string {
  if (value === null || value === undefined || !DECIMAL_PATTERN.test(value)) return formatPercent(value);
  return formatPercent(new Dec(value).toDecimalPlaces(places, Dec.ROUND_HALF_UP).toFixed());
}

/** "ERP-STD · 云澜 ERP 标准版" in zh, the English name in en when there is one. */
export function productLabel(p: Pick<Product, 'sku' | 'nameZh' | 'nameEn'> | undefined, locale: Locale, fallback = '—'): string {
  if (!p) return fallback;
  return `${p.sku} · ${locale === 'en' && p.nameEn ? p.nameEn : p.nameZh}`;
}

/** The account's name as the quote prints it: the English one in en when there is one; `fallback` when it has none. */
export function accountLabel(a: { accountName: string; accountNameEn: string | null }, locale: Locale, fallback = '—'): string {
  const name = locale === 'en' && a.accountNameEn ? a.accountNameEn : a.accountName;
  return name || fallback;
}

/** A duration since an instant, in whole units, for "waiting since" ("3 h", "2 d"). */
export function elapsedParts(fromIso: string, now: Date): { unit: 'minutes' | 'hours' | 'days'; count: number } {
  const ms = Math.max(0, now.getTime() - new Date(fromIso).getTime());
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return { unit: 'minutes', count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { unit: 'hours', count: hours };
  return { unit: 'days', count: Math.floor(hours / 24) };
}
