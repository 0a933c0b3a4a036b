import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { i18n } from '../../i18n/i18n.ts';
import enCalendar from '../../i18n/locales/en/calendar.json';
import zhCalendar from '../../i18n/locales/zh-CN/calendar.json';

/**
 * The `calendar` namespace. The page registers its own catalogues when it loads (it is a lazy
 * chunk), so it works whether or not the app's resources list the namespace; keys are checked
 * against the zh-CN file at compile time like the rest of the app.
 */
for (const [lng, bundle] of [
  ['zh-CN', zhCalendar],
  ['en', enCalendar],
] as const) {
  if (!i18n.hasResourceBundle(lng, 'calendar')) i18n.addResourceBundle(lng, 'calendar', bundle, true, false);
}

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

export type CalendarKey = Leaves<typeof zhCalendar>;
export type CalendarT = (key: CalendarKey, params?: Record<string, string | number>) => string;

/** `t` for the calendar namespace, plus `tv` for `v:` validation messages made on the client. */
export function useCalendarT(): { t: CalendarT; tv: (message: string) => string } {
  const { t: raw, i18n: instance } = useTranslation();
  const language = instance.language;
  const t = useCallback<CalendarT>(
    (key, params) => raw(`calendar:${key}` as never, { ...params, lng: language } as never) as unknown as string,
    [raw, language],
  );
  const tv = useCallback(
    (message: string) => (message.startsWith('v:') ? (raw(`validation:${message.slice(2)}` as never) as unknown as string) : message),
    [raw],
  );
  return { t, tv };
}
