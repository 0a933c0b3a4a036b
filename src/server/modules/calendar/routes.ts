import type { ApiRouter } from '../../platform/http.ts';
import {
  Assignment,
  AssignmentPage,
  AssignmentParams,
  CalendarDetail,
  CalendarPage,
  CalendarParams,
  Capacity,
  CapacityQuery,
  ClockPreview,
  ClockPreviewBody,
  CreateAssignmentBody,
  CreateCalendarBody,
  CreateLeaveBody,
  DueBody,
  DueResult,
  HolidayChange,
  HolidayInput,
  HolidayParams,
  ImportOfficialBody,
  ImportOfficialResult,
  Leave,
  LeavePage,
  LeaveParams,
  ListAssignmentsQuery,
  ListCalendarsQuery,
  ListLeaveQuery,
  MakeUpDayChange,
  MakeUpDayInput,
  MakeUpDayParams,
  Ok,
  UpdateAssignmentBody,
  UpdateCalendarBody,
  UpdateHolidayBody,
  UpdateLeaveBody,
  UpdateMakeUpDayBody,
  UserParams,
  VersionQuery,
  YearParams,
  YearView,
} from './contract.ts';
import {
  computeDue,
  createAssignment,
  createCalendar,
  createHoliday,
  createLeave,
  createMakeUpDay,
  deleteAssignment,
  deleteCalendar,
  deleteHoliday,
  deleteLeave,
  deleteMakeUpDay,
  getCalendar,
  getCapacity,
  getYearView,
  importOfficialSchedule,
  listAssignments,
  listCalendars,
  listLeave,
  previewClock,
  updateAssignment,
  updateCalendar,
  updateHoliday,
  updateLeave,
  updateMakeUpDay,
} from './service.ts';

const tags = ['calendar'];
const ok = { ok: true as const };

