import type { Locale } from '../../shared/i18n/resources.ts';

/** Timestamps shown in the user's own time zone (saved on their profile), in their language. */
export function formatDateTime(iso: string | null | undefined, locale: Locale, timeZone: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(date);
  } catch {
    return date.toISOString();
  }
}

/** A long date for headings ("2026年11月25日 星期三" / "Wednesday, November 25, 2026"). */
export function formatLongDate(date: Date, locale: Locale, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'full' }).format(date);
  } catch {
    return date.toDateString();
  }
}
