import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_KINDS, type ActivityKind, FUTURE_TOLERANCE_MS, isTouch, lastTouch, needsReminder, sortInstant, timelineInstant, validateActivity } from './activity.ts';
import { LINE_EVENTS, TimelineEventError, activityEntries, fanOut, lineEventEntries, stageChangeEntries, stageChangeKind } from './timeline.ts';

const NOW = new Date('2026-11-25T08:00:00Z');
const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe('what a well-formed activity is', () => {
  it('accepts a visit that happened, and a task with a due time and an earlier reminder', () => {
    expect(validateActivity({ kind: 'visit', occurredAt: at('2026-11-24T02:00:00Z'), dueAt: null, remindAt: null }, NOW)).toEqual([]);
    expect(validateActivity({ kind: 'task', occurredAt: null, dueAt: at('2026-11-28T09:00:00Z'), remindAt: at('2026-11-27T09:00:00Z') }, NOW)).toEqual([]);
    // A reminder exactly at the due time is allowed (<=).
    expect(validateActivity({ kind: 'task', occurredAt: null, dueAt: at('2026-11-28T09:00:00Z'), remindAt: at('2026-11-28T09:00:00Z') }, NOW)).toEqual([]);
  });

  it('a task needs a due time, a reminder not after it, and no occurrence time', () => {
    expect(validateActivity({ kind: 'task', occurredAt: null, dueAt: null, remindAt: null }, NOW)).toEqual([{ path: 'dueAt', message: 'v:required' }]);
    expect(validateActivity({ kind: 'task', occurredAt: null, dueAt: at('2026-11-28T09:00:00Z'), remindAt: at('2026-11-28T09:00:00.001Z') }, NOW)).toEqual([
      { path: 'remindAt', message: 'v:remind_after_due' },
    ]);
    expect(validateActivity({ kind: 'task', occurredAt: at('2026-11-20T00:00:00Z'), dueAt: at('2026-11-28T09:00:00Z'), remindAt: null }, NOW)).toEqual([
      { path: 'occurredAt', message: 'v:activity_not_for_task' },
    ]);
  });

  it('every other kind needs when it happened, not in the future, and takes no due or reminder time', () => {
    for (const kind of ACTIVITY_KINDS.filter((k) => k !== 'task')) {
      expect(validateActivity({ kind, occurredAt: null, dueAt: null, remindAt: null }, NOW)).toEqual([{ path: 'occurredAt', message: 'v:required' }]);
      expect(validateActivity({ kind, occurredAt: NOW, dueAt: at('2026-12-01T00:00:00Z'), remindAt: at('2026-11-30T00:00:00Z') }, NOW)).toEqual([
        { path: 'dueAt', message: 'v:task_only' },
        { path: 'remindAt', message: 'v:task_only' },
      ]);
    }
    // Five minutes of clock skew pass; one millisecond more is the future.
    const edge = new Date(NOW.getTime() + FUTURE_TOLERANCE_MS);
    expect(validateActivity({ kind: 'call', occurredAt: edge, dueAt: null, remindAt: null }, NOW)).toEqual([]);
    expect(validateActivity({ kind: 'call', occurredAt: new Date(edge.getTime() + 1), dueAt: null, remindAt: null }, NOW)).toEqual([
      { path: 'occurredAt', message: 'v:occurred_in_future' },
    ]);
  });

  it('property: a task is well formed exactly when it has a due time and no reminder after it', () => {
    const instant = fc.option(fc.integer({ min: -30 * 24, max: 30 * 24 }).map((h) => new Date(NOW.getTime() + h * HOUR)), { nil: null });
    fc.assert(
      fc.property(instant, instant, (dueAt, remindAt) => {
        const ok = validateActivity({ kind: 'task', occurredAt: null, dueAt, remindAt }, NOW).length === 0;
        expect(ok).toBe(dueAt !== null && (remindAt === null || remindAt.getTime() <= dueAt.getTime()));
      }),
    );
  });
});

