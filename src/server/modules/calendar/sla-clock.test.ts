import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCalendar, type Calendar } from './calendar.ts';
import { createChinaCalendar } from './china-holidays.ts';
import { businessDays, businessHours, businessMinutes, businessTimeBetween, MS_PER_HOUR } from './clock.ts';
import { BusinessTimeError } from './business-time-error.ts';
import {
  applyEvent,
  computeClock,
  computeClockReport,
  createClockState,
  freezeCycle,
  sortClockEvents,
  type ClockEvent,
  type ClockPolicy,
  type ClockState,
} from './sla-clock.ts';

const H = MS_PER_HOUR;
const at = (iso: string) => new Date(iso);
// China office days: 09:00–12:00, 13:30–18:00 (7.5h), 2026 holidays and 调休.
const china = createChinaCalendar({ id: 'cn-office', name: 'China office' });

// A service desk: first reply within 2 working hours, resolution within 8, where waiting on the
// customer pauses resolution only and a priority change can re-target it.
const desk: ClockPolicy = {
  id: 'desk-sla',
  version: 3,
  calendar: china,
  targets: [
    { name: 'first_reply', duration: businessHours(2), startOn: ['created'], stopOn: ['agent_replied'], pauseOn: [], resumeOn: [], retargetOn: [] },
    {
      name: 'resolution',
      duration: businessHours(8),
      startOn: ['created', 'reopened'],
      stopOn: ['resolved'],
      pauseOn: ['waiting_on_customer'],
      resumeOn: ['customer_replied'],
      retargetOn: ['priority_changed'],
    },
  ],
};

const event = (type: string, iso: string, extra: Partial<ClockEvent> = {}): ClockEvent => ({ type, at: at(iso), ...extra });

function report(events: ClockEvent[], asOf: string, policy: ClockPolicy = desk) {
  return computeClockReport(computeClock(events, policy), at(asOf)).targets;
}

function catchError(fn: () => unknown): BusinessTimeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BusinessTimeError) return error;
    throw error;
  }
  throw new Error('expected a BusinessTimeError');
}

