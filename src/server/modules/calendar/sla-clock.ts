/**
 * Clocks computed from an event log: service SLAs (first reply, resolution), delivery response
 * targets. A clock has several named targets; each target's rule says which event types start,
 * stop, pause, resume and re-target it, so one log ("created", "agent_replied",
 * "waiting_on_customer", …) drives every target with its own semantics.
 *
 * Time is business time throughout (clock.ts): a pause over a weekend removes no working time, and
 * a due instant moves by exactly the working time spent paused.
 *
 * Two ways to the same state: `computeClock(events, policy)` replays a full, ordered log;
 * `applyEvent(state, event)` advances a stored state by one event without touching the old one.
 * They share one transition function, so replaying always equals applying one by one. An event
 * arriving late (earlier than the last one applied) is refused by applyEvent; the caller inserts it
 * into the log (sortClockEvents) and replays. Reports are taken as of an instant the caller
 * passes: nothing here reads the wall clock.
 *
 * Semantics, per target:
 * - start begins a cycle (a new one after a stop, e.g. a reopened ticket) with the full target;
 *   start while running or paused is an error.
 * - pause/resume: pause without a start, pause while paused, resume while not paused are errors;
 *   after a stop they are ignored (agents keep replying after the first reply was measured).
 * - stop ends the cycle; stop before any start is an error; a second stop is ignored.
 * - target_change sets the target in force (current and later cycles). Elapsed and paused time
 *   already accrued stay. A business-days target is always counted from the cycle's start.
 * - breach: a target is breached when it is running at an instant strictly after its due instant;
 *   breachedAt is that due instant. A tightened target already exceeded breaches at the change.
 *   Breaches are history: a later, looser target does not undo one.
 * - due: the instant the remaining working time runs out if the clock keeps running; null while
 *   paused (it depends on when work resumes).
 */
import type { Calendar } from './calendar.ts';
import { ClockEventError, BusinessTimeError } from './business-time-error.ts';
import {
  assertBusinessDuration,
  assertInstant,
  getCompiledCalendar,
  type BusinessDuration,
  type CompiledCalendar,
} from './clock.ts';

export type ClockAction = 'start' | 'stop' | 'pause' | 'resume' | 'retarget';

/** A metric definition: one named target and the event types that drive it. */
export interface ClockTargetRule {
  name: string;
  duration: BusinessDuration;
  /** Event types that start a cycle; default ['start']. */
  startOn?: readonly string[];
  /** default ['stop'] */
  stopOn?: readonly string[];
  /** default ['pause'] */
  pauseOn?: readonly string[];
  /** default ['resume'] */
  resumeOn?: readonly string[];
  /** Event types whose `durations` may change this target; default ['target_change']. */
  retargetOn?: readonly string[];
}

export interface ClockPolicy {
  id: string;
  version: number;
  calendar: Calendar;
  targets: readonly ClockTargetRule[];
}

export interface ClockEvent {
  type: string;
  at: Date;
  /** Ingestion order, breaking ties between events at the same instant. */
  seq?: number;
  /**
   * New targets by target name (e.g. on a priority change). Applied to a target only when its rule
   * lists this event type in retargetOn; naming a target the policy lacks is an error.
   */
  durations?: Readonly<Record<string, BusinessDuration>>;
}

export type TargetStatus = 'idle' | 'running' | 'paused' | 'stopped';

/** The figures of one cycle of one target (start to stop), as of a report instant or its stop. */
export interface CycleResult {
  target: string;
  /** 0 for the first cycle, 1 after the first restart… */
  cycle: number;
  status: Exclude<TargetStatus, 'idle'>;
  startedAt: Date;
  stoppedAt: Date | null;
  /** The target in force (after any re-targeting). */
  duration: BusinessDuration;
  /** The target as working ms (business days converted from the cycle's start). */
  targetMs: number;
  /** Working ms the clock ran, pauses excluded. */
  elapsedMs: number;
  /** targetMs − elapsedMs; negative when over target. */
  remainingMs: number;
  /** Working ms spent paused (time paused outside working hours counts nothing). */
  pausedMs: number;
  dueAt: Date | null;
  isBreached: boolean;
  breachedAt: Date | null;
  /** What computed these figures: a frozen result keeps naming them after calendar edits. */
  calendar: { id: string; version: number };
  policy: { id: string; version: number };
  isFrozen: boolean;
}

