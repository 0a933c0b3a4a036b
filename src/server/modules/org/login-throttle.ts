/**
 * Login rate limiting: at most `maxFailures` failed attempts per key (email + client address) in
 * a sliding window; then the key waits until the oldest failure leaves the window. In memory,
 * per process: enough for one server; behind several, put the same rule in front (or in Redis).
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait before another attempt is allowed, 0 when allowed now. */
  retryAfterSeconds(key: string, nowMs: number): number {
    const list = this.prune(key, nowMs);
    if (list.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - nowMs) / 1000));
  }

  recordFailure(key: string, nowMs: number): void {
    const list = this.prune(key, nowMs);
    list.push(nowMs);
    this.failures.set(key, list);
    if (this.failures.size > 100_000) this.sweep(nowMs);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private prune(key: string, nowMs: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private sweep(nowMs: number): void {
    for (const key of [...this.failures.keys()]) this.prune(key, nowMs);
  }
}