describe('event-log clocks', () => {
  it('measures a met first reply', () => {
    // Created Mon 10:00, replied 11:30: 1.5h of 2h used, due 12:00.
    const r = report([event('created', '2026-03-02T10:00+08:00'), event('agent_replied', '2026-03-02T11:30+08:00')], '2026-03-02T15:00+08:00');
    expect(r.first_reply!.status).toBe('stopped');
    expect(r.first_reply!.latest).toMatchObject({
      elapsedMs: 1.5 * H,
      remainingMs: 0.5 * H,
      pausedMs: 0,
      dueAt: at('2026-03-02T12:00+08:00'),
      isBreached: false,
      breachedAt: null,
      calendar: { id: 'cn-office', version: 1 },
      policy: { id: 'desk-sla', version: 3 },
    });
    // Resolution still runs: 10:00–12:00 (2h) + 13:30–15:00 (1.5h) = 3.5h.
    expect(r.resolution!.latest).toMatchObject({ status: 'running', elapsedMs: 3.5 * H, remainingMs: 4.5 * H });
  });

  it('breaches at the due instant, judged by instants not by working time', () => {
    // Due 12:00. A reply at exactly 12:00 is on time; 12:30 is late although no working time
    // passed after 12:00 (lunch): breachedAt is the due instant.
    const onTime = report([event('created', '2026-03-02T10:00+08:00'), event('agent_replied', '2026-03-02T12:00+08:00')], '2026-03-02T15:00+08:00');
    expect(onTime.first_reply!.latest).toMatchObject({ isBreached: false, remainingMs: 0 });
    const late = report([event('created', '2026-03-02T10:00+08:00'), event('agent_replied', '2026-03-02T12:30+08:00')], '2026-03-02T15:00+08:00');
    expect(late.first_reply!.latest).toMatchObject({ isBreached: true, breachedAt: at('2026-03-02T12:00+08:00'), elapsedMs: 2 * H, remainingMs: 0 });
  });

  it('reports a running clock past its due as breached, with negative remaining', () => {
    // No reply by 14:00: 10:00–12:00 (2h) + 13:30–14:00 (0.5h) = 2.5h, half an hour over.
    const r = report([event('created', '2026-03-02T10:00+08:00')], '2026-03-02T14:00+08:00');
    expect(r.first_reply!.latest).toMatchObject({ status: 'running', isBreached: true, breachedAt: at('2026-03-02T12:00+08:00'), remainingMs: -0.5 * H });
  });

  it('pauses in business time: a pause over the weekend removes only the working time paused', () => {
    // Resolution 8h from Fri 03-06 16:00. Paused Fri 17:00 (1h elapsed) to Mon 09:00:
    // paused working time = Fri 17:00–18:00 = 1h (the weekend counts nothing).
    // Remaining 7h from Mon 09:00: 09:00–12:00 (3h) + 13:30–17:30 (4h) → due Mon 17:30,
    // one working hour later than without the pause (Mon 16:30).
    const events = [
      event('created', '2026-03-06T16:00+08:00'),
      event('waiting_on_customer', '2026-03-06T17:00+08:00'),
      event('customer_replied', '2026-03-09T09:00+08:00'),
    ];
    const r = report(events, '2026-03-09T09:00+08:00');
    expect(r.resolution!.latest).toMatchObject({ status: 'running', elapsedMs: 1 * H, pausedMs: 1 * H, dueAt: at('2026-03-09T17:30+08:00') });
    const unpaused = report([events[0]!], '2026-03-06T16:00+08:00');
    expect(unpaused.resolution!.latest!.dueAt).toEqual(at('2026-03-09T16:30+08:00'));

    // A pause entirely outside working time (Sat → Sun) pauses nothing and moves nothing.
    const weekend = report(
      [event('created', '2026-03-06T16:00+08:00'), event('waiting_on_customer', '2026-03-07T10:00+08:00'), event('customer_replied', '2026-03-08T10:00+08:00')],
      '2026-03-08T10:00+08:00',
    );
    expect(weekend.resolution!.latest).toMatchObject({ pausedMs: 0, dueAt: at('2026-03-09T16:30+08:00') });
  });

  it('has no due instant while paused, and keeps counting paused working time', () => {
    // Paused Mon 10:00; as of 15:00 the pause holds 10:00–12:00 + 13:30–15:00 = 3.5h.
    const r = report([event('created', '2026-03-02T09:00+08:00'), event('waiting_on_customer', '2026-03-02T10:00+08:00')], '2026-03-02T15:00+08:00');
    expect(r.resolution!.latest).toMatchObject({ status: 'paused', elapsedMs: 1 * H, pausedMs: 3.5 * H, dueAt: null, isBreached: false });
  });

  it('re-targets keeping the pause time already accrued', () => {
    // Created Mon 09:00 (8h). Paused 10:00–11:00 (1h). Priority raised at 14:30 to 4h:
    // elapsed = 09–10 (1h) + 11–12 (1h) + 13:30–14:30 (1h) = 3h, paused stays 1h, remaining 1h → due 15:30.
    const base = [
      event('created', '2026-03-02T09:00+08:00'),
      event('waiting_on_customer', '2026-03-02T10:00+08:00'),
      event('customer_replied', '2026-03-02T11:00+08:00'),
    ];
    const tighter = report([...base, event('priority_changed', '2026-03-02T14:30+08:00', { durations: { resolution: businessHours(4) } })], '2026-03-02T14:30+08:00');
    expect(tighter.resolution!.latest).toMatchObject({ targetMs: 4 * H, elapsedMs: 3 * H, pausedMs: 1 * H, dueAt: at('2026-03-02T15:30+08:00'), isBreached: false });
    expect(tighter.resolution!.latest!.duration).toEqual(businessHours(4));

    // Business days count from the cycle's start: 2 days from Mon → end of Wed = 22.5h
    // (Mon 09:00–18:00 7.5 + Tue 7.5 + Wed 7.5). 3h used, 19.5h left from 14:30: Mon 3.5, Tue 7.5,
    // Wed 7.5, Thu 09:00–10:00 → Thu 10:00: the 1h pause still pushes the due one working hour.
    const days = report([...base, event('priority_changed', '2026-03-02T14:30+08:00', { durations: { resolution: businessDays(2) } })], '2026-03-02T14:30+08:00');
    expect(days.resolution!.latest).toMatchObject({ targetMs: 22.5 * H, pausedMs: 1 * H, dueAt: at('2026-03-05T10:00+08:00') });
  });

  it('breaches at the change when a tightened target is already exceeded, and keeps the breach', () => {
    // 09:00–12:00 + 13:30–14:30 = 4h used at 14:30; the new target is 2h: breached at 14:30, not
    // retroactively at 11:00 when 2h had been used. As of 15:00, 4.5h used: 2.5h over.
    const base = [event('created', '2026-03-02T09:00+08:00'), event('priority_changed', '2026-03-02T14:30+08:00', { durations: { resolution: businessHours(2) } })];
    const r = report(base, '2026-03-02T15:00+08:00');
    expect(r.resolution!.latest).toMatchObject({ isBreached: true, breachedAt: at('2026-03-02T14:30+08:00'), remainingMs: -2.5 * H });
    // Loosening it to 16h at 15:00 leaves 11.5h but does not un-breach history.
    const loosened = report([...base, event('priority_changed', '2026-03-02T15:00+08:00', { durations: { resolution: businessHours(16) } })], '2026-03-02T15:00+08:00');
    expect(loosened.resolution!.latest).toMatchObject({ isBreached: true, breachedAt: at('2026-03-02T14:30+08:00'), remainingMs: 11.5 * H });
  });

  it('resumes a clock paused exactly at its due into an immediate breach', () => {
    // First reply policy with pauses: 2h from 10:00 is due 12:00; paused at 12:00 (on time), resumed
    // Tue 09:00 with nothing left: it is due at the resume and any later event is a breach from then.
    const policy: ClockPolicy = { id: 'p', version: 1, calendar: china, targets: [{ name: 'response', duration: businessHours(2) }] };
    const r = report([event('start', '2026-03-02T10:00+08:00'), event('pause', '2026-03-02T12:00+08:00'), event('resume', '2026-03-03T09:00+08:00'), event('stop', '2026-03-03T09:10+08:00')], '2026-03-03T10:00+08:00', policy);
    expect(r.response!.latest).toMatchObject({ isBreached: true, breachedAt: at('2026-03-03T09:00+08:00'), elapsedMs: 2 * H + 10 * 60_000 });
  });

  it('stops while paused without a due instant', () => {
    const r = report([event('created', '2026-03-02T09:00+08:00'), event('waiting_on_customer', '2026-03-02T10:00+08:00'), event('resolved', '2026-03-02T11:00+08:00')], '2026-03-02T12:00+08:00');
    expect(r.resolution!.latest).toMatchObject({ status: 'stopped', elapsedMs: 1 * H, pausedMs: 1 * H, dueAt: null, stoppedAt: at('2026-03-02T11:00+08:00') });
  });

  it('ignores later replies and pauses once a target stopped, and restarts on reopen', () => {
    const r = report(
      [
        event('created', '2026-03-02T09:00+08:00'),
        event('agent_replied', '2026-03-02T09:30+08:00'),
        event('agent_replied', '2026-03-02T10:00+08:00'), // first_reply already stopped: ignored
        event('resolved', '2026-03-02T11:00+08:00'),
        event('waiting_on_customer', '2026-03-02T11:30+08:00'), // resolution stopped: ignored
        event('reopened', '2026-03-03T09:00+08:00'),
      ],
      '2026-03-03T10:00+08:00',
    );
    expect(r.first_reply!.latest).toMatchObject({ cycle: 0, elapsedMs: 0.5 * H });
    expect(r.resolution!.completed).toHaveLength(1);
    expect(r.resolution!.completed[0]).toMatchObject({ cycle: 0, elapsedMs: 2 * H });
    // The reopened cycle starts with the full 8h.
    expect(r.resolution!.latest).toMatchObject({ cycle: 1, status: 'running', elapsedMs: 1 * H, remainingMs: 7 * H });
  });

  it('ignores event types no target listens to', () => {
    const r = report([event('created', '2026-03-02T09:00+08:00'), event('note_added', '2026-03-02T10:00+08:00')], '2026-03-02T10:00+08:00');
    expect(r.resolution!.latest!.elapsedMs).toBe(1 * H);
  });
});

