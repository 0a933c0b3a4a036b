import { deflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { customerGroups } from '../src/server/modules/crm/schema.ts';
import { loadPricingCatalog, getPricingPriceBook } from '../src/server/modules/catalog/service.ts';
import { priceBookEntries, priceBooks, productGroups, products } from '../src/server/modules/catalog/schema.ts';
import { createCatalogIndex } from '../src/server/modules/pricing/catalog.ts';
import { compileRules } from '../src/server/modules/pricing/compile.ts';
import { computeQuotePricing } from '../src/server/modules/pricing/engine.ts';
import { type ExplanationStep, formatExplanationStep, listExplanationSteps } from '../src/server/modules/pricing/explanation.ts';
import { createPricingFixture, createRandom, FULL_SIZE, SMALL_SIZE, type PricingFixture } from '../src/server/modules/pricing/pricing-fixtures.ts';
import type { RuleDefinition } from '../src/server/modules/pricing/contract.ts';
import type { PricingRule } from '../src/server/modules/pricing/pricing-rule.ts';
import type { PricingRequest } from '../src/server/modules/pricing/pricing-types.ts';
import { pricingRuleVersions, pricingRules } from '../src/server/modules/pricing/schema.ts';
import { createApiToken } from '../src/server/modules/org/auth-service.ts';
import { COMPANY_TIME_ZONE } from '../src/server/modules/org/service.ts';
import type { Actor } from '../src/server/platform/context.ts';
import { type Database, queryRows, sql } from '../src/server/platform/db.ts';
import { vacuumAnalyze } from './bench-db.ts';
import type { Benchmark, Metrics } from './harness.ts';
import { CLOCK_TICK_MS, cpuSnapshot, cpuUsed, loadSettings, withBenchServer } from './http-bench.ts';
import { runRounds } from './rounds.ts';

/**
 * Quotes over the API (issue CPQ, second part): create and re-price a 200-line quote — load,
 * price, save, respond — on PostgreSQL at the pricing benchmark's scale. Target: p95 < 150 ms.
 *
 * - patch: PATCH /api/v1/quotes/versions/:id of a 200-line draft (lines sent again, so the version
 *   is re-priced and saved; optimistic concurrency: each connection edits its own draft and sends
 *   the version it last got back).
 * - create: POST /api/v1/quotes with 200 lines (a new quote with its priced v1; no Idempotency-Key,
 *   so each request creates).
 *
 * Data: the demo company (sellers=1000; small: 100) plus bench/pricing-engine.ts's generator
 * (pricing-fixtures.ts) loaded into the catalog, CRM and pricing tables: 5,050 products in a
 * 448-group tree, a 5,050-entry CNY price book, 1,000 customer groups, 20,000 published rules
 * (small: 10× less). Fixture ids become UUIDs, also inside the CEL conditions' literals. One deal's
 * account takes a generated customer's group, region, kind and custom fields. Quote lines are the
 * generator's products (bundles and variants left out: the catalog tables have no variants),
 * quantities as the engine benchmark draws them, pricing date 2025-06-15 as there.
 *
 * Besides the HTTP figures it times, in process and on the same data, what a request does before
 * and after the engine (diagnostics printed with the results, and in the result file under
 * `breakdown`): loading the catalog and price book, building the catalog index, the engine
 * itself, rendering every explanation step in zh and en (what reading a whole version's explanation
 * costs; a save renders nothing), and the size of the explanations as stored (each distinct step
 * once, as data, deflated; they are not part of the quote a save returns).
 */
export const databases = ['pg'] as const;

const LINES = 200;
const PRICING_DATE = '2025-06-15';

// ── Loading the generator's data ─────────────────────────────────────────────────────────────────

/** Deterministic UUIDs per fixture id (the tables want uuids; the demo's own rows use random ones). */
function createIdMap() {
  const map = new Map<string, string>();
  let n = 0;
  const get = (id: string) => {
    let u = map.get(id);
    if (!u) {
      n++;
      u = `b3c40000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
      map.set(id, u);
    }
    return u;
  };
  return { map, get };
}

const PRODUCT_KIND: Record<string, 'hardware' | 'service' | 'subscription'> = { goods: 'hardware', service: 'service', subscription: 'subscription' };
const CUSTOMER_KIND: Record<string, string> = { enterprise: 'enterprise', smb: 'other', government: 'government' };

/** The rule with every fixture id (scopes and CEL string literals) replaced by its UUID. */
function translateRule(rule: PricingRule, ids: ReturnType<typeof createIdMap>, literals: Map<string, string>): PricingRule {
  const json = JSON.stringify(rule, (key, value: unknown) => {
    if ((key === 'productId' || key === 'groupId' || key === 'accountId') && typeof value === 'string') return ids.get(value);
    if (key === 'condition' && typeof value === 'string') return value.replace(/"([^"\\]*)"/g, (m, lit: string) => (literals.has(lit) ? `"${literals.get(lit)}"` : m));
    return value;
  });
  return JSON.parse(json) as PricingRule;
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

interface LoadedData {
  priceBookId: string;
  /** Product UUIDs a quote line may use (no bundles, no variant parents only). */
  productIds: string[];
  rows: Record<string, number>;
}

async function loadPricingData(database: Database, fixture: PricingFixture, accountId: string): Promise<LoadedData> {
  const db = database.db;
  const ids = createIdMap();
  const now = new Date();
  // Literals conditions compare with: group ids, customer groups, product and customer kinds.
  const literals = new Map<string, string>();
  for (const g of fixture.catalog.groups) literals.set(g.id, ids.get(g.id));
  for (const g of fixture.customerGroupIds) literals.set(g, ids.get(g));
  for (const [k, v] of Object.entries(PRODUCT_KIND)) literals.set(k, v);
  for (const [k, v] of Object.entries(CUSTOMER_KIND)) literals.set(k, v);

  await insertChunked(fixture.catalog.groups, (chunk) =>
    db.insert(productGroups).values(
      chunk.map((g) => ({ id: ids.get(g.id), code: `BX-${g.id}`, nameZh: `压测分组 ${g.id}`, parentId: g.parentId ? ids.get(g.parentId) : null })),
    ),
  );
  const sellable = fixture.catalog.products.filter((p) => !p.bundle);
  await insertChunked(sellable, (chunk) =>
    db.insert(products).values(
      chunk.map((p) => ({
        id: ids.get(p.id),
        sku: `BX-${p.sku}`,
        nameZh: `压测产品 ${p.id}`,
        groupId: p.groupId ? ids.get(p.groupId) : null,
        kind: PRODUCT_KIND[p.kind] ?? 'hardware',
        unit: '套',
        taxPercent: p.taxPercent ?? '13',
        costAmount: p.cost?.CNY ?? null,
        costCurrency: p.cost?.CNY ? 'CNY' : null,
      })),
    ),
  );
  const priceBookId = ids.get('bench-price-book');
  await db.insert(priceBooks).values({ id: priceBookId, code: 'BX-CNY', nameZh: '压测价目表', currency: 'CNY', validFrom: '2020-01-01' });
  const listed = sellable.filter((p) => fixture.priceBook.prices[p.id] !== undefined);
  await insertChunked(listed, (chunk) =>
    db.insert(priceBookEntries).values(chunk.map((p) => ({ id: ids.get(`entry:${p.id}`), priceBookId, productId: ids.get(p.id), unitPrice: fixture.priceBook.prices[p.id]! }))),
  );

  // Customer groups: the generator's tree (each customer's ancestors, nearest first, give the parents).
  const parents = new Map<string, string | null>(fixture.customerGroupIds.map((g) => [g, null]));
  for (const c of fixture.customers) {
    const chain = c.groupAncestors ?? [];
    for (let i = 0; i + 1 < chain.length; i++) parents.set(chain[i]!, chain[i + 1]!);
  }
  const groupRows = [...parents].map(([g, parent]) => ({ id: ids.get(g), code: `BX-${g}`, nameZh: `压测客户组 ${g}`, parentId: parent ? ids.get(parent) : null }));
  // Parents first (the tree has no foreign key, but keep the insert order readable in the data).
  groupRows.sort((a, b) => Number(a.parentId !== null) - Number(b.parentId !== null));
  await insertChunked(groupRows, (chunk) => db.insert(customerGroups).values(chunk));

  // The deal's account becomes a generated customer (one in a customer group, with a region).
  const customer = fixture.customers.find((c) => (c.groupAncestors ?? []).length > 1 && c.region) ?? fixture.customers[0]!;
  await db.execute(
    sql`UPDATE crm_accounts SET customer_group_id = ${ids.get(customer.groupAncestors![0]!)}, province_code = ${customer.region ?? null},
          kind = ${CUSTOMER_KIND[customer.kind ?? ''] ?? 'enterprise'}, custom = ${JSON.stringify(customer.custom ?? {})}::jsonb
        WHERE id = ${accountId}`,
  );
  ids.map.set(customer.id, accountId);

  // Rules, published, stamped in order after the demo's as publishing would.
  const rules = fixture.rules.map((r) => translateRule(r, ids, literals));
  const [stamp] = await queryRows<{ seq: number }>(db, sql`SELECT coalesce(max(change_seq), 0)::int AS seq FROM pricing_rules`);
  let seq = stamp?.seq ?? 0;
  await insertChunked(rules, async (chunk) => {
    const ruleRows = chunk.map((r) => ({
      id: ids.get(`rule:${r.id}`),
      code: `BX-${r.id}`,
      status: 'active' as const,
      publishedVersion: 1,
      latestVersion: 1,
      changeSeq: ++seq,
      createdAt: now,
      updatedAt: now,
    }));
    await db.insert(pricingRules).values(ruleRows);
    await db.insert(pricingRuleVersions).values(
      chunk.map((r) => {
        const { id: _id, version: _v, name, createdAt: _c, ...rest } = r;
        const definition = { ...rest, combine: rest.combine ?? 'exclusive' } as RuleDefinition;
        return { id: ids.get(`ruleversion:${r.id}`), ruleId: ids.get(`rule:${r.id}`), number: 1, status: 'published' as const, name, definition, publishedAt: now };
      }),
    );
  });

  const productIds = sellable.filter((p) => fixture.priceBook.prices[p.id] !== undefined).map((p) => ids.get(p.id));
  return {
    priceBookId,
    productIds,
    rows: {
      products: sellable.length,
      product_groups: fixture.catalog.groups.length,
      price_book_entries: listed.length,
      customer_groups: groupRows.length,
      rules: rules.length,
    },
  };
}

/** 200 lines drawn as the engine benchmark draws quantities (half 1–10, 40 % 10–100, 10 % 100–1 000). */
function drawLines(productIds: readonly string[], random: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: LINES }, (_, i) => {
    const r = random();
    const quantity = r < 0.5 ? int(1, 10) : r < 0.9 ? int(10, 100) : int(100, 1000);
    const line: { id: string; productId: string; quantity: number; manualDiscountPercent?: string } = {
      id: `L${i + 1}`,
      productId: productIds[Math.floor(random() * productIds.length)]!,
      quantity,
    };
    if (random() < 0.05) line.manualDiscountPercent = String(int(1, 30));
    return line;
  });
}

// ── Load generation (autocannon in a worker thread, bodies per connection) ───────────────────────

/**
 * POST create: autocannon with one body, as bench/crm-opportunities.ts drives its creates.
 *
 * PATCH: a plain keep-alive HTTP loop per connection, each on a draft of its own, sending the
 * version it last got back. Not autocannon: autocannon 9 builds every connection's request into one
 * shared request object (setupRequest's per-connection bodies race when the connections start) and
 * a run cut at its deadline loses the responses in flight, so the drafts' versions drift and the
 * optimistic concurrency check answers 409. Versions are re-read from the database before each run.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const r = workerData.request;
const samples = [];
const statusCodes = {};
let bytes = 0;
let requests = 0;
let errors = 0;
function patchLoop(draft, agent, deadline) {
  return new Promise((resolve) => {
    const once = () => {
      if (performance.now() >= deadline) return resolve();
      const body = '{"version":' + draft.version + ',' + r.bodyRest;
      const t = performance.now();
      const req = http.request(r.url + '/api/v1/quotes/versions/' + draft.id, { method: 'PATCH', agent, headers: { ...r.headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let n = 0;
        res.on('data', (c) => { n += c.length; });
        res.on('end', () => {
          const ms = performance.now() - t;
          statusCodes[res.statusCode] = (statusCodes[res.statusCode] || 0) + 1;
          if (res.statusCode === 200) draft.version++;
          if (!r.warmup) { samples.push(ms); bytes += n; }
          requests++;
          once();
        });
      });
      req.on('error', () => { errors++; resolve(); });
      req.end(body);
    };
    once();
  });
}
async function run() {
  const start = performance.now();
  if (r.method === 'PATCH') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: r.connections });
    await Promise.all(r.drafts.map((d) => patchLoop(d, agent, start + r.durationS * 1000)));
    agent.destroy();
    const elapsed = (performance.now() - start) / 1000;
    const non2xx = Object.entries(statusCodes).reduce((n, [code, c]) => (code.startsWith('2') ? n : n + c), 0);
    return { req_per_s: requests / elapsed, samplesMs: samples, requests, non2xx, errors, statusCodes, bytes, drafts: r.drafts };
  }
  const autocannon = require(workerData.autocannon);
  const instance = autocannon({ url: r.url + r.path, method: 'POST', headers: r.headers, body: r.body, connections: r.connections, duration: r.durationS, timeout: 20 });
  instance.on('response', (_c, status, resBytes, ms) => { statusCodes[status] = (statusCodes[status] || 0) + 1; if (!r.warmup) { samples.push(ms); bytes += resBytes; } });
  const res = await instance;
  return { req_per_s: res.samples > 0 ? res.totalCompletedRequests / res.samples : 0, samplesMs: samples, requests: res.totalCompletedRequests, non2xx: res.non2xx, errors: res.errors, statusCodes, bytes };
}
run().then((report) => parentPort.postMessage({ ok: true, report }), (err) => parentPort.postMessage({ ok: false, error: String(err && err.stack || err) }));
`;

interface LoadReport {
  req_per_s: number;
  samplesMs: number[];
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  bytes: number;
  /** PATCH: the drafts with the versions the worker ended on. */
  drafts?: { id: string; version: number }[];
}

interface LoadRequest {
  url: string;
  method: 'PATCH' | 'POST';
  path?: string;
  body?: string;
  bodyRest?: string;
  drafts?: { id: string; version: number }[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  warmup: boolean;
}

function runLoad(request: LoadRequest): Promise<LoadReport> {
  const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { autocannon: autocannonPath, request } });
    worker.once('message', (msg: { ok: true; report: LoadReport } | { ok: false; error: string }) =>
      msg.ok ? resolve(msg.report) : reject(new Error(`load generator failed: ${msg.error}`)),
    );
    worker.once('error', reject);
  });
}

// ── The breakdown of one request, in process ─────────────────────────────────────────────────────

async function timeIt<T>(fn: () => Promise<T> | T, times: number): Promise<{ ms: number; value: T }> {
  let value!: T;
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    value = await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { ms: Math.round(samples[Math.floor(samples.length / 2)]! * 100) / 100, value };
}

// ── The benchmark ────────────────────────────────────────────────────────────────────────────────

const quotesApi: Benchmark = async (ctx) =>
  withBenchServer(ctx, 'quotes-api', {}, async ({ database, seed, baseUrl, label, data }) => {
    const fixture = createPricingFixture(ctx.scale === 'small' ? SMALL_SIZE : FULL_SIZE);
    const company = seed.company;
    const [deal] = await queryRows<{ id: string; account_id: string; owner_id: string }>(
      database.db,
      sql`SELECT o.id, o.account_id, o.owner_id FROM crm_opportunities o ORDER BY o.created_at, o.id LIMIT 1`,
    );
    const admin = company.users.find((u) => u.roles.includes('admin'));
    if (!deal || !admin) throw new Error('the demo company has no deal or no admin');
    const loadStart = performance.now();
    const loaded = await loadPricingData(database, fixture, deal.account_id);
    const loadS = (performance.now() - loadStart) / 1000;
    await vacuumAnalyze(database);
    console.log(`pricing data loaded in ${loadS.toFixed(1)} s: ${JSON.stringify(loaded.rows)}`);

    const adminActor: Actor = { userId: admin.id, roles: admin.roles, unitId: admin.unitId, subtreeUnitIds: [], locale: 'zh-CN', timeZone: COMPANY_TIME_ZONE, via: 'session' };
    const token = (await createApiToken({ db: database.db, actor: adminActor, requestId: 'bench-quotes', now: new Date() }, deal.owner_id, { name: 'bench quotes' })).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const random = createRandom(11);
    const lines = drawLines(loaded.productIds, random);
    const createBody = { opportunityId: deal.id, priceBookId: loaded.priceBookId, currency: 'CNY', pricingDate: PRICING_DATE, lines };
    const create = async () => {
      const res = await fetch(`${baseUrl}/api/v1/quotes`, { method: 'POST', headers, body: JSON.stringify(createBody) });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`POST /api/v1/quotes: ${res.status} ${text.slice(0, 2000)}`);
      return { bytes: text.length, detail: JSON.parse(text) as { versions: { id: string; version: number; lines: unknown[] }[] } };
    };
    // The first create compiles the 20,000 published rules into the server's cache (not measured).
    const cold = await timeIt(create, 1);
    const probe = await create();
    const draft = probe.detail.versions[0]!;
    if (draft.lines.length !== LINES) throw new Error(`the created version has ${draft.lines.length} lines, not ${LINES}`);
    console.log(`first create (rule cache cold): ${cold.ms} ms; a create response is ${(probe.bytes / 1024).toFixed(0)} KiB`);

    const settings = loadSettings(ctx);
    const connections = ctx.db === 'pglite' ? 2 : 4;
    const drafts: { id: string; version: number }[] = [];
    for (let i = 0; i < connections; i++) {
      const v = (await create()).detail.versions[0]!;
      drafts.push({ id: v.id, version: v.version });
    }
    // The PATCH body after its version: the same 200 lines, so every save re-prices them all.
    const bodyRest = JSON.stringify({ lines }).slice(1);
    const patchProbe = await fetch(`${baseUrl}/api/v1/quotes/versions/${drafts[0]!.id}`, { method: 'PATCH', headers, body: `{"version":${drafts[0]!.version},${bodyRest}` });
    const patchText = await patchProbe.text();
    if (patchProbe.status !== 200) throw new Error(`PATCH a draft: ${patchProbe.status} ${patchText.slice(0, 2000)}`);
    drafts[0]!.version++;
    console.log(`a PATCH response is ${(patchText.length / 1024).toFixed(0)} KiB`);
    // One request at a time (no queueing behind other connections): the service time itself.
    const patchAlone = await timeIt(async () => {
      const d = drafts[0]!;
      const res = await fetch(`${baseUrl}/api/v1/quotes/versions/${d.id}`, { method: 'PATCH', headers, body: `{"version":${d.version},${bodyRest}` });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`PATCH alone: ${res.status}`);
      d.version++;
    }, 7);
    const createAlone = await timeIt(create, 5);
    console.log(`one at a time: PATCH ${patchAlone.ms} ms, POST ${createAlone.ms} ms (medians)`);

    const bytes: Record<string, number> = { patch: 0, create: 0 };
    const counts: Record<string, number> = { patch: 0, create: 0 };
    // CPU per request of the server's thread and of this database's PostgreSQL backends (diagnostic).
    const cpu: Record<string, { server: number; postgres: number }> = { patch: { server: 0, postgres: 0 }, create: { server: 0, postgres: 0 } };
    const measured = await runRounds(['patch', 'create'] as const, settings, async (name, durationS, warmup) => {
      if (name === 'patch') {
        // Requests cut at a run's deadline may still have saved: start from the stored versions.
        const rows = await queryRows<{ id: string; version: number }>(
          database.db,
          sql`SELECT id, version FROM quote_versions WHERE id = ANY(${`{${drafts.map((d) => d.id).join(',')}}`}::uuid[])`,
        );
        for (const row of rows) drafts.find((d) => d.id === row.id)!.version = row.version;
      }
      const before = await cpuSnapshot(database);
      const r =
        name === 'patch'
          ? await runLoad({ url: baseUrl, method: 'PATCH', bodyRest, drafts, headers, connections, durationS, warmup })
          : await runLoad({ url: baseUrl, method: 'POST', path: '/api/v1/quotes', body: JSON.stringify(createBody), headers, connections, durationS, warmup });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors, status codes ${JSON.stringify(r.statusCodes)}`);
      const used = cpuUsed(before, await cpuSnapshot(database));
      if (!warmup) {
        bytes[name]! += r.bytes;
        counts[name]! += r.requests;
        cpu[name]!.server += used.server;
        cpu[name]!.postgres += used.postgres;
      }
      return { rate: r.req_per_s, samplesMs: r.samplesMs };
    });

    // Where a request's time goes, in process on the same data (medians of 5).
    const catalogLoad = await timeIt(() => loadPricingCatalog(database.db), 5);
    const bookLoad = await timeIt(() => getPricingPriceBook(database.db, loaded.priceBookId), 5);
    const catalogRows = catalogLoad.value;
    const index = await timeIt(
      () =>
        createCatalogIndex({
          groups: catalogRows.groups.map((g) => ({ id: g.id, parentId: g.parentId })),
          products: catalogRows.products.map((p) => ({ id: p.id, sku: p.sku, groupId: p.groupId, kind: p.kind, taxPercent: p.taxPercent, ...(p.costAmount && p.costCurrency ? { cost: { [p.costCurrency]: p.costAmount } } : {}) })),
        }),
      5,
    );
    const ruleRows = await queryRows<{ id: string; name: string; definition: PricingRule }>(
      database.db,
      sql`SELECT r.id, v.name, v.definition FROM pricing_rules r JOIN pricing_rule_versions v ON v.rule_id = r.id AND v.status = 'published' WHERE r.code LIKE 'BX-%'`,
    );
    const ruleSet = compileRules(ruleRows.map((r) => ({ ...r.definition, id: r.id, version: 1, name: r.name, createdAt: '2026-01-01T00:00:00Z' })));
    const prices: Record<string, string> = {};
    for (const e of bookLoad.value!.entries) prices[e.productId] = e.unitPrice;
    const [account] = await queryRows<{ customer_group_id: string; province_code: string; kind: string }>(
      database.db,
      sql`SELECT customer_group_id, province_code, kind FROM crm_accounts WHERE id = ${deal.account_id}`,
    );
    const groupChain = await queryRows<{ id: string }>(
      database.db,
      sql`WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM crm_customer_groups WHERE id = ${account!.customer_group_id}
            UNION ALL SELECT g.id, g.parent_id, up.depth + 1 FROM crm_customer_groups g JOIN up ON g.id = up.parent_id)
          SELECT id FROM up ORDER BY depth`,
    );
    const request: PricingRequest = {
      customer: { id: deal.account_id, groupAncestors: groupChain.map((g) => g.id), kind: account!.kind, region: account!.province_code },
      quote: { currency: 'CNY', pricingDate: PRICING_DATE, timeZone: COMPANY_TIME_ZONE },
      priceBook: { id: loaded.priceBookId, currency: 'CNY', prices },
      lines,
    };
    const engine = await timeIt(() => computeQuotePricing(ruleSet, index.value, request), 20);
    const render = await timeIt(
      () => engine.value.lines.map((l) => listExplanationSteps(l.explanation).map((s) => [formatExplanationStep(s, 'zh'), formatExplanationStep(s, 'en')])),
      5,
    );
    const steps = engine.value.lines.reduce((n, l) => n + listExplanationSteps(l.explanation).length, 0);
    const dismissedSteps = engine.value.lines.reduce((n, l) => n + l.explanation.dismissed.reduce((m, d) => m + d.length, 0), 0);
    // The explanations as the quote service stores them (quote_version_explanations): each distinct
    // step once, as data (rendered only when read), each line's steps as indexes into that list.
    const distinct = new Map<ExplanationStep, number>();
    const stored = { steps: [] as ExplanationStep[], lines: {} as Record<string, number[]> };
    for (const l of engine.value.lines) {
      stored.lines[l.lineId] = listExplanationSteps(l.explanation).map((st) => {
        let i = distinct.get(st);
        if (i === undefined) {
          i = stored.steps.push(st) - 1;
          distinct.set(st, i);
        }
        return i;
      });
    }
    const explanationJson = JSON.stringify(stored);
    const roundTrip = await timeIt(() => JSON.parse(JSON.stringify(JSON.parse(explanationJson))) as unknown, 5);
    const perRequest = (ticks: number, requests: number) => Math.round(((ticks * CLOCK_TICK_MS) / Math.max(1, requests)) * 100) / 100;
    const breakdown = {
      patch_alone_p50_ms: patchAlone.ms,
      create_alone_p50_ms: createAlone.ms,
      catalog_load_ms: catalogLoad.ms,
      price_book_load_ms: bookLoad.ms,
      catalog_index_ms: index.ms,
      engine_ms: engine.ms,
      explanation_render_ms: render.ms,
      explanation_steps: steps,
      explanation_dismissed_steps: dismissedSteps,
      explanation_distinct_steps: stored.steps.length,
      explanation_json_kib: Math.round(Buffer.byteLength(explanationJson) / 1024),
      explanation_packed_kib: Math.round(deflateRawSync(Buffer.from(explanationJson), { level: 1 }).length / 1024),
      explanation_json_roundtrip_ms: roundTrip.ms,
      patch_cpu_server_ms: perRequest(cpu.patch!.server, counts.patch!),
      patch_cpu_postgres_ms: perRequest(cpu.patch!.postgres, counts.patch!),
      create_cpu_server_ms: perRequest(cpu.create!.server, counts.create!),
      create_cpu_postgres_ms: perRequest(cpu.create!.postgres, counts.create!),
      patch_response_kib: Math.round(bytes.patch! / Math.max(1, counts.patch!) / 1024),
      create_response_kib: Math.round(bytes.create! / Math.max(1, counts.create!) / 1024),
    };
    console.log(`where a 200-line request goes (in process, medians): ${JSON.stringify(breakdown)}`);

    const metrics = (name: 'patch' | 'create'): Metrics => ({ req_per_s: measured[name].rate, ...measured[name].latency });
    return {
      database: label,
      data: { ...data, ...loaded.rows, lines_per_quote: LINES, connections },
      metrics: breakdown,
      cases: { patch: { metrics: metrics('patch') }, create: { metrics: metrics('create') } },
      targets: {
        patch: { target: 'p95_ms < 150', met: measured.patch.latency.p95_ms < 150 },
        create: { target: 'p95_ms < 150', met: measured.create.latency.p95_ms < 150 },
      },
    };
  });

export default quotesApi;
