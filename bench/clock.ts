/**
 * Business-time engine, in process: recomputing SLA clocks from their event logs, and raw
 * addBusinessTime / businessTimeBetween throughput. No database.
 *
 * Data: the China office calendar (2026 official schedule, 09:00–12:00 + 13:30–18:00); its compiled
 * tables cover 2026–2027, where every clock lives. 100,000 clocks (10,000 at small scale) of 10
 * events each, two targets (first reply 2h; resolution 8h, re-targeted, paused twice, resolved,
 * reopened). Logs are generated up front from a fixed seed so only the engine is timed.
 */
import { createChinaCalendar } from '../src/server/modules/calendar/china-holidays.ts';
import {
  addBusinessTime,
  businessDays,
  businessHours,
  businessMinutes,
  businessTimeBetween,
  getCompiledCalendar,
  type BusinessDuration,
} from '../src/server/modules/calendar/clock.ts';
import {
  applyEvent,
  computeClock,
  computeClockReport,
  createClockState,
  type ClockEvent,
  type ClockPolicy,
} from '../src/server/modules/calendar/sla-clock.ts';
import { percentiles, type BenchContext, type BenchResult } from './harness.ts';
import { createSeededRandom } from '../src/shared/seeded-random.ts';

/** No database: the engine is pure. */
export const databases = ['in-process'] as const;

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Seeded, so every run measures the same logs. */
const createRandom = createSeededRandom;

function createLogs(count: number, random: () => number): ClockEvent[][] {
  const from = Date.parse('2026-01-05T00:00:00+08:00');
  const span = Date.parse('2027-10-01T00:00:00+08:00') - from;
  const retargets: BusinessDuration[] = [businessHours(4), businessHours(16), businessDays(2)];
  const logs: ClockEvent[][] = [];
  for (let i = 0; i < count; i++) {
    let t = from + Math.floor(random() * span);
    const next = (maxMs: number) => (t += Math.floor(random() * maxMs));
    logs.push([
      { type: 'created', at: new Date(t) },
      { type: 'agent_replied', at: new Date(next(4 * HOUR)) },
      { type: 'waiting_on_customer', at: new Date(next(6 * HOUR)) },
      { type: 'customer_replied', at: new Date(next(3 * DAY)) },
      { type: 'priority_changed', at: new Date(next(8 * HOUR)), durations: { resolution: retargets[i % retargets.length]! } },
      { type: 'waiting_on_customer', at: new Date(next(1 * DAY)) },
      { type: 'customer_replied', at: new Date(next(2 * DAY)) },
      { type: 'note_added', at: new Date(next(4 * HOUR)) },
      { type: 'resolved', at: new Date(next(2 * DAY)) },
      { type: 'reopened', at: new Date(next(5 * DAY)) },
    ]);
  }
  return logs;
}