describe('clock errors', () => {
  const created = event('created', '2026-03-02T09:00+08:00');

  it('refuses events out of order', () => {
    const error = catchError(() => computeClock([created, event('agent_replied', '2026-03-02T08:00+08:00')], desk));
    expect(error.code).toBe('calendar.event_order');
    expect(error.path).toBe('events[1].at');
    // Same instant is fine in log order; seq, when given, must not go backwards.
    expect(() => computeClock([created, event('agent_replied', '2026-03-02T09:00+08:00')], desk)).not.toThrow();
    expect(catchError(() => computeClock([{ ...created, seq: 2 }, event('agent_replied', '2026-03-02T09:00+08:00', { seq: 1 })], desk)).code).toBe('calendar.event_order');
  });

  it('refuses a pause without a start and a resume without a pause', () => {
    expect(catchError(() => computeClock([event('waiting_on_customer', '2026-03-02T09:00+08:00')], desk)).code).toBe('calendar.pause_without_start');
    expect(catchError(() => computeClock([created, event('customer_replied', '2026-03-02T10:00+08:00')], desk)).code).toBe('calendar.resume_without_pause');
    expect(catchError(() => computeClock([event('customer_replied', '2026-03-02T10:00+08:00')], desk)).code).toBe('calendar.resume_without_pause');
  });

  it('refuses double starts, double pauses and stops without a start', () => {
    expect(catchError(() => computeClock([created, event('created', '2026-03-02T10:00+08:00')], desk)).code).toBe('calendar.start_while_running');
    const paused = event('waiting_on_customer', '2026-03-02T10:00+08:00');
    expect(catchError(() => computeClock([created, paused, event('waiting_on_customer', '2026-03-02T11:00+08:00')], desk)).code).toBe('calendar.pause_while_paused');
    expect(catchError(() => computeClock([event('resolved', '2026-03-02T10:00+08:00')], desk)).code).toBe('calendar.stop_without_start');
  });

  it('refuses re-targeting an unknown target, bad durations and invalid instants', () => {
    expect(catchError(() => computeClock([created, event('priority_changed', '2026-03-02T10:00+08:00', { durations: { resolutoin: businessHours(4) } })], desk)).code).toBe('calendar.unknown_target');
    expect(catchError(() => computeClock([created, event('priority_changed', '2026-03-02T10:00+08:00', { durations: { resolution: businessHours(-4) } })], desk)).code).toBe('calendar.negative_duration');
    const error = catchError(() => computeClock([{ type: 'created', at: new Date('not a date') }], desk));
    expect(error.code).toBe('calendar.invalid_instant');
    expect(error.path).toBe('events[0].at');
  });

  it('refuses an ambiguous policy', () => {
    const policy: ClockPolicy = { id: 'bad', version: 1, calendar: china, targets: [{ name: 'x', duration: businessHours(1), startOn: ['open'], stopOn: ['open'] }] };
    expect(catchError(() => createClockState(policy)).code).toBe('calendar.invalid_policy');
  });

  it('refuses a report as of an instant before the last event', () => {
    expect(catchError(() => computeClockReport(computeClock([created], desk), at('2026-03-02T08:00+08:00'))).code).toBe('calendar.event_order');
  });
});