export function registerCalendarRoutes(router: ApiRouter): void {
  // Static paths (assignments, leave) are declared before /calendars/:id; the router prefers them anyway.
  router.route({
    method: 'GET',
    url: '/api/v1/calendars/assignments',
    summary: 'Which calendar applies to which org unit or person',
    tags,
    query: ListAssignmentsQuery,
    response: AssignmentPage,
    handler: (ctx, { query }) => listAssignments(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/assignments',
    summary: 'Assign a calendar to an org unit (and below) or to one person (an override)',
    tags,
    idempotent: true,
    body: CreateAssignmentBody,
    response: Assignment,
    handler: (ctx, { body }) => createAssignment(ctx, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/calendars/assignments/:assignmentId',
    summary: 'Switch an assignment to another calendar',
    tags,
    params: AssignmentParams,
    body: UpdateAssignmentBody,
    response: Assignment,
    handler: (ctx, { params, body }) => updateAssignment(ctx, params.assignmentId, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/calendars/assignments/:assignmentId',
    summary: 'Remove an assignment (the unit or person falls back to the nearest ancestor’s calendar)',
    tags,
    params: AssignmentParams,
    query: VersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteAssignment(ctx, params.assignmentId, query.version);
      return ok;
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/calendars/leave',
    summary: "One person's leave (their own; managers their subtree's)",
    tags,
    query: ListLeaveQuery,
    response: LeavePage,
    handler: (ctx, { query }) => listLeave(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/leave',
    summary: "Record a person's leave: whole dates (with half days) or exact instants",
    tags,
    idempotent: true,
    body: CreateLeaveBody,
    response: Leave,
    handler: (ctx, { body }) => createLeave(ctx, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/calendars/leave/:leaveId',
    summary: 'Change a leave record',
    tags,
    params: LeaveParams,
    body: UpdateLeaveBody,
    response: Leave,
    handler: (ctx, { params, body }) => updateLeave(ctx, params.leaveId, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/calendars/leave/:leaveId',
    summary: 'Remove a leave record',
    tags,
    params: LeaveParams,
    query: VersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteLeave(ctx, params.leaveId, query.version);
      return ok;
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/calendars',
    summary: 'Working calendars',
    tags,
    query: ListCalendarsQuery,
    response: CalendarPage,
    handler: (ctx, { query }) => listCalendars(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars',
    summary: 'Create a working calendar (weekly windows or 24×7, validity years, optional days)',
    tags,
    idempotent: true,
    body: CreateCalendarBody,
    response: CalendarDetail,
    handler: (ctx, { body }) => createCalendar(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/calendars/:id',
    summary: 'One calendar with its holidays and make-up days',
    tags,
    params: CalendarParams,
    response: CalendarDetail,
    handler: (ctx, { params }) => getCalendar(ctx, params.id),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/calendars/:id',
    summary: 'Change a calendar (names, zone, windows, validity, owner, active); bumps its version',
    tags,
    params: CalendarParams,
    body: UpdateCalendarBody,
    response: CalendarDetail,
    handler: (ctx, { params, body }) => updateCalendar(ctx, params.id, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/calendars/:id',
    summary: 'Delete a calendar that is not assigned to anyone (409 otherwise)',
    tags,
    params: CalendarParams,
    query: VersionQuery,
    response: Ok,
    handler: async (ctx, { params, query }) => {
      await deleteCalendar(ctx, params.id, query.version);
      return ok;
    },
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/:id/holidays',
    summary: 'Add a holiday (whole day, or part-day off windows)',
    tags,
    idempotent: true,
    params: CalendarParams,
    body: HolidayInput,
    response: HolidayChange,
    handler: (ctx, { params, body }) => createHoliday(ctx, params.id, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/calendars/:id/holidays/:holidayId',
    summary: 'Change a holiday',
    tags,
    params: HolidayParams,
    body: UpdateHolidayBody,
    response: HolidayChange,
    handler: (ctx, { params, body }) => updateHoliday(ctx, params.id, params.holidayId, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/calendars/:id/holidays/:holidayId',
    summary: 'Remove a holiday',
    tags,
    params: HolidayParams,
    query: VersionQuery,
    response: HolidayChange,
    handler: (ctx, { params, query }) => deleteHoliday(ctx, params.id, params.holidayId, query.version),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/:id/makeup-days',
    summary: 'Add a make-up working day (调休)',
    tags,
    idempotent: true,
    params: CalendarParams,
    body: MakeUpDayInput,
    response: MakeUpDayChange,
    handler: (ctx, { params, body }) => createMakeUpDay(ctx, params.id, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/calendars/:id/makeup-days/:dayId',
    summary: 'Change a make-up working day',
    tags,
    params: MakeUpDayParams,
    body: UpdateMakeUpDayBody,
    response: MakeUpDayChange,
    handler: (ctx, { params, body }) => updateMakeUpDay(ctx, params.id, params.dayId, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/calendars/:id/makeup-days/:dayId',
    summary: 'Remove a make-up working day',
    tags,
    params: MakeUpDayParams,
    query: VersionQuery,
    response: MakeUpDayChange,
    handler: (ctx, { params, query }) => deleteMakeUpDay(ctx, params.id, params.dayId, query.version),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/:id/import-official',
    summary: "Import a country's official holidays and make-up days for a year (China: State Council notice)",
    tags,
    status: 200,
    params: CalendarParams,
    body: ImportOfficialBody,
    response: ImportOfficialResult,
    handler: (ctx, { params, body }) => importOfficialSchedule(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/calendars/:id/year/:year',
    summary: 'Every day of a year: workday, weekend, holiday or make-up workday, with its working minutes',
    tags,
    params: YearParams,
    response: YearView,
    handler: (ctx, { params }) => getYearView(ctx, params.id, params.year),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/:id/due',
    summary: 'When is it due? Start + business minutes/hours/days → due instant and the windows counted',
    tags,
    status: 200,
    params: CalendarParams,
    body: DueBody,
    response: DueResult,
    handler: (ctx, { params, body }) => computeDue(ctx, params.id, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/calendars/:id/clock',
    summary: 'Preview an SLA clock: one target and a start/pause/resume/stop event log → due, elapsed, breach',
    tags,
    status: 200,
    params: CalendarParams,
    body: ClockPreviewBody,
    response: ClockPreview,
    handler: (ctx, { params, body }) => previewClock(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/users/:id/capacity',
    summary: "A person's working hours in a period after leave (unknown, with a warning, without a calendar)",
    tags,
    params: UserParams,
    query: CapacityQuery,
    response: Capacity,
    handler: (ctx, { params, query }) => getCapacity(ctx, params.id, query),
  });
}
