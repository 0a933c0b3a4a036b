import enErrors from './en/errors.json';
import enValidation from './en/validation.json';
import zhErrors from './zh-CN/errors.json';
import zhValidation from './zh-CN/validation.json';

/**
 * The message catalogues, one JSON file per language and namespace. Server (error titles) and web
 * (the whole UI) load the same files. The web adds its UI namespaces in src/web/i18n.ts.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const sharedResources = {
  en: { errors: enErrors, validation: enValidation },
  'zh-CN': { errors: zhErrors, validation: zhValidation },
} as const;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** Pick a supported locale from an Accept-Language header; zh* → zh-CN, anything else → en. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const first = header.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('zh')) return 'zh-CN';
  if (first.length > 0) return 'en';
  return DEFAULT_LOCALE;
}