export default async function clockBenchmark(ctx: BenchContext): Promise<BenchResult> {
  const factor = ctx.scale === 'small' ? 10 : 1;
  const clockCount = 100_000 / factor;
  const addCalls = 1_000_000 / factor;
  const random = createRandom(20260101);

  // Compile cost, cold: a calendar id the cache has never seen.
  const compileStart = performance.now();
  const calendar = createChinaCalendar({ id: `bench-${Math.floor(random() * 1e9)}`, name: 'China office (bench)' });
  const compiled = getCompiledCalendar(calendar);
  const compileMs = performance.now() - compileStart;

  const policy: ClockPolicy = {
    id: 'bench-desk',
    version: 1,
    calendar,
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

  // --- recompute: full replay + report of every clock -----------------------------------------
  const logs = createLogs(clockCount, random);
  const asOfs = logs.map((log) => new Date(log[log.length - 1]!.at.getTime() + HOUR));
  let sink = 0;
  for (let i = 0; i < Math.min(5_000, clockCount); i++) {
    sink += computeClockReport(computeClock(logs[i]!, policy), asOfs[i]!).targets.resolution!.latest!.elapsedMs; // warm-up (JIT)
  }
  const recomputeStart = performance.now();
  for (let i = 0; i < clockCount; i++) {
    const report = computeClockReport(computeClock(logs[i]!, policy), asOfs[i]!);
    sink += report.targets.resolution!.latest!.elapsedMs;
  }
  const recomputeS = (performance.now() - recomputeStart) / 1000;
  // Per-clock latency in a second pass, so the timer calls do not inflate the total above.
  const perClockMs: number[] = [];
  for (let i = 0; i < clockCount; i++) {
    const s = performance.now();
    sink += computeClockReport(computeClock(logs[i]!, policy), asOfs[i]!).targets.first_reply!.latest!.elapsedMs;
    perClockMs.push(performance.now() - s);
  }

  // Incremental: the same logs applied one event at a time (each step copies what it changes).
  const applyAll = (i: number) => {
    let state = createClockState(policy);
    for (const event of logs[i]!) state = applyEvent(state, event);
    return computeClockReport(state, asOfs[i]!).targets.resolution!.latest!.elapsedMs;
  };
  for (let i = 0; i < Math.min(5_000, clockCount); i++) sink += applyAll(i); // warm-up (JIT)
  const incrementalStart = performance.now();
  for (let i = 0; i < clockCount; i++) sink += applyAll(i);
  const incrementalS = (performance.now() - incrementalStart) / 1000;

  // --- addBusinessTime: durations under a working week ------------------------------------------
  const yearStart = Date.parse('2026-01-01T00:00:00+08:00');
  const starts: Date[] = [];
  const durations: BusinessDuration[] = [];
  for (let i = 0; i < addCalls; i++) {
    starts.push(new Date(yearStart + Math.floor(random() * 365 * DAY)));
    const kind = random();
    durations.push(
      kind < 0.45
        ? businessMinutes(1 + Math.floor(random() * 5 * 450)) // up to 5 working days of 7.5h
        : kind < 0.9
          ? businessHours(1 + Math.floor(random() * 37))
          : businessDays(1 + Math.floor(random() * 4)),
    );
  }
  for (let i = 0; i < Math.min(50_000, addCalls); i++) sink += addBusinessTime(starts[i]!, durations[i]!, calendar).getTime() % 7;
  const addStart = performance.now();
  for (let i = 0; i < addCalls; i++) sink += addBusinessTime(starts[i]!, durations[i]!, calendar).getTime() % 7;
  const addS = (performance.now() - addStart) / 1000;

  const ends = starts.map((s, i) => new Date(s.getTime() + ((i * 7919) % (7 * DAY))));
  for (let i = 0; i < Math.min(50_000, addCalls); i++) sink += businessTimeBetween(starts[i]!, ends[i]!, calendar) % 7;
  const betweenStart = performance.now();
  for (let i = 0; i < addCalls; i++) sink += businessTimeBetween(starts[i]!, ends[i]!, calendar) % 7;
  const betweenS = (performance.now() - betweenStart) / 1000;

  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the measured calls from being optimised away');

  const clocksPerS = Math.round(clockCount / recomputeS);
  const opsPerS = Math.round(addCalls / addS);
  const covered = compiled.getCoveredRange();
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    database: 'in process',
    data: {
      clocks: clockCount,
      events_per_clock: 10,
      events: clockCount * 10,
      targets_per_clock: 2,
      calendar_days: Math.round((covered.toMs - covered.fromMs) / DAY),
      calendar_intervals: covered.intervalCount,
      add_calls: addCalls,
      between_calls: addCalls,
    },
    metrics: {
      recompute_s: round3(recomputeS),
      clocks_per_s: clocksPerS,
      events_per_s: Math.round((clockCount * 10) / recomputeS),
      ops_per_s: opsPerS,
      between_ops_per_s: Math.round(addCalls / betweenS),
      compile_ms: round3(compileMs),
    },
    cases: {
      recompute_per_clock: { metrics: percentiles(perClockMs) },
      incremental_apply_event: { metrics: { recompute_s: round3(incrementalS), clocks_per_s: Math.round(clockCount / incrementalS) } },
      add_business_time: { metrics: { ops_per_s: opsPerS, ns_per_op: Math.round((addS * 1e9) / addCalls) } },
      business_time_between: { metrics: { ops_per_s: Math.round(addCalls / betweenS), ns_per_op: Math.round((betweenS * 1e9) / addCalls) } },
    },
    targets: {
      recompute: {
        // 100,000 clocks in under a second is 100,000 clocks/s; the rate is what a small run can check.
        target: 'recompute_s < 1 for 100,000 clocks of 10 events (clocks_per_s ≥ 100,000)',
        met: clocksPerS >= 100_000 && (ctx.scale === 'small' || recomputeS < 1),
      },
      add_business_time: { target: 'ops_per_s ≥ 500,000 (addBusinessTime, durations under a working week)', met: opsPerS >= 500_000 },
    },
  };
}

