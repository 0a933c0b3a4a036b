/**
 * The rules of an activity (a call, meeting, customer visit 拜访, email, note or task), as pure
 * functions of the activity's fields and `now`. The service checks references and access; what a
 * well-formed activity is, which ones count as touching a contact, and where one sits in time are
 * decided here.
 */

export const ACTIVITY_KINDS = ['call', 'meeting', 'visit', 'email', 'note', 'task'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/**
 * The kinds that touch the contacts they name: our person spoke to, met or wrote to them. A note
 * is written among ourselves and a task is a plan (the call it leads to is logged as a call), so
 * neither moves a contact's last touch.
 */
export const TOUCH_KINDS = ['call', 'meeting', 'visit', 'email'] as const satisfies readonly ActivityKind[];

export function isTouch(kind: ActivityKind): boolean {
  return (TOUCH_KINDS as readonly ActivityKind[]).includes(kind);
}

/** Logged activities may carry a clock a little ahead of ours (a phone logging a call as it ends). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface ActivityTimes {
  kind: ActivityKind;
  occurredAt: Date | null;
  dueAt: Date | null;
  remindAt: Date | null;
}

export interface ActivityIssue {
  path: 'occurredAt' | 'dueAt' | 'remindAt';
  /** A `v:` key of the validation catalogue. */
  message: string;
}

/**
 * What makes an activity well formed:
 * - a task has a due time; its reminder, if any, is at or before it; it has no occurrence time
 *   (it happens when it is completed);
 * - every other kind records something that happened: it has an occurrence time, not later than
 *   now (plus a few minutes of clock skew), and no due or reminder time. Planned meetings are tasks.
 */
export function validateActivity(a: ActivityTimes, now: Date): ActivityIssue[] {
  const issues: ActivityIssue[] = [];
  if (a.kind === 'task') {
    if (a.occurredAt) issues.push({ path: 'occurredAt', message: 'v:activity_not_for_task' });
    if (!a.dueAt) issues.push({ path: 'dueAt', message: 'v:required' });
    if (a.dueAt && a.remindAt && a.remindAt.getTime() > a.dueAt.getTime()) issues.push({ path: 'remindAt', message: 'v:remind_after_due' });
    return issues;
  }
  if (!a.occurredAt) issues.push({ path: 'occurredAt', message: 'v:required' });
  else if (a.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) issues.push({ path: 'occurredAt', message: 'v:occurred_in_future' });
  if (a.dueAt) issues.push({ path: 'dueAt', message: 'v:task_only' });
  if (a.remindAt) issues.push({ path: 'remindAt', message: 'v:task_only' });
  return issues;
}

/** Where an activity sits in a list: when it happened, or for a task when it is due. */
export function sortInstant(a: Pick<ActivityTimes, 'occurredAt' | 'dueAt'>, fallback: Date): Date {
  return a.occurredAt ?? a.dueAt ?? fallback;
}

/** Is this open task due for a reminder: its reminder time has come, or it is overdue? */
export function needsReminder(a: { kind: ActivityKind; doneAt: Date | null; dueAt: Date | null; remindAt: Date | null }, now: Date): boolean {
  if (a.kind !== 'task' || a.doneAt) return false;
  const t = now.getTime();
  return (a.remindAt !== null && a.remindAt.getTime() <= t) || (a.dueAt !== null && a.dueAt.getTime() <= t);
}

/**
 * The last touch of a coverage link (one of our people on one of theirs) from the activities that
 * name the contact: the latest occurrence among the touching kinds whose owner is that person.
 * The owner is who took part: an activity is logged by (or for) the colleague who was there, and a
 * colleague who came along logs their own. Null when none.
 */
export function lastTouch(
  activities: readonly { kind: ActivityKind; ownerId: string; occurredAt: Date | null; contactIds: readonly string[] }[],
  link: { userId: string; contactId: string },
): Date | null {
  let best: number | null = null;
  for (const a of activities) {
    if (!isTouch(a.kind) || a.ownerId !== link.userId || !a.occurredAt || !a.contactIds.includes(link.contactId)) continue;
    const t = a.occurredAt.getTime();
    if (best === null || t > best) best = t;
  }
  return best === null ? null : new Date(best);
}

/** Which timeline an activity belongs on, and when: non-tasks when they happened, tasks once done. */
export function timelineInstant(a: { kind: ActivityKind; occurredAt: Date | null; doneAt: Date | null }): Date | null {
  return a.kind === 'task' ? a.doneAt : a.occurredAt;
}
