import { DEFAULT_LOCALE, type Locale, isLocale } from '../../shared/i18n/resources.ts';

const STORAGE_KEY = 'throughline.locale';

/** The language before anyone signs in: the last one chosen in this browser, else the browser's own. */
export function initialLocale(): Locale {
  if (typeof window === 'undefined') return DEFAULT_LOCALE;
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored && isLocale(stored)) return stored;
  } catch {
    // Storage can be unavailable (privacy modes); fall through to the browser language.
  }
  return localeFromBrowser(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
}

export function localeFromBrowser(languages: readonly string[]): Locale {
  const first = languages[0]?.toLowerCase();
  if (!first) return DEFAULT_LOCALE;
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}

export function rememberLocale(locale: Locale): void {
  if (typeof window === 'undefined') return;
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembering is harmless.
  }
}