describe('where an activity sits in time', () => {
  it('a list orders by when it happened, or for a task by when it is due', () => {
    expect(sortInstant({ occurredAt: at('2026-11-01T00:00:00Z'), dueAt: null }, NOW)).toEqual(at('2026-11-01T00:00:00Z'));
    expect(sortInstant({ occurredAt: null, dueAt: at('2026-12-01T00:00:00Z') }, NOW)).toEqual(at('2026-12-01T00:00:00Z'));
  });

  it('a timeline shows a task only once done, anything else when it happened', () => {
    expect(timelineInstant({ kind: 'task', occurredAt: null, doneAt: null })).toBeNull();
    expect(timelineInstant({ kind: 'task', occurredAt: null, doneAt: NOW })).toEqual(NOW);
    expect(timelineInstant({ kind: 'note', occurredAt: at('2026-11-01T00:00:00Z'), doneAt: null })).toEqual(at('2026-11-01T00:00:00Z'));
  });

  it('reminds of an open task once its reminder time comes or it is overdue, never of a done one', () => {
    const task = { kind: 'task' as const, doneAt: null, dueAt: at('2026-11-26T08:00:00Z'), remindAt: at('2026-11-25T07:00:00Z') };
    expect(needsReminder(task, NOW)).toBe(true);
    expect(needsReminder({ ...task, remindAt: at('2026-11-25T09:00:00Z') }, NOW)).toBe(false);
    expect(needsReminder({ ...task, remindAt: null, dueAt: at('2026-11-25T07:59:59Z') }, NOW)).toBe(true);
    expect(needsReminder({ ...task, doneAt: NOW }, NOW)).toBe(false);
    expect(needsReminder({ ...task, kind: 'call' }, NOW)).toBe(false);
  });
});

describe('last touch of a coverage link', () => {
  const link = { userId: 'wang', contactId: 'li' };
  const act = (kind: ActivityKind, ownerId: string, iso: string | null, contactIds = ['li']) => ({ kind, ownerId, occurredAt: iso ? at(iso) : null, contactIds });

  it("is the latest call, meeting, visit or email the link's person owns that names the contact", () => {
    expect(
      lastTouch(
        [
          act('visit', 'wang', '2026-10-01T02:00:00Z'),
          act('call', 'wang', '2026-11-03T02:00:00Z'),
          act('email', 'wang', '2026-11-02T02:00:00Z'),
          // Someone else's meeting with Li touches their own link, not Wang's.
          act('meeting', 'zhao', '2026-11-20T02:00:00Z'),
          // Notes and tasks are not touches.
          act('note', 'wang', '2026-11-21T02:00:00Z'),
          act('task', 'wang', null),
          // A call with another contact.
          act('call', 'wang', '2026-11-22T02:00:00Z', ['zhang']),
        ],
        link,
      ),
    ).toEqual(at('2026-11-03T02:00:00Z'));
  });

  it('is null without any touch', () => {
    expect(lastTouch([act('note', 'wang', '2026-11-21T02:00:00Z')], link)).toBeNull();
    expect(isTouch('visit')).toBe(true);
    expect(isTouch('task')).toBe(false);
  });
});

