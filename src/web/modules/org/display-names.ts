import type { Locale } from '../../../shared/i18n/resources.ts';

/** People and units carry a Chinese name and an optional English one; show the one of the UI language. */
export function personName(p: { nameZh: string; nameEn: string | null }, locale: Locale): string {
  return locale === 'en' && p.nameEn ? p.nameEn : p.nameZh;
}

export const unitName = personName;
