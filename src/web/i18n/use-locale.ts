import { useTranslation } from 'react-i18next';
import type { Locale } from '../../shared/i18n/resources.ts';

/** The UI language; components using it re-render when it changes. */
export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}