describe('timeline entries of an event', () => {
  const ids = {
    account: '0196a000-0000-7000-8000-000000000001',
    deal: '0196a000-0000-7000-8000-000000000002',
    c1: '0196a000-0000-7000-8000-000000000003',
    c2: '0196a000-0000-7000-8000-000000000004',
    quote: '0196a000-0000-7000-8000-000000000005',
    activity: '0196a000-0000-7000-8000-000000000006',
    user: '0196a000-0000-7000-8000-000000000007',
  };

  it('fan out to the account, the deal and each contact once', () => {
    expect(fanOut({ accountId: ids.account, opportunityId: ids.deal, contactIds: [ids.c1, ids.c2, ids.c1] })).toEqual([
      { subjectType: 'account', subjectId: ids.account },
      { subjectType: 'opportunity', subjectId: ids.deal },
      { subjectType: 'contact', subjectId: ids.c1 },
      { subjectType: 'contact', subjectId: ids.c2 },
    ]);
  });

  it('an activity: on every timeline it concerns when it happened; an open task on none', () => {
    const visit = {
      id: ids.activity,
      kind: 'visit' as const,
      subject: '拜访信息中心主任',
      occurredAt: at('2026-11-20T02:00:00Z'),
      dueAt: null,
      doneAt: null,
      accountId: ids.account,
      opportunityId: ids.deal,
      contacts: [{ id: ids.c1, name: '李主任' }],
      ownerId: ids.user,
      ownerName: '王销售',
      version: 1,
    };
    const entries = activityEntries(visit);
    expect(entries.map((e) => `${e.subjectType}:${e.subjectId}`)).toEqual([`account:${ids.account}`, `opportunity:${ids.deal}`, `contact:${ids.c1}`]);
    expect(entries[0]).toMatchObject({
      kind: 'activity',
      occurredAt: visit.occurredAt,
      linkType: 'activity',
      linkId: ids.activity,
      opportunityId: null,
      summary: { activityKind: 'visit', subject: '拜访信息中心主任', actorName: '王销售', contacts: [{ id: ids.c1, name: '李主任' }] },
    });
    expect(activityEntries({ ...visit, kind: 'task', occurredAt: null, dueAt: NOW })).toEqual([]);
    expect(activityEntries({ ...visit, kind: 'task', occurredAt: null, dueAt: NOW, doneAt: NOW })[0]!.occurredAt).toEqual(NOW);
    expect(activityEntries(null)).toEqual([]);
  });

  it('a stage change: created, moved, won or lost, on the account and the deal, visible to readers of the deal', () => {
    const payload = {
      opportunityId: ids.deal,
      number: 'OPP-2026-000001',
      accountId: ids.account,
      pipelineId: ids.quote,
      fromStage: 'qualify',
      toStage: 'proposal',
      toKind: 'open',
      amount: { amount: '1200000.00', currency: 'CNY' },
      changedAt: '2026-11-20T02:00:00.000Z',
    };
    const event = { type: 'opportunity.stage_changed', occurredAt: NOW, actorId: ids.user, payload };
    const entries = stageChangeEntries(event, { opportunityName: '智慧园区', actorName: '王销售' });
    expect(entries.map((e) => e.subjectType)).toEqual(['account', 'opportunity']);
    expect(entries[0]).toMatchObject({
      kind: 'opportunity.stage_changed',
      occurredAt: at('2026-11-20T02:00:00.000Z'),
      opportunityId: ids.deal,
      linkType: 'opportunity',
      summary: { fromStage: 'qualify', toStage: 'proposal', amount: { amount: '1200000.00', currency: 'CNY' }, name: '智慧园区' },
    });
    expect(stageChangeKind({ fromStage: null, toKind: 'open' })).toBe('opportunity.created');
    expect(stageChangeKind({ fromStage: 'proposal', toKind: 'won' })).toBe('opportunity.won');
    expect(stageChangeKind({ fromStage: 'proposal', toKind: 'lost' })).toBe('opportunity.lost');
    expect(() => stageChangeEntries({ ...event, payload: { ...payload, accountId: 'nope' } }, { opportunityName: null, actorName: null })).toThrow(TimelineEventError);
  });

  it('a later module only publishes: accountId, optional deal and contacts, the record id and its fields', () => {
    const event = {
      type: 'quote.sent',
      occurredAt: NOW,
      actorId: ids.user,
      payload: { accountId: ids.account, opportunityId: ids.deal, contactIds: [ids.c1], quoteId: ids.quote, number: 'Q-2026-000007', total: { amount: '98000.00', currency: 'CNY' }, internalNote: 'x' },
    };
    const entries = lineEventEntries(event, { actorName: '王销售' });
    expect(entries.map((e) => e.subjectType)).toEqual(['account', 'opportunity', 'contact']);
    expect(entries[2]).toMatchObject({ kind: 'quote.sent', linkType: 'quote', linkId: ids.quote, opportunityId: ids.deal, occurredAt: NOW });
    // Only the documented fields are copied: nothing else of the payload reaches a reader.
    expect(entries[0]!.summary).toEqual({
      quoteId: ids.quote,
      number: 'Q-2026-000007',
      total: { amount: '98000.00', currency: 'CNY' },
      opportunityId: ids.deal,
      actorId: ids.user,
      actorName: '王销售',
    });
    // The milestone event under the overview's name maps like project.milestone_accepted.
    const milestone = lineEventEntries(
      { type: 'milestone.accepted', occurredAt: NOW, actorId: null, payload: { accountId: ids.account, projectId: ids.quote, milestoneName: '上线验收', occurredAt: '2026-11-01T00:00:00Z' } },
      { actorName: null },
    );
    expect(milestone).toHaveLength(1);
    expect(milestone[0]).toMatchObject({ kind: 'project.milestone_accepted', occurredAt: at('2026-11-01T00:00:00Z'), opportunityId: null });
    expect(Object.keys(LINE_EVENTS)).toEqual(['quote.sent', 'quote.accepted', 'contract.signed', 'project.milestone_accepted', 'ticket.opened', 'ticket.resolved']);
  });

  it('refuses a payload without its account or its record id (the delivery fails and stays visible)', () => {
    const base = { occurredAt: NOW, actorId: null };
    expect(() => lineEventEntries({ ...base, type: 'ticket.opened', payload: { ticketId: ids.quote } }, { actorName: null })).toThrow(/accountId/);
    expect(() => lineEventEntries({ ...base, type: 'contract.signed', payload: { accountId: ids.account } }, { actorName: null })).toThrow(/contractId/);
    expect(() => lineEventEntries({ ...base, type: 'invoice.issued', payload: { accountId: ids.account } }, { actorName: null })).toThrow(TimelineEventError);
  });
});