export interface TargetReport {
  target: string;
  status: TargetStatus;
  /** The latest cycle: running, paused or the last completed one; null before the first start. */
  latest: CycleResult | null;
  /** Completed cycles, oldest first (frozen ones exactly as they were frozen). */
  completed: readonly CycleResult[];
}

export interface ClockReport {
  asOf: Date;
  targets: Record<string, TargetReport>;
}

/** Per-target state between events. Instants are epoch ms so a state is cheap to copy and store. */
export interface TargetState {
  readonly name: string;
  readonly status: TargetStatus;
  readonly duration: BusinessDuration;
  readonly cycle: number;
  readonly startedAt: number | null;
  /** Start of the current segment: running since, or paused since. */
  readonly markAt: number | null;
  readonly targetMs: number;
  /** Working ms run in this cycle up to markAt (the total, once paused or stopped). */
  readonly elapsedMs: number;
  /** Working ms paused in this cycle up to markAt. */
  readonly pausedMs: number;
  readonly breachedAt: number | null;
  readonly stoppedAt: number | null;
  readonly completed: readonly CycleResult[];
}

export interface ClockState {
  readonly policy: ClockPolicy;
  readonly frozenCycles: readonly CycleResult[];
  readonly eventCount: number;
  readonly lastEventAt: number | null;
  readonly lastEventSeq: number | null;
  /** In the policy's target order. */
  readonly targets: readonly TargetState[];
}

export interface ClockOptions {
  /** Completed cycles frozen earlier (freezeCycle); replay uses them instead of recomputing. */
  frozenCycles?: readonly CycleResult[];
}

// ---------------------------------------------------------------------------------------------
// Policy compilation
// ---------------------------------------------------------------------------------------------

interface CompiledPolicy {
  calendar: CompiledCalendar;
  /** event type → [target index, action] pairs */
  actions: Map<string, [number, ClockAction][]>;
  indexByName: Map<string, number>;
}

const compiledPolicies = new WeakMap<ClockPolicy, CompiledPolicy>();

