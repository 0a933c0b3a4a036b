import { z } from 'zod';
import { type ActivityKind, timelineInstant } from './activity.ts';

/**
 * The timeline read model's mapping, pure: an event of the line → the entries it puts on the
 * timelines of the account, the deal and each contact it concerns (decision 0009). The service
 * feeds it from the outbox and stores the result idempotently on (source event, subject).
 */

export type TimelineSubjectType = 'account' | 'contact' | 'opportunity';

export interface EntryDraft {
  subjectType: TimelineSubjectType;
  subjectId: string;
  occurredAt: Date;
  kind: string;
  summary: Record<string, unknown>;
  linkType: string | null;
  linkId: string | null;
  /** The deal whose figures the entry shows: only readers of that deal see the entry. */
  opportunityId: string | null;
}

/** A malformed event: its delivery fails (and is retried, then parked for an admin), nothing is written. */
export class TimelineEventError extends Error {
  constructor(eventType: string, detail: string) {
    super(`${eventType}: ${detail}`);
    this.name = 'TimelineEventError';
  }
}

/** The account, the deal (if any) and each contact, once each. */
export function fanOut(target: { accountId: string; opportunityId?: string | null; contactIds?: readonly string[] }): { subjectType: TimelineSubjectType; subjectId: string }[] {
  const out: { subjectType: TimelineSubjectType; subjectId: string }[] = [{ subjectType: 'account', subjectId: target.accountId }];
  if (target.opportunityId) out.push({ subjectType: 'opportunity', subjectId: target.opportunityId });
  for (const id of new Set(target.contactIds ?? [])) out.push({ subjectType: 'contact', subjectId: id });
  return out;
}

// ── Activities ─────────────────────────────────────────────────────────────────────────────────

export interface ActivityState {
  id: string;
  kind: ActivityKind;
  subject: string;
  occurredAt: Date | null;
  dueAt: Date | null;
  doneAt: Date | null;
  accountId: string;
  opportunityId: string | null;
  contacts: readonly { id: string; name: string }[];
  ownerId: string;
  ownerName: string | null;
  version: number;
}

/**
 * An activity's entries, from its current state: a call, meeting, visit, email or note when it
 * happened; a task once done (an open task is a plan, not history). Summary: `{activityId,
 * activityKind, subject, actorId, actorName, contacts: [{id, name}], dueAt, doneAt, version}`.
 * The activity follows its account's visibility, so the entries carry no deal restriction.
 */
export function activityEntries(a: ActivityState | null): EntryDraft[] {
  if (!a) return [];
  const at = timelineInstant(a);
  if (!at) return [];
  const summary = {
    activityId: a.id,
    activityKind: a.kind,
    subject: a.subject,
    actorId: a.ownerId,
    actorName: a.ownerName,
    contacts: a.contacts.map((c) => ({ id: c.id, name: c.name })),
    dueAt: a.dueAt?.toISOString() ?? null,
    doneAt: a.doneAt?.toISOString() ?? null,
    version: a.version,
  };
  return fanOut({ accountId: a.accountId, opportunityId: a.opportunityId, contactIds: a.contacts.map((c) => c.id) }).map((s) => ({
    ...s,
    occurredAt: at,
    kind: 'activity',
    summary,
    linkType: 'activity',
    linkId: a.id,
    opportunityId: null,
  }));
}

// ── The CRM's deal events ──────────────────────────────────────────────────────────────────────

const Uuid = z.uuid();
const MoneyJson = z.object({ amount: z.string(), currency: z.string() });

/** `opportunity.stage_changed` as opportunity-service.ts publishes it (the fields the timeline uses). */
export const StageChangedPayload = z.looseObject({
  opportunityId: Uuid,
  number: z.string(),
  accountId: Uuid,
  pipelineId: Uuid,
  fromStage: z.string().nullable(),
  toStage: z.string(),
  toKind: z.enum(['open', 'won', 'lost']),
  amount: MoneyJson,
  changedAt: z.iso.datetime({ offset: true }).optional(),
});
export type StageChangedPayload = z.infer<typeof StageChangedPayload>;

/** created (no previous stage), won, lost, or a move between open stages. */
export function stageChangeKind(p: Pick<StageChangedPayload, 'fromStage' | 'toKind'>): string {
  if (p.fromStage === null) return 'opportunity.created';
  if (p.toKind === 'won') return 'opportunity.won';
  if (p.toKind === 'lost') return 'opportunity.lost';
  return 'opportunity.stage_changed';
}

/**
 * A deal's stage change on the account's and the deal's timelines. Summary: `{opportunityId,
 * number, name, pipelineId, fromStage, toStage, toKind, amount, actorId, actorName}`; only readers
 * of the deal see it.
 */
