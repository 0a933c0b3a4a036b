import { useQuery } from '@tanstack/react-query';
import { calendarApi, calendarKeys } from './calendar-api.ts';

export function useCalendars() {
  return useQuery({ queryKey: calendarKeys.list, queryFn: ({ signal }) => calendarApi.list(signal) });
}

export function useCalendar(calendarId: string | undefined) {
  return useQuery({
    queryKey: calendarKeys.detail(calendarId ?? ''),
    queryFn: ({ signal }) => calendarApi.get(calendarId!, signal),
    enabled: !!calendarId,
  });
}

/** The year view of a calendar version: a new version is a new query, never a stale grid. */
export function useYearView(calendarId: string | undefined, year: number, version: number | undefined) {
  return useQuery({
    queryKey: calendarKeys.year(calendarId ?? '', year, version),
    queryFn: ({ signal }) => calendarApi.year(calendarId!, year, signal),
    enabled: !!calendarId && version !== undefined,
    staleTime: 5 * 60_000,
  });
}