function compilePolicy(policy: ClockPolicy): CompiledPolicy {
  const calendar = getCompiledCalendar(policy.calendar);
  const hit = compiledPolicies.get(policy);
  // A recompiled calendar (new version) invalidates the policy's compiled form too.
  if (hit !== undefined && hit.calendar === calendar) return hit;
  if (typeof policy.id !== 'string' || policy.id.length === 0 || !Number.isInteger(policy.version) || policy.version < 1) {
    throw new BusinessTimeError('calendar.invalid_policy', 'a clock policy needs an id and a positive integer version', 'policy');
  }
  const actions = new Map<string, [number, ClockAction][]>();
  const indexByName = new Map<string, number>();
  policy.targets.forEach((rule, index) => {
    const path = `targets[${index}]`;
    if (typeof rule.name !== 'string' || rule.name.length === 0) {
      throw new BusinessTimeError('calendar.invalid_policy', 'a target needs a name', `${path}.name`);
    }
    if (indexByName.has(rule.name)) throw new BusinessTimeError('calendar.invalid_policy', `target ${rule.name} is defined twice`, `${path}.name`);
    indexByName.set(rule.name, index);
    assertBusinessDuration(rule.duration, `${path}.duration`);
    const seen = new Set<string>();
    const lists: [ClockAction, readonly string[]][] = [
      ['start', rule.startOn ?? ['start']],
      ['stop', rule.stopOn ?? ['stop']],
      ['pause', rule.pauseOn ?? ['pause']],
      ['resume', rule.resumeOn ?? ['resume']],
      ['retarget', rule.retargetOn ?? ['target_change']],
    ];
    for (const [action, types] of lists) {
      for (const type of types) {
        if (seen.has(type)) {
          throw new BusinessTimeError('calendar.invalid_policy', `event type ${type} drives target ${rule.name} in two ways`, path);
        }
        seen.add(type);
        let list = actions.get(type);
        if (list === undefined) {
          list = [];
          actions.set(type, list);
        }
        list.push([index, action]);
      }
    }
  });
  const compiled = { calendar, actions, indexByName };
  compiledPolicies.set(policy, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// The transition function, shared by replay and incremental application.
// ---------------------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableTarget = Mutable<TargetState>;

interface TransitionContext {
  policy: ClockPolicy;
  compiled: CompiledPolicy;
  frozenCycles: readonly CycleResult[];
}

function createTargetStates(policy: ClockPolicy): TargetState[] {
  return policy.targets.map((rule) => ({
    name: rule.name,
    status: 'idle',
    duration: rule.duration,
    cycle: -1,
    startedAt: null,
    markAt: null,
    targetMs: 0,
    elapsedMs: 0,
    pausedMs: 0,
    breachedAt: null,
    stoppedAt: null,
    completed: [],
  }));
}

/** The due instant of the running segment: when its remaining working time runs out. */
function getSegmentDue(calendar: CompiledCalendar, t: TargetState): number {
  const remaining = t.targetMs - t.elapsedMs;
  return remaining <= 0 ? t.markAt! : calendar.addWorkingMs(t.markAt!, remaining);
}

/** Runs a running target forward to q; records a breach the run crossed. */
function advanceRunning(calendar: CompiledCalendar, t: MutableTarget, q: number): void {
  const elapsed = t.elapsedMs + calendar.getWorkingMsBetween(t.markAt!, q);
  if (t.breachedAt === null && elapsed >= t.targetMs) {
    const due = getSegmentDue(calendar, t);
    if (q > due) t.breachedAt = due;
  }
  t.elapsedMs = elapsed;
  t.markAt = q;
}

function advancePaused(calendar: CompiledCalendar, t: MutableTarget, q: number): void {
  t.pausedMs += calendar.getWorkingMsBetween(t.markAt!, q);
  t.markAt = q;
}

function buildCycleResult(
  ctx: TransitionContext,
  t: TargetState,
  status: CycleResult['status'],
  figures: { elapsedMs: number; pausedMs: number; dueAt: number | null; breachedAt: number | null },
): CycleResult {
  return {
    target: t.name,
    cycle: t.cycle,
    status,
    startedAt: new Date(t.startedAt!),
    stoppedAt: t.stoppedAt === null ? null : new Date(t.stoppedAt),
    duration: t.duration,
    targetMs: t.targetMs,
    elapsedMs: figures.elapsedMs,
    remainingMs: t.targetMs - figures.elapsedMs,
    pausedMs: figures.pausedMs,
    dueAt: figures.dueAt === null ? null : new Date(figures.dueAt),
    isBreached: figures.breachedAt !== null,
    breachedAt: figures.breachedAt === null ? null : new Date(figures.breachedAt),
    calendar: { id: ctx.compiled.calendar.calendarId, version: ctx.compiled.calendar.version },
    policy: { id: ctx.policy.id, version: ctx.policy.version },
    isFrozen: false,
  };
}

function completeCycle(ctx: TransitionContext, t: MutableTarget, dueAt: number | null, eventIndex: number): void {
  const computed = buildCycleResult(ctx, t, 'stopped', { elapsedMs: t.elapsedMs, pausedMs: t.pausedMs, dueAt, breachedAt: t.breachedAt });
  const frozen = ctx.frozenCycles.find((c) => c.target === t.name && c.cycle === t.cycle);
  if (frozen === undefined) {
    t.completed = [...t.completed, computed];
    return;
  }
  // A frozen cycle may be replayed with another calendar version, never with another log.
  if (
    frozen.policy.id !== ctx.policy.id ||
    frozen.startedAt.getTime() !== t.startedAt ||
    frozen.stoppedAt === null ||
    frozen.stoppedAt.getTime() !== t.stoppedAt
  ) {
    throw new ClockEventError(
      'calendar.frozen_cycle_mismatch',
      `the log no longer matches frozen cycle ${t.cycle} of target ${t.name}; unfreeze it to recompute`,
      getEventPath(eventIndex),
    );
  }
  t.completed = [...t.completed, frozen];
}

// Paths are built only when an error is thrown: replays handle millions of events.
function getEventPath(eventIndex: number, field = ''): string {
  return `events[${eventIndex}]${field}`;
}

function assertEvent(event: ClockEvent, eventIndex: number): number {
  if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
    throw new ClockEventError('calendar.invalid_instant', 'an event needs a type and an instant', getEventPath(eventIndex));
  }
  const q = event.at instanceof Date ? event.at.getTime() : Number.NaN;
  return Number.isNaN(q) ? assertInstant(event.at, getEventPath(eventIndex, '.at')) : q;
}

/** Applies one event to mutable target states (the caller decides whether they are copies). */
function transition(ctx: TransitionContext, targets: MutableTarget[], event: ClockEvent, q: number, eventIndex: number): void {
  const calendar = ctx.compiled.calendar;
  if (event.durations !== undefined) {
    for (const [name, duration] of Object.entries(event.durations)) {
      if (!ctx.compiled.indexByName.has(name)) {
        throw new ClockEventError('calendar.unknown_target', `event re-targets unknown target ${name}`, getEventPath(eventIndex, `.durations.${name}`));
      }
      assertBusinessDuration(duration, getEventPath(eventIndex, `.durations.${name}`));
    }
  }
  const actions = ctx.compiled.actions.get(event.type);
  if (actions === undefined) return;
  for (const [index, action] of actions) {
    const t = targets[index]!;
    switch (action) {
      case 'start': {
        if (t.status === 'running' || t.status === 'paused') {
          throw new ClockEventError('calendar.start_while_running', `target ${t.name} is already ${t.status}`, getEventPath(eventIndex));
        }
        t.status = 'running';
        t.cycle += 1;
        t.startedAt = q;
        t.markAt = q;
        t.elapsedMs = 0;
        t.pausedMs = 0;
        t.breachedAt = null;
        t.stoppedAt = null;
        t.targetMs = calendar.getDurationMs(q, t.duration);
        break;
      }
      case 'pause': {
        if (t.status === 'idle') throw new ClockEventError('calendar.pause_without_start', `target ${t.name} was never started`, getEventPath(eventIndex));
        if (t.status === 'paused') throw new ClockEventError('calendar.pause_while_paused', `target ${t.name} is already paused`, getEventPath(eventIndex));
        if (t.status === 'stopped') break;
        advanceRunning(calendar, t, q);
        t.status = 'paused';
        break;
      }
      case 'resume': {
        if (t.status === 'stopped') break;
        if (t.status !== 'paused') throw new ClockEventError('calendar.resume_without_pause', `target ${t.name} is ${t.status}, not paused`, getEventPath(eventIndex));
        advancePaused(calendar, t, q);
        t.status = 'running';
        break;
      }
      case 'stop': {
        if (t.status === 'idle') throw new ClockEventError('calendar.stop_without_start', `target ${t.name} was never started`, getEventPath(eventIndex));
        if (t.status === 'stopped') break;
        let dueAt: number | null = null;
        if (t.status === 'running') {
          advanceRunning(calendar, t, q);
          dueAt = getSegmentDue(calendar, t);
        } else {
          advancePaused(calendar, t, q);
        }
        t.status = 'stopped';
        t.stoppedAt = q;
        completeCycle(ctx, t, dueAt, eventIndex);
        break;
      }
      case 'retarget': {
        const duration = event.durations?.[t.name];
        if (duration === undefined) break;
        t.duration = duration;
        if (t.status === 'running') advanceRunning(calendar, t, q);
        else if (t.status === 'paused') advancePaused(calendar, t, q);
        else break;
        t.targetMs = calendar.getDurationMs(t.startedAt!, duration);
        // Over a tightened target already: breached now, not retroactively under the old rules.
        if (t.breachedAt === null && t.elapsedMs > t.targetMs) t.breachedAt = q;
        break;
      }
    }
  }
}

function assertOrder(lastAt: number | null, lastSeq: number | null, q: number, seq: number | undefined, eventIndex: number): void {
  if (lastAt === null) return;
  const isEarlier = q < lastAt || (q === lastAt && seq !== undefined && lastSeq !== null && seq < lastSeq);
  if (isEarlier) {
    throw new ClockEventError(
      'calendar.event_order',
      `event at ${new Date(q).toISOString()} is earlier than the last one applied (${new Date(lastAt).toISOString()}); insert it into the log and recompute`,
      getEventPath(eventIndex, '.at'),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export function createClockState(policy: ClockPolicy, options: ClockOptions = {}): ClockState {
  compilePolicy(policy);
  return {
    policy,
    frozenCycles: options.frozenCycles ?? [],
    eventCount: 0,
    lastEventAt: null,
    lastEventSeq: null,
    targets: createTargetStates(policy),
  };
}

/** The state after one more event. The given state is left untouched. */
export function applyEvent(state: ClockState, event: ClockEvent): ClockState {
  const eventIndex = state.eventCount;
  const q = assertEvent(event, eventIndex);
  assertOrder(state.lastEventAt, state.lastEventSeq, q, event.seq, eventIndex);
  const compiled = compilePolicy(state.policy);
  const ctx: TransitionContext = { policy: state.policy, compiled, frozenCycles: state.frozenCycles };
  // Copy only the targets this event can change; the others are shared with the old state, which
  // is safe because states are never mutated once returned.
  const targets = state.targets.slice() as MutableTarget[];
  for (const [index] of compiled.actions.get(event.type) ?? []) {
    if (targets[index] === state.targets[index]) targets[index] = { ...state.targets[index]! };
  }
  transition(ctx, targets, event, q, eventIndex);
  return {
    policy: state.policy,
    frozenCycles: state.frozenCycles,
    eventCount: state.eventCount + 1,
    lastEventAt: q,
    lastEventSeq: event.seq ?? null,
    targets,
  };
}

/** Replays a whole log, which must be ordered by instant (then seq); see sortClockEvents. */
export function computeClock(events: readonly ClockEvent[], policy: ClockPolicy, options: ClockOptions = {}): ClockState {
  const ctx: TransitionContext = { policy, compiled: compilePolicy(policy), frozenCycles: options.frozenCycles ?? [] };
  const targets: MutableTarget[] = createTargetStates(policy);
  let lastAt: number | null = null;
  let lastSeq: number | null = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const q = assertEvent(event, i);
    assertOrder(lastAt, lastSeq, q, event.seq, i);
    transition(ctx, targets, event, q, i);
    lastAt = q;
    lastSeq = event.seq ?? null;
  }
  return { policy, frozenCycles: ctx.frozenCycles, eventCount: events.length, lastEventAt: lastAt, lastEventSeq: lastSeq, targets };
}

/**
 * Orders a log by instant, then seq. At one instant, events without seq come after those with one
 * and keep their relative order (the sort is stable), so the order is total and deterministic.
 */
export function sortClockEvents(events: readonly ClockEvent[]): ClockEvent[] {
  return events
    .map((event, index) => ({ event, index, at: event.at.getTime(), seq: event.seq ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.at - b.at || (a.seq === b.seq ? a.index - b.index : a.seq - b.seq))
    .map((x) => x.event);
}

/** A copy of a completed cycle marked frozen: replays with `frozenCycles` return it verbatim. */
export function freezeCycle(cycle: CycleResult): CycleResult {
  if (cycle.status !== 'stopped') {
    throw new BusinessTimeError('calendar.frozen_cycle_mismatch', `only a completed cycle can be frozen (cycle ${cycle.cycle} of ${cycle.target} is ${cycle.status})`);
  }
  return Object.freeze({
    ...cycle,
    startedAt: new Date(cycle.startedAt.getTime()),
    stoppedAt: new Date(cycle.stoppedAt!.getTime()),
    dueAt: cycle.dueAt === null ? null : new Date(cycle.dueAt.getTime()),
    breachedAt: cycle.breachedAt === null ? null : new Date(cycle.breachedAt.getTime()),
    duration: Object.freeze({ ...cycle.duration }),
    calendar: Object.freeze({ ...cycle.calendar }),
    policy: Object.freeze({ ...cycle.policy }),
    isFrozen: true,
  });
}

/** Every target's figures as of `asOf`, which must not be before the last event applied. */
export function computeClockReport(state: ClockState, asOf: Date): ClockReport {
  const asOfMs = assertInstant(asOf, 'asOf');
  if (state.lastEventAt !== null && asOfMs < state.lastEventAt) {
    throw new ClockEventError('calendar.event_order', 'a report cannot be taken before the last event applied', 'asOf');
  }
  const compiled = compilePolicy(state.policy);
  const calendar = compiled.calendar;
  const ctx: TransitionContext = { policy: state.policy, compiled, frozenCycles: state.frozenCycles };
  const targets: Record<string, TargetReport> = {};
  for (const t of state.targets) {
    let latest: CycleResult | null = null;
    if (t.status === 'running') {
      const elapsedMs = t.elapsedMs + calendar.getWorkingMsBetween(t.markAt!, asOfMs);
      const dueAt = getSegmentDue(calendar, t);
      const breachedAt = t.breachedAt ?? (elapsedMs >= t.targetMs && asOfMs > dueAt ? dueAt : null);
      latest = buildCycleResult(ctx, t, 'running', { elapsedMs, pausedMs: t.pausedMs, dueAt, breachedAt });
    } else if (t.status === 'paused') {
      const pausedMs = t.pausedMs + calendar.getWorkingMsBetween(t.markAt!, asOfMs);
      latest = buildCycleResult(ctx, t, 'paused', { elapsedMs: t.elapsedMs, pausedMs, dueAt: null, breachedAt: t.breachedAt });
    } else if (t.status === 'stopped') {
      latest = t.completed[t.completed.length - 1] ?? null;
    }
    targets[t.name] = { target: t.name, status: t.status, latest, completed: t.completed };
  }
  return { asOf: new Date(asOfMs), targets };
}