export function stageChangeEntries(
  event: { type: string; occurredAt: Date; actorId: string | null; payload: unknown },
  names: { opportunityName: string | null; actorName: string | null },
): EntryDraft[] {
  const parsed = StageChangedPayload.safeParse(event.payload);
  if (!parsed.success) throw new TimelineEventError(event.type, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const p = parsed.data;
  const at = p.changedAt ? new Date(p.changedAt) : event.occurredAt;
  const summary = {
    opportunityId: p.opportunityId,
    number: p.number,
    name: names.opportunityName,
    pipelineId: p.pipelineId,
    fromStage: p.fromStage,
    toStage: p.toStage,
    toKind: p.toKind,
    amount: { amount: p.amount.amount, currency: p.amount.currency },
    actorId: event.actorId,
    actorName: names.actorName,
  };
  return fanOut({ accountId: p.accountId, opportunityId: p.opportunityId }).map((s) => ({
    ...s,
    occurredAt: at,
    kind: stageChangeKind(p),
    summary,
    linkType: 'opportunity',
    linkId: p.opportunityId,
    opportunityId: p.opportunityId,
  }));
}

// ── Events of the later modules of the line ───────────────────────────────────────────────────

/**
 * The events of later modules the timeline shows, and what each must carry. A module only
 * publishes; the CRM subscribes to these names. Every payload has:
 *   accountId     uuid, required: the customer
 *   opportunityId uuid, optional: the deal (the entry then also goes on the deal's timeline, and
 *                 only readers of the deal see it)
 *   contactIds    uuid[], optional: the customer's people concerned (each gets the entry)
 *   occurredAt    ISO instant, optional: when it happened (default: when the event was written)
 *   <linkId>      uuid, required: the record a click opens (quoteId, contractId, projectId, ticketId)
 * and any of the `fields` below, copied into the summary when present (plus actorId and actorName,
 * the event's actor). Money is `{amount, currency}` as everywhere on the wire.
 */
export const LINE_EVENTS = {
  'quote.sent': { linkType: 'quote', linkId: 'quoteId', fields: ['number', 'versionNo', 'total', 'validUntil'] },
  'quote.accepted': { linkType: 'quote', linkId: 'quoteId', fields: ['number', 'versionNo', 'total'] },
  'contract.signed': { linkType: 'contract', linkId: 'contractId', fields: ['number', 'name', 'amount', 'signedOn'] },
  'project.milestone_accepted': { linkType: 'project', linkId: 'projectId', fields: ['projectName', 'milestoneId', 'milestoneName', 'acceptedOn'] },
  'ticket.opened': { linkType: 'ticket', linkId: 'ticketId', fields: ['number', 'subject', 'priority', 'channel'] },
  'ticket.resolved': { linkType: 'ticket', linkId: 'ticketId', fields: ['number', 'subject', 'priority', 'resolution'] },
} as const satisfies Record<string, { linkType: string; linkId: string; fields: readonly string[] }>;
export type LineEventType = keyof typeof LINE_EVENTS;

/** The delivery module's name for the milestone event in the architecture overview; mapped like project.milestone_accepted. */
export const LINE_EVENT_ALIASES: Record<string, LineEventType> = { 'milestone.accepted': 'project.milestone_accepted' };

const LineEventPayload = z.looseObject({
  accountId: Uuid,
  opportunityId: Uuid.nullable().optional(),
  contactIds: z.array(Uuid).max(200).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});

export function lineEventEntries(
  event: { type: string; occurredAt: Date; actorId: string | null; payload: unknown },
  names: { actorName: string | null },
): EntryDraft[] {
  const type = (LINE_EVENT_ALIASES[event.type] ?? event.type) as LineEventType;
  const spec = LINE_EVENTS[type];
  if (!spec) throw new TimelineEventError(event.type, 'not an event the timeline shows');
  const parsed = LineEventPayload.safeParse(event.payload);
  const fail = (detail: string) => new TimelineEventError(event.type, detail);
  if (!parsed.success) throw fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const p = parsed.data as Record<string, unknown> & z.infer<typeof LineEventPayload>;
  const linkId = p[spec.linkId];
  if (typeof linkId !== 'string' || !Uuid.safeParse(linkId).success) throw fail(`${spec.linkId}: expected a uuid`);
  const summary: Record<string, unknown> = { [spec.linkId]: linkId };
  for (const f of spec.fields) if (p[f] !== undefined) summary[f] = p[f];
  if (p.opportunityId) summary['opportunityId'] = p.opportunityId;
  summary['actorId'] = event.actorId;
  summary['actorName'] = names.actorName;
  const at = p.occurredAt ? new Date(p.occurredAt) : event.occurredAt;
  return fanOut({ accountId: p.accountId, opportunityId: p.opportunityId ?? null, contactIds: p.contactIds ?? [] }).map((s) => ({
    ...s,
    occurredAt: at,
    kind: type,
    summary,
    linkType: spec.linkType,
    linkId,
    opportunityId: p.opportunityId ?? null,
  }));
}
