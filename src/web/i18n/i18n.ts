import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../shared/i18n/resources.ts';
import { initialLocale, rememberLocale } from './locale-preference.ts';
import { NAMESPACES, webResources } from './resources.ts';

const DAYJS_LOCALES: Record<Locale, string> = { 'zh-CN': 'zh-cn', en: 'en' };

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: webResources,
  lng: initialLocale(),
  fallbackLng: 'zh-CN',
  supportedLngs: ['zh-CN', 'en'],
  ns: NAMESPACES,
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

function applySideEffects(locale: Locale): void {
  dayjs.locale(DAYJS_LOCALES[locale]);
  if (typeof document === 'undefined') return;
  document.documentElement.lang = locale;
  document.title = i18n.t('common:app.name');
}
applySideEffects(currentLocale());

/** The UI language now in effect. */
export function currentLocale(): Locale {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

/** Switch the whole UI (texts, antd, dayjs) to a language and remember it for the login page. */
export async function setUiLocale(locale: Locale): Promise<void> {
  rememberLocale(locale);
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
  applySideEffects(locale);
}
