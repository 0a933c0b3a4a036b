import type {
  Assignment,
  AssignmentPage,
  CalendarDetail,
  CalendarPage,
  CreateCalendarInput,
  DueBody,
  DueResult,
  HolidayChange,
  HolidayInput,
  ImportOfficialBody,
  ImportOfficialResult,
  MakeUpDayChange,
  MakeUpDayInput,
  UpdateCalendarBody,
  YearView,
} from '../../../server/modules/calendar/contract.ts';
import { api } from '../../http/api-client.ts';

/** The calendar module's endpoints, typed by the server's contract. */
const base = '/api/v1/calendars';
const id = (value: string) => encodeURIComponent(value);

export const calendarApi = {
  list: (signal?: AbortSignal) => api.get<CalendarPage>(base, { limit: 200 }, signal),
  get: (calendarId: string, signal?: AbortSignal) => api.get<CalendarDetail>(`${base}/${id(calendarId)}`, undefined, signal),
  create: (body: CreateCalendarInput, idempotencyKey?: string) => api.create<CalendarDetail>(base, body, idempotencyKey),
  update: (calendarId: string, body: UpdateCalendarBody) => api.patch<CalendarDetail>(`${base}/${id(calendarId)}`, body),
  year: (calendarId: string, year: number, signal?: AbortSignal) => api.get<YearView>(`${base}/${id(calendarId)}/year/${year}`, undefined, signal),
  due: (calendarId: string, body: DueBody) => api.post<DueResult>(`${base}/${id(calendarId)}/due`, body),
  addHoliday: (calendarId: string, body: HolidayInput) => api.create<HolidayChange>(`${base}/${id(calendarId)}/holidays`, body),
  removeHoliday: (calendarId: string, holidayId: string, version: number) =>
    api.delete<HolidayChange>(`${base}/${id(calendarId)}/holidays/${id(holidayId)}?version=${version}`),
  addMakeUpDay: (calendarId: string, body: MakeUpDayInput) => api.create<MakeUpDayChange>(`${base}/${id(calendarId)}/makeup-days`, body),
  removeMakeUpDay: (calendarId: string, dayId: string, version: number) =>
    api.delete<MakeUpDayChange>(`${base}/${id(calendarId)}/makeup-days/${id(dayId)}?version=${version}`),
  importOfficial: (calendarId: string, body: ImportOfficialBody) => api.post<ImportOfficialResult>(`${base}/${id(calendarId)}/import-official`, body),
  assignments: (calendarId: string, signal?: AbortSignal) => api.get<AssignmentPage>(`${base}/assignments`, { calendarId, limit: 200 }, signal),
};

export type { Assignment };

export const calendarKeys = {
  all: ['calendar'] as const,
  list: ['calendar', 'list'] as const,
  detail: (calendarId: string) => ['calendar', 'detail', calendarId] as const,
  year: (calendarId: string, year: number, version: number | undefined) => ['calendar', 'year', calendarId, year, version ?? 0] as const,
};
