/**
 * What one timeline entry says, from its kind and summary (timeline.ts on the server documents the
 * summary of each kind). Pure, so the wording rules are tested without a browser.
 */
export interface TimelineLine {
  /** The i18n key under `timeline.events` (dots of the event name become underscores). */
  eventKey: string;
  /** An activity's kind (call, meeting…), else null. */
  activityKind: string | null;
  text: string;
  actor: string | null;
  contacts: { id: string; name: string }[];
  amount: { amount: string; currency: string } | null;
  stages: { from: string | null; to: string | null } | null;
}

export const KNOWN_EVENTS = [
  'activity',
  'opportunity_created',
  'opportunity_stage_changed',
  'opportunity_won',
  'opportunity_lost',
  'quote_sent',
  'quote_accepted',
  'contract_signed',
  'project_milestone_accepted',
  'ticket_opened',
  'ticket_resolved',
] as const;
export type KnownEvent = (typeof KNOWN_EVENTS)[number];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function timelineLine(entry: { kind: string; summary: Record<string, unknown> }): TimelineLine {
  const s = entry.summary;
  const key = entry.kind.replace(/\./g, '_');
  const eventKey = (KNOWN_EVENTS as readonly string[]).includes(key) ? key : 'other';
  const contacts = Array.isArray(s['contacts'])
    ? (s['contacts'] as unknown[]).filter((c): c is { id: string; name: string } => typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string')
    : [];
  const money = s['amount'];
  const amount =
    typeof money === 'object' && money !== null && typeof (money as { amount?: unknown }).amount === 'string' && typeof (money as { currency?: unknown }).currency === 'string'
      ? (money as { amount: string; currency: string })
      : null;
  const number = str(s['number']);
  const name = str(s['subject']) ?? str(s['name']) ?? str(s['title']);
  const text = [number, name].filter((x) => x !== null).join(' ') || entry.kind;
  const hasStages = 'fromStage' in s || 'toStage' in s;
  return {
    eventKey,
    activityKind: entry.kind === 'activity' ? str(s['activityKind']) : null,
    text,
    actor: str(s['actorName']),
    contacts,
    amount,
    stages: hasStages ? { from: str(s['fromStage']), to: str(s['toStage']) } : null,
  };
}