describe('incremental application and late events', () => {
  const log = [
    event('created', '2026-03-02T09:00+08:00'),
    event('agent_replied', '2026-03-02T09:45+08:00'),
    event('resolved', '2026-03-02T17:00+08:00'),
  ];

  it('applyEvent leaves the old state untouched', () => {
    const s1 = applyEvent(createClockState(desk), log[0]!);
    const snapshot = structuredClone({ ...s1, policy: null });
    applyEvent(s1, log[1]!);
    expect({ ...s1, policy: null }).toEqual(snapshot);
  });

  it('refuses a late event incrementally; a full recompute with it inserted is correct', () => {
    const stored = log.reduce(applyEvent, createClockState(desk));
    // Entered afterwards: the customer was waited on 10:00–11:00.
    const late = [event('waiting_on_customer', '2026-03-02T10:00+08:00'), event('customer_replied', '2026-03-02T11:00+08:00')];
    expect(catchError(() => applyEvent(stored, late[0]!)).code).toBe('calendar.event_order');

    const recomputed = computeClock(sortClockEvents([...log, ...late]), desk);
    const inOrder = computeClock([log[0]!, log[1]!, late[0]!, late[1]!, log[2]!], desk);
    expect(recomputed).toEqual(inOrder);
    const resolution = computeClockReport(recomputed, at('2026-03-02T18:00+08:00')).targets.resolution!.latest!;
    // 09:00–17:00 holds 6.5 working hours; 1h of them was paused.
    expect(resolution).toMatchObject({ elapsedMs: 5.5 * H, pausedMs: 1 * H });
  });
});

