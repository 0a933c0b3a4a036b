import { type Metrics, median, percentiles } from './harness.ts';

/**
 * Round-robin measurement, shared by HTTP (http-bench.ts) and in-process (measureOps) benchmarks:
 * each case is warmed up once, then the cases take turns for a number of rounds (the order
 * rotating), so that a burst of other load on the shared machine hits every case and not one.
 */

export interface CaseMeasurement {
  /** The rate of each round, in order. */
  rounds: number[];
  /** The median rate over the rounds. */
  rate: number;
  /** p50/p95/p99 over every operation of every round. */
  latency: { p50_ms: number; p95_ms: number; p99_ms: number };
}

export interface RoundSettings {
  /** Measured seconds per case per round. */
  durationS: number;
  /** Unrecorded seconds per case before the first round. */
  warmupS: number;
  rounds: number;
}

export interface RunReport {
  /** Operations (or requests) per second of this run. */
  rate: number;
  samplesMs: ArrayLike<number>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function runRounds<K extends string>(
  names: readonly K[],
  settings: RoundSettings,
  run: (name: K, durationS: number, warmup: boolean) => Promise<RunReport>,
): Promise<Record<K, CaseMeasurement>> {
  if (settings.warmupS > 0) for (const name of names) await run(name, settings.warmupS, true);
  const rates = new Map<K, number[]>(names.map((n) => [n, []]));
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      const r = await run(name, settings.durationS, false);
      rates.get(name)!.push(round1(r.rate));
      const all = samples.get(name)!;
      for (let i = 0; i < r.samplesMs.length; i++) all.push(r.samplesMs[i]!);
    }
  }
  if (settings.rounds > 1) {
    console.log(`rounds (per second): ${names.map((n) => `${n} ${rates.get(n)!.join(' / ')}`).join('; ')}`);
  }
  const out = {} as Record<K, CaseMeasurement>;
  for (const name of names) {
    const perRound = rates.get(name)!;
    out[name] = { rounds: perRound, rate: round1(median(perRound)), latency: percentiles(samples.get(name)!) };
  }
  return out;
}

/** a / b taken round by round (each pair measured close together in time), then the median. */
export function ratioByRound(a: CaseMeasurement, b: CaseMeasurement): number {
  return Math.round(median(a.rounds.map((x, i) => x / b.rounds[i]!)) * 1000) / 1000;
}

/**
 * In-process operations, one at a time: `ops_per_s` (median of the rounds) and the latency of one
 * operation. For database lookups this is the latency-bound rate of one caller.
 */
export async function measureOps<K extends string>(
  cases: Record<K, () => Promise<unknown>>,
  settings: RoundSettings,
): Promise<Record<K, CaseMeasurement & { metrics: Metrics }>> {
  const names = Object.keys(cases) as K[];
  const measured = await runRounds(names, settings, async (name, durationS, warmup) => {
    const op = cases[name];
    const samplesMs: number[] = [];
    const started = performance.now();
    const until = started + durationS * 1000;
    let n = 0;
    let now = started;
    while (now < until) {
      const t = now;
      await op();
      now = performance.now();
      if (!warmup) samplesMs.push(now - t);
      n++;
    }
    return { rate: n / ((now - started) / 1000), samplesMs };
  });
  const out = {} as Record<K, CaseMeasurement & { metrics: Metrics }>;
  for (const name of names) {
    const m = measured[name];
    out[name] = { ...m, metrics: { ops_per_s: m.rate, ...m.latency } };
  }
  return out;
}
