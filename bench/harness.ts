/**
 * The shape every benchmark follows (see docs/benchmarks.md). A benchmark is a module under bench/
 * whose default export takes a BenchContext and returns a BenchResult; bench/run.ts adds the
 * name, date and machine, prints a table and writes bench/results/<name>.json.
 */
export type BenchScale = 'small' | 'full';
export type BenchDb = 'pglite' | 'pg';

export interface BenchContext {
  scale: BenchScale;
  db: BenchDb;
  /** postgres://… base URL of the local server (benchmarks create and drop a database of their own). */
  pgUrl: string;
}

export type Metrics = Record<string, number>;

export interface BenchTarget {
  /** e.g. "p95_ms < 10" */
  target: string;
  met: boolean;
}

export interface BenchResult {
  /** "postgresql 15", "pglite", or "in process" */
  database: string;
  /** rows per table, rules, people… the data the figures were measured on */
  data: Record<string, number>;
  metrics?: Metrics;
  cases?: Record<string, { metrics: Metrics }>;
  targets?: Record<string, BenchTarget>;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchResult>;

/** Latency percentiles of a list of durations in milliseconds. */
export function percentiles(samplesMs: number[]): { p50_ms: number; p95_ms: number; p99_ms: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50_ms: r(at(0.5)), p95_ms: r(at(0.95)), p99_ms: r(at(0.99)) };
}

/** The median of a list of numbers (0 for an empty list). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
