import type { Locale } from '../../../shared/i18n/resources.ts';

/** Display names in the UI language: English falls back to Chinese. */
export function calendarName(c: { nameZh: string; nameEn: string | null }, locale: Locale): string {
  return locale === 'en' ? (c.nameEn ?? c.nameZh) : c.nameZh;
}

/** An instant as wall time in the calendar's zone (not the viewer's): due times are read there. */
export function formatInZone(iso: string, timeZone: string, locale: Locale): string {
  try {
    return new Intl.DateTimeFormat(locale, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** Month name of a month number (1–12) in the UI language. */
export function monthName(month: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, month - 1, 1)));
}

/** The current year in a zone. */
export function yearInZone(timeZone: string, now: Date = new Date()): number {
  try {
    return Number(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(now));
  } catch {
    return now.getUTCFullYear();
  }
}
