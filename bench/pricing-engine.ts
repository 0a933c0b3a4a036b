import { percentiles, type BenchContext, type BenchResult } from './harness.ts';
import { Dec } from '../src/shared/money.ts';
import { analyzeRules } from '../src/server/modules/pricing/analyze.ts';
import { CelCustomer, CelLine, CelOpportunity, CelProduct, CelQuote, compileCondition, evaluateConditionPart } from '../src/server/modules/pricing/cel-context.ts';
import { createCatalogIndex } from '../src/server/modules/pricing/catalog.ts';
import { compileRules } from '../src/server/modules/pricing/compile.ts';
import { computeQuotePricing } from '../src/server/modules/pricing/engine.ts';
import { createPricingFixture, createQuoteRequest, createRandom, FULL_SIZE, SMALL_SIZE } from '../src/server/modules/pricing/pricing-fixtures.ts';
import type { PricingRequest } from '../src/server/modules/pricing/pricing-types.ts';

/**
 * The pricing engine in process, explanations included: 20 000 rules over 5 000 products in a
 * group tree and 1 000 customer groups (10× smaller with scale "small"). Throughput is lines priced
 * per second over many distinct quotes; latency is per 200-line quote.
 */

/** Pure computation: no database. */
export const databases = ['in-process'] as const;

/**
 * Lines priced per second of wall time, and per second of this process's CPU time (all its threads,
 * GC helpers included): on a shared machine the second shows what the engine costs, the first what a
 * caller waited.
 */
function measureThroughput(
  run: (request: PricingRequest) => void,
  requests: PricingRequest[],
  minMs: number,
): { prices_per_s: number; prices_per_cpu_s: number } {
  let lines = 0;
  let i = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || i < requests.length) {
    const request = requests[i % requests.length]!;
    run(request);
    lines += request.lines.length;
    i++;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { prices_per_s: Math.round((lines / elapsed) * 1000), prices_per_cpu_s: Math.round((lines / cpuMs) * 1000) };
}

/**
 * What the machine does per primitive, measured in the same run: the engine's cost is mostly
 * Decimal operations and CEL evaluations, so these put the throughput figures in proportion.
 */
function measurePrimitives(): { decimal_times_ns: number; decimal_plus_ns: number; cel_eval_ns: number } {
  const a = new Dec('1234.5678');
  const b = new Dec('0.85');
  const n = 200_000;
  let sink = 0;
  let t = performance.now();
  for (let i = 0; i < n; i++) sink += a.times(b).e;
  const times = ((performance.now() - t) / n) * 1e6;
  t = performance.now();
  for (let i = 0; i < n; i++) sink += a.plus(b).e;
  const plus = ((performance.now() - t) / n) * 1e6;
  const compiled = compileCondition('customer.region == "east" && line.quantity >= 10');
  if (!compiled.ok || !compiled.condition.linePart) throw new Error('calibration condition did not compile');
  const program = compiled.condition.linePart;
  const activation = {
    customer: new CelCustomer('A', 'g', ['g'], 'smb', 'east', {}),
    opportunity: new CelOpportunity('', '', '', '', {}),
    quote: new CelQuote('', '2025-01-01', 0n, 'CNY', new Map(), new Map(), 1n),
    line: new CelLine(12n, 0n, new CelProduct('P', 'S', 'g', ['g'], 'goods')),
  };
  t = performance.now();
  for (let i = 0; i < n; i++) if (evaluateConditionPart(program, activation) === true) sink++;
  const cel = ((performance.now() - t) / n) * 1e6;
  if (sink === -1) console.log(sink);
  const r = (x: number) => Math.round(x);
  return { decimal_times_ns: r(times), decimal_plus_ns: r(plus), cel_eval_ns: r(cel) };
}

export default async function pricingEngineBenchmark(ctx: BenchContext): Promise<BenchResult> {
  const size = ctx.scale === 'small' ? SMALL_SIZE : FULL_SIZE;
  const fixture = createPricingFixture(size);

  const compileStart = performance.now();
  const ruleSet = compileRules(fixture.rules);
  const compileMs = performance.now() - compileStart;
  const catalogStart = performance.now();
  const catalog = createCatalogIndex(fixture.catalog);
  const catalogMs = performance.now() - catalogStart;
  const analyzeStart = performance.now();
  const findings = analyzeRules(ruleSet, catalog, { asOfDate: '2025-06-01' });
  const analyzeMs = performance.now() - analyzeStart;

  const random = createRandom(7);
  const quotes100 = Array.from({ length: 200 }, () => createQuoteRequest(fixture, random, 100));
  const quotes1000 = Array.from({ length: 40 }, () => createQuoteRequest(fixture, random, 1000));
  const quotes200 = Array.from({ length: 400 }, () => createQuoteRequest(fixture, random, 200));
  const run = (request: PricingRequest) => {
    const result = computeQuotePricing(ruleSet, catalog, request);
    if (result.lines.length < request.lines.length) throw new Error('lines went missing');
  };

  // Warm up the JIT on every shape before measuring.
  for (const q of quotes100.slice(0, 50)) run(q);
  for (const q of quotes1000.slice(0, 5)) run(q);

  const minMs = ctx.scale === 'small' ? 1000 : 3000;
  const lines100 = measureThroughput(run, quotes100, minMs);
  const lines1000 = measureThroughput(run, quotes1000, minMs);

  const primitives = measurePrimitives();
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (const q of quotes200) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    run(q);
    samples.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuSamples.push((used.user + used.system) / 1000);
  }
  const latency = percentiles(samples);
  const cpuLatency = percentiles(cpuSamples);

  const ruleErrors = ruleSet.errors.length;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    database: 'in process',
    data: {
      products: fixture.catalog.products.length,
      product_groups: fixture.catalog.groups.length,
      customer_groups: fixture.customerGroupIds.length,
      customers: fixture.customers.length,
      rules: fixture.rules.length,
      rules_compiled: ruleSet.size,
      rule_compile_errors: ruleErrors,
      analysis_findings: findings.length,
    },
    metrics: { compile_ms: round(compileMs), catalog_index_ms: round(catalogMs), analyze_ms: round(analyzeMs), ...primitives },
    cases: {
      lines_100: { metrics: lines100 },
      lines_1000: { metrics: lines1000 },
      quote_200: { metrics: { ...latency, cpu_p50_ms: cpuLatency.p50_ms, cpu_p95_ms: cpuLatency.p95_ms } },
    },
    targets: {
      lines_100: { target: 'prices_per_s >= 80000', met: lines100.prices_per_s >= 80_000 },
      lines_1000: { target: 'prices_per_s >= 120000', met: lines1000.prices_per_s >= 120_000 },
      quote_200: { target: 'p95_ms < 10', met: latency.p95_ms < 10 },
      compile: { target: 'rule_compile_errors == 0', met: ruleErrors === 0 },
    },
  };
}