describe('frozen cycles', () => {
  const v1: Calendar = china;
  // Version 2 declares Tue 03-03 a company holiday.
  const v2: Calendar = createCalendar({ ...china, version: 2, holidays: [...china.holidays, { date: '2026-03-03', name: 'Company day' }] });
  const policyWith = (calendar: Calendar): ClockPolicy => ({ ...desk, calendar });
  const log = [
    event('created', '2026-03-02T17:00+08:00'),
    event('resolved', '2026-03-03T10:00+08:00'), // cycle 0: Mon 17:00–18:00 + Tue 09:00–10:00
    event('reopened', '2026-03-03T17:00+08:00'),
  ];

  it('keeps a frozen result, and the calendar version it names, after a calendar edit', () => {
    const first = computeClockReport(computeClock(log, policyWith(v1)), at('2026-03-04T10:00+08:00')).targets.resolution!;
    const frozen = freezeCycle(first.completed[0]!);
    expect(frozen).toMatchObject({ elapsedMs: 2 * H, calendar: { id: 'cn-office', version: 1 }, policy: { id: 'desk-sla', version: 3 }, isFrozen: true });
    expect(Object.isFrozen(frozen)).toBe(true);

    // Recomputed under v2 without freezing, Tuesday's hour disappears…
    const unfrozen = computeClockReport(computeClock(log, policyWith(v2)), at('2026-03-04T10:00+08:00')).targets.resolution!;
    expect(unfrozen.completed[0]).toMatchObject({ elapsedMs: 1 * H, calendar: { version: 2 } });

    // …with the frozen cycle it stays as it was; the open cycle uses v2 (Tue 03-03 is now off:
    // reopened Tue 17:00, nothing until Wed 09:00, so 1h by Wed 10:00).
    const kept = computeClockReport(computeClock(log, policyWith(v2), { frozenCycles: [frozen] }), at('2026-03-04T10:00+08:00')).targets.resolution!;
    expect(kept.completed[0]).toBe(frozen);
    expect(kept.latest).toMatchObject({ cycle: 1, elapsedMs: 1 * H, calendar: { version: 2 } });
  });

  it('refuses to replay a frozen cycle against a log that changed under it', () => {
    const first = computeClockReport(computeClock(log, policyWith(v1)), at('2026-03-04T10:00+08:00')).targets.resolution!;
    const frozen = freezeCycle(first.completed[0]!);
    const changed = [log[0]!, event('resolved', '2026-03-03T11:00+08:00'), log[2]!];
    expect(catchError(() => computeClock(changed, policyWith(v2), { frozenCycles: [frozen] })).code).toBe('calendar.frozen_cycle_mismatch');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over generated logs
// ---------------------------------------------------------------------------------------------

// Two targets driven by overlapping generic events: 'response' stops on 'stop', 'resolution' on
// 'resolve'; both pause and resume together and can be re-targeted.
const generic: ClockPolicy = {
  id: 'generic',
  version: 1,
  calendar: china,
  targets: [
    { name: 'response', duration: businessHours(2) },
    { name: 'resolution', duration: businessHours(12), stopOn: ['resolve'] },
  ],
};
const T0 = Date.parse('2026-02-09T00:00+08:00');
type Status = 'idle' | 'running' | 'paused' | 'stopped';

/** Valid logs: each step picks one of the event types legal for both targets' current status. */
const logArb = fc
  .array(
    fc.record({
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 * H }), fc.integer({ min: 0, max: 4 * 24 * H })),
      pick: fc.nat(),
      minutes: fc.integer({ min: 0, max: 40 * 60 }),
      isDays: fc.boolean(),
    }),
    { maxLength: 30, size: 'max' },
  )
  .map((steps) => {
    let t = T0;
    const s: Record<'response' | 'resolution', Status> = { response: 'idle', resolution: 'idle' };
    const isActive = (x: Status) => x === 'running' || x === 'paused';
    const events: ClockEvent[] = [];
    steps.forEach((step, seq) => {
      t += step.gapMs;
      const options: string[] = ['note', 'target_change'];
      if (!isActive(s.response) && !isActive(s.resolution)) options.push('start');
      const canPause = (x: Status) => x === 'running' || x === 'stopped';
      if (canPause(s.response) && canPause(s.resolution) && (s.response === 'running' || s.resolution === 'running')) options.push('pause');
      const canResume = (x: Status) => x === 'paused' || x === 'stopped';
      if (canResume(s.response) && canResume(s.resolution) && (s.response === 'paused' || s.resolution === 'paused')) options.push('resume');
      if (s.response !== 'idle') options.push('stop');
      if (s.resolution !== 'idle') options.push('resolve');
      const type = options[step.pick % options.length]!;
      const e: ClockEvent = { type, at: new Date(t), seq };
      if (type === 'target_change') {
        e.durations = { [step.pick % 2 === 0 ? 'response' : 'resolution']: step.isDays ? businessDays(1 + (step.minutes % 3)) : businessMinutes(step.minutes) };
      }
      if (type === 'start') s.response = s.resolution = 'running';
      if (type === 'pause') for (const k of ['response', 'resolution'] as const) if (s[k] === 'running') s[k] = 'paused';
      if (type === 'resume') for (const k of ['response', 'resolution'] as const) if (s[k] === 'paused') s[k] = 'running';
      if (type === 'stop' && s.response !== 'stopped') s.response = 'stopped';
      if (type === 'resolve' && s.resolution !== 'stopped') s.resolution = 'stopped';
      events.push(e);
    });
    return events;
  });

function getLastAt(events: ClockEvent[]): number {
  return events.length === 0 ? T0 : events[events.length - 1]!.at.getTime();
}

describe('clock properties', () => {
  it('incremental application equals a full recompute, state and report', () => {
    fc.assert(
      fc.property(logArb, fc.integer({ min: 0, max: 3 * 24 * H }), (events, after) => {
        const asOf = new Date(getLastAt(events) + after);
        let incremental: ClockState = createClockState(generic);
        for (const e of events) {
          incremental = applyEvent(incremental, e);
          // Taking reports along the way must not disturb anything.
          computeClockReport(incremental, e.at);
        }
        const full = computeClock(events, generic);
        expect(incremental).toEqual(full);
        expect(computeClockReport(incremental, asOf)).toEqual(computeClockReport(full, asOf));
      }),
      { numRuns: 300 },
    );
  });

  it('a shuffled log, sorted, equals the sorted log', () => {
    fc.assert(
      fc.property(
        logArb.chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }))),
        ([events, shuffled]) => {
          const sorted = sortClockEvents(shuffled);
          expect(sorted).toEqual(events);
          const asOf = new Date(getLastAt(events));
          expect(computeClockReport(computeClock(sorted, generic), asOf)).toEqual(computeClockReport(computeClock(events, generic), asOf));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('running plus paused time partitions each cycle; remaining = target − elapsed', () => {
    fc.assert(
      fc.property(logArb, fc.integer({ min: 0, max: 3 * 24 * H }), (events, after) => {
        const asOf = new Date(getLastAt(events) + after);
        const r = computeClockReport(computeClock(events, generic), asOf);
        for (const target of Object.values(r.targets)) {
          for (const c of [...target.completed, ...(target.latest === null ? [] : [target.latest])]) {
            const end = c.stoppedAt ?? asOf;
            expect(c.elapsedMs + c.pausedMs).toBe(businessTimeBetween(c.startedAt, end, china));
            expect(c.remainingMs).toBe(c.targetMs - c.elapsedMs);
            // A tightened target already exceeded breaches at the change itself, which may be the end.
            if (c.isBreached) expect(c.breachedAt!.getTime()).toBeLessThanOrEqual(end.getTime());
            if (c.status === 'stopped' && c.dueAt !== null) expect(c.isBreached).toBe(c.stoppedAt!.getTime() > c.dueAt.getTime() || c.breachedAt !== null);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
