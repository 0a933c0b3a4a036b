import { sql } from 'drizzle-orm';
import { localDate } from '../../../shared/dates.ts';
import { Dec } from '../../../shared/money.ts';
import type { DemoCompany } from '../../demo/company.ts';
import { createRng } from '../../demo/company.ts';
import { type DbOrTx, queryRows } from '../../platform/db.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { toPgTextArray } from './pg-text-array.ts';
import { ensureDefaultPipeline } from './pipeline-service.ts';
import { DEFAULT_PIPELINE, type ForecastCategory } from './pipeline.ts';

/**
 * Deterministic demo and benchmark deals: the default pipeline, exchange rates, and `count`
 * opportunities spread over the demo company's reps and the given accounts, with close dates over
 * the past year and the next two quarters, realistic amounts (mostly CNY, some USD/EUR/HKD at a
 * stored rate), stages consistent with the dates, and a stage history per deal.
 *
 * Rows go in with multi-row `INSERT … SELECT FROM unnest(array parameters)`, a few thousand per
 * statement: a million deals and their history load in a couple of minutes on PostgreSQL.
 */

export interface OpportunitySeedOptions {
  accountIds: readonly string[];
  count: number;
  seed?: number;
  /** The day the data is generated around (company time zone); default today. */
  today?: string;
  /** Rows per INSERT statement. */
  chunkSize?: number;
  /**
   * Chunks inserted at once (default 1). Above 1 only with a pool (`database.db`), never inside a
   * transaction: each chunk is then its own statement on its own connection.
   */
  concurrency?: number;
  /** Called after each chunk (benchmarks print progress). */
  onProgress?: (inserted: number) => void;
}

export interface OpportunitySeedResult {
  pipelineId: string;
  rows: { crm_opportunities: number; crm_stage_history: number; currency_rates: number };
}

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The company-time-zone date of an instant. Asia/Shanghai has had no daylight saving since 1991, so
 * a fixed +08:00 gives what localDate() gives, without an Intl formatter per deal (a million calls).
 */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** A version-7 layout UUID for an instant, its random bits from the seeded generator (reproducible, time-ordered). */
function timeUuid(ms: number, rng: () => number): string {
  const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0');
  const r = () => hex(rng() * 0x10000, 4);
  const t = hex(ms, 12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r().slice(1)}-${((parseInt(r(), 16) & 0x3fff) | 0x8000).toString(16)}-${r()}${r()}${r()}`;
}

/** Rates into CNY, first of every month for two years back: USD ≈ 7.1–7.3, EUR ≈ 7.7–8.0, HKD ≈ 0.91–0.93. */
function monthlyRates(today: string): { currency: string; validFrom: string; rate: string }[] {
  const out: { currency: string; validFrom: string; rate: string }[] = [];
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  for (let back = 24; back >= 0; back--) {
    const z = y * 12 + (m - 1) - back;
    const validFrom = `${Math.floor(z / 12)}-${String((z % 12) + 1).padStart(2, '0')}-01`;
    const wave = Math.sin(z / 3);
    out.push({ currency: 'USD', validFrom, rate: new Dec('7.2').plus(new Dec(wave).times('0.1')).toFixed(4) });
    out.push({ currency: 'EUR', validFrom, rate: new Dec('7.85').plus(new Dec(Math.cos(z / 4)).times('0.15')).toFixed(4) });
    out.push({ currency: 'HKD', validFrom, rate: new Dec('0.92').plus(new Dec(wave).times('0.01')).toFixed(4) });
  }
  return out;
}

const PROJECTS = [
  '智慧政务平台建设项目', '核心业务系统升级', '数据中台二期', '安全运维服务（三年）', 'ERP 实施项目', '私有云迁移',
  '客服中心数字化改造', '供应链协同平台', '移动办公平台', '智能制造 MES 项目', '统一身份认证平台', '大数据分析平台',
  '灾备中心建设', '网点智能终端', '信创适配改造', '营销管理系统', '能耗监测平台', '电子档案系统',
];
const NEXT_STEPS = ['安排高层拜访', '提交技术方案', '组织 POC 测试', '发出商务报价', '合同条款评审', '确认预算与采购流程', '邀请参观样板客户'];
const COMPETITORS = ['华为', '用友', '金蝶', '浪潮', '东软', '神州数码', 'SAP', 'Oracle'];
const SOURCES = ['referral', 'inbound', 'event', 'outbound', 'partner', 'existing_customer'];
const LOSS_REASONS = ['价格高于竞品', '竞品功能更贴合', '预算取消', '客户关系不足', '需求变化，项目搁置'];
const PRODUCTS = ['YL-PLATFORM', 'YL-DATA', 'YL-SEC', 'YL-ERP', 'YL-CLOUD', 'YL-SERVICE'];

const OPEN_STAGES = DEFAULT_PIPELINE.stages.filter((s) => s.kind === 'open');
const WON = DEFAULT_PIPELINE.stages.find((s) => s.kind === 'won')!;
const LOST = DEFAULT_PIPELINE.stages.find((s) => s.kind === 'lost')!;

interface Deal {
  id: string;
  number: string;
  name: string;
  accountId: string;
  ownerId: string;
  unitId: string;
  stageKey: string;
  stageEnteredAt: string;
  amount: string;
  currency: string;
  amountCompany: string;
  fxRate: string;
  expectedCloseDate: string;
  probability: number;
  categoryDefault: ForecastCategory;
  categoryOverride: ForecastCategory | null;
  nextStep: string | null;
  competitors: string;
  source: string;
  lossReason: string | null;
  closedAt: string | null;
  productInterest: string;
  createdAt: string;
  history: { id: string; from: string | null; to: string; at: string }[];
}

/**
 * Minimal accounts for when the accounts seeder has not run (benchmarks, early demo data): a name,
 * a kind and tier, owned by a rep in the rep's unit. Returns their ids in creation order.
 */
export async function seedMinimalAccounts(db: DbOrTx, company: DemoCompany, opts: { count: number; seed?: number; chunkSize?: number }): Promise<string[]> {
  const rng = createRng(opts.seed ?? 7331);
  const reps = salesReps(company);
  const kinds = ['enterprise', 'state_owned', 'government', 'education', 'healthcare', 'other'];
  const tiers = ['strategic', 'key', 'standard', 'standard', 'small'];
  const places = ['北京', '上海', '广州', '深圳', '杭州', '南京', '成都', '武汉', '西安', '苏州', '天津', '重庆', '长沙', '合肥', '济南'];
  const trades = ['银行', '证券', '保险', '能源', '制造', '物流', '医院', '大学', '政务服务中心', '水务', '电力', '零售'];
  const ids: string[] = [];
  const chunk = opts.chunkSize ?? 5000;
  const baseMs = Date.UTC(2025, 0, 1);
  for (let start = 0; start < opts.count; start += chunk) {
    const n = Math.min(chunk, opts.count - start);
    const cols = { id: [] as string[], name: [] as string[], kind: [] as string[], tier: [] as string[], owner: [] as string[], unit: [] as string[] };
    for (let i = 0; i < n; i++) {
      const k = start + i;
      const rep = reps[Math.floor(rng() * reps.length)]!;
      const id = timeUuid(baseMs + k * 1000, rng);
      ids.push(id);
      cols.id.push(id);
      cols.name.push(`${places[Math.floor(rng() * places.length)]}${trades[Math.floor(rng() * trades.length)]}客户${String(k + 1).padStart(6, '0')}`);
      cols.kind.push(kinds[Math.floor(rng() * kinds.length)]!);
      cols.tier.push(tiers[Math.floor(rng() * tiers.length)]!);
      cols.owner.push(rep.id);
      cols.unit.push(rep.unitId);
    }
    await db.execute(sql`
      INSERT INTO crm_accounts (id, name_zh, kind, tier, status, owner_id, unit_id)
      SELECT id, name, kind, tier, 'customer', owner_id, unit_id
        FROM unnest(${toPgTextArray(cols.id)}::uuid[], ${toPgTextArray(cols.name)}::text[], ${toPgTextArray(cols.kind)}::text[],
                    ${toPgTextArray(cols.tier)}::text[], ${toPgTextArray(cols.owner)}::uuid[], ${toPgTextArray(cols.unit)}::uuid[])
             AS t(id, name, kind, tier, owner_id, unit_id)`);
  }
  return ids;
}

function salesReps(company: DemoCompany): DemoCompany['users'] {
  const reps = company.users.filter((u) => u.roles.includes('sales_rep'));
  if (reps.length === 0) throw new Error('the demo company has no sales reps');
  return reps;
}

export async function seedOpportunities(db: DbOrTx, company: DemoCompany, opts: OpportunitySeedOptions): Promise<OpportunitySeedResult> {
  if (opts.accountIds.length === 0) throw new Error('seedOpportunities needs at least one account');
  const rng = createRng(opts.seed ?? 20261126);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const today = opts.today ?? localDate(new Date(), COMPANY_TIME_ZONE);
  const todayDay = dayNumber(today);
  // "Now" of the generated history: the evening before `today` (never in the future, whatever the hour).
  const nowMs = (todayDay - 1) * DAY_MS + 12 * 3_600_000;
  const pipelineId = await ensureDefaultPipeline(db);

  const rates = monthlyRates(today);
  const ratesInserted = await queryRows<{ n: number }>(
    db,
    sql`WITH ins AS (
          INSERT INTO currency_rates (currency, valid_from, rate)
          SELECT * FROM unnest(${toPgTextArray(rates.map((r) => r.currency))}::text[], ${toPgTextArray(rates.map((r) => r.validFrom))}::date[],
                               ${toPgTextArray(rates.map((r) => r.rate))}::numeric[])
          ON CONFLICT DO NOTHING RETURNING 1)
        SELECT count(*)::int AS n FROM ins`,
  );
  const rateOf = (currency: string, date: string) => {
    let best: string | undefined;
    for (const r of rates) if (r.currency === currency && r.validFrom <= date) best = r.rate;
    return best!;
  };

  // A deal usually belongs to its account's owner when that person is a rep.
  const reps = salesReps(company);
  const repById = new Map(reps.map((r) => [r.id, r]));
  const owners = new Map<string, string>();
  for (let i = 0; i < opts.accountIds.length; i += 20_000) {
    const part = opts.accountIds.slice(i, i + 20_000);
    const rows = await queryRows<{ id: string; owner_id: string }>(
      db,
      sql`SELECT id, owner_id FROM crm_accounts WHERE id = ANY(${toPgTextArray(part)}::uuid[])`,
    );
    for (const r of rows) owners.set(r.id, r.owner_id);
  }

  const numbers = new Map<number, number>(
    (await queryRows<{ year: number; last_value: number }>(db, sql`SELECT year, last_value FROM number_sequences WHERE prefix = 'OPP'`)).map((r) => [
      Number(r.year),
      Number(r.last_value),
    ]),
  );

  const makeDeal = (): Deal => {
    const accountId = pick(opts.accountIds);
    const accountOwner = repById.get(owners.get(accountId) ?? '');
    const owner = accountOwner && rng() < 0.85 ? accountOwner : pick(reps);
    const closeDay = todayDay - 365 + Math.floor(rng() * (365 + 183));
    let createdDay = closeDay - 20 - Math.floor(rng() * 220);
    if (createdDay > todayDay - 2) createdDay = todayDay - 2;
    const createdMs = createdDay * DAY_MS + Math.floor((1 + rng() * 9) * 3_600_000); // 09:00–18:00 Beijing ≈ 01:00–10:00 UTC
    const past = closeDay < todayDay;
    // Stages consistent with the dates: past close dates mostly closed, future ones mostly open.
    const roll = rng();
    const outcome = past ? (roll < 0.38 ? 'won' : roll < 0.85 ? 'lost' : 'open') : roll < 0.03 ? 'won' : 'open';
    const reached = outcome === 'open' ? Math.min(3, Math.floor(rng() * 4 + (closeDay - todayDay < 60 ? 1 : 0))) : Math.floor(rng() * 4);
    const path = OPEN_STAGES.slice(0, (outcome === 'won' ? 3 : reached) + 1).filter((s, i) => i === 0 || i === reached || rng() > 0.15);
    const stages = [...path.map((s) => s.key), ...(outcome === 'won' ? [WON.key] : outcome === 'lost' ? [LOST.key] : [])];
    const target = outcome === 'open' ? nowMs - Math.floor(rng() * 20) * DAY_MS : closeDay * DAY_MS + 3 * 3_600_000;
    const endMs = Math.max(createdMs, Math.min(nowMs, Math.max(createdMs + DAY_MS, target)));
    const step = (endMs - createdMs) / Math.max(1, stages.length - 1);
    const history = stages.map((to, i) => ({
      id: timeUuid(createdMs + Math.floor(step * i), rng),
      from: i === 0 ? null : stages[i - 1]!,
      to,
      at: new Date(createdMs + Math.floor(step * i)).toISOString(),
    }));
    const current = DEFAULT_PIPELINE.stages.find((s) => s.key === stages.at(-1))!;

    // Amounts: log-uniform between ~80 thousand and ~16 million yuan, mostly round thousands, some
    // with fen; foreign deals are that much in their currency at the month's rate (whole hundreds).
    // Integers throughout, then exact decimals: never a float amount.
    const yuan = Math.round(10 ** (4.9 + 2.3 * rng()));
    const fcRoll = rng();
    const currency = fcRoll < 0.06 ? 'USD' : fcRoll < 0.08 ? 'EUR' : fcRoll < 0.1 ? 'HKD' : 'CNY';
    const createdDate = shanghaiDate(createdMs);
    const fxRate = currency === 'CNY' ? '1' : rateOf(currency, createdDate);
    let amount: string;
    let amountCompany: string;
    if (currency === 'CNY') {
      const fen = rng() < 0.2 ? yuan * 100 + Math.floor(rng() * 100) : Math.max(1, Math.round(yuan / 1000)) * 100_000;
      amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
      amountCompany = amount;
    } else {
      amount = `${Math.max(1, Math.round(yuan / Number(fxRate) / 100)) * 100}.00`;
      amountCompany = new Dec(amount).times(fxRate).toDecimalPlaces(2).toFixed(2);
    }

    let probability = current.probability;
    let override: ForecastCategory | null = null;
    if (current.kind === 'open') {
      if (rng() < 0.12) probability = Math.max(5, Math.min(95, probability + (rng() < 0.5 ? -10 : 10)));
      if (rng() < 0.08) {
        const options = (['pipeline', 'best_case', 'commit'] as const).filter((c) => c !== current.forecastCategory);
        override = pick(options);
      }
    }
    const year = Number(createdDate.slice(0, 4));
    const seq = (numbers.get(year) ?? 0) + 1;
    numbers.set(year, seq);
    const competitorCount = Math.floor(rng() * 3);
    const competitors = [...new Set(Array.from({ length: competitorCount }, () => pick(COMPETITORS)))];
    return {
      id: timeUuid(createdMs, rng),
      number: `OPP-${year}-${String(seq).padStart(6, '0')}`,
      name: pick(PROJECTS),
      accountId,
      ownerId: owner.id,
      unitId: owner.unitId,
      stageKey: current.key,
      stageEnteredAt: history.at(-1)!.at,
      amount,
      currency,
      amountCompany,
      fxRate,
      expectedCloseDate: dateOf(closeDay),
      probability,
      categoryDefault: current.forecastCategory,
      categoryOverride: override,
      nextStep: current.kind === 'open' ? pick(NEXT_STEPS) : null,
      competitors: competitors.join('|'),
      source: pick(SOURCES),
      lossReason: current.kind === 'lost' ? pick(LOSS_REASONS) : null,
      closedAt: current.kind === 'open' ? null : history.at(-1)!.at,
      productInterest: [...new Set([pick(PRODUCTS), ...(rng() < 0.4 ? [pick(PRODUCTS)] : [])])].join('|'),
      createdAt: history[0]!.at,
      history,
    };
  };

  const chunk = opts.chunkSize ?? 5000;
  let historyRows = 0;
  // Generating a chunk is CPU work in this process, inserting one is work in the database: the next
  // chunk is generated while earlier ones are being inserted (`concurrency` of them at a time).
  const inFlight = new Set<Promise<void>>();
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  let inserted = 0;
  for (let start = 0; start < opts.count; start += chunk) {
    const deals = Array.from({ length: Math.min(chunk, opts.count - start) }, makeDeal);
    const col = <K extends keyof Deal>(k: K) => toPgTextArray(deals.map((d) => d[k] as string | number | null));
    const opportunityInsert = sql`
      INSERT INTO crm_opportunities (id, number, name, account_id, owner_id, unit_id, pipeline_id, stage_key, stage_entered_at,
        amount, currency, amount_company, fx_rate, expected_close_date, probability, forecast_category_default,
        forecast_category_override, next_step, competitors, source, loss_reason, closed_at, product_interest, created_at, updated_at)
      SELECT id, number, name, account_id, owner_id, unit_id, ${pipelineId}::uuid, stage_key, stage_entered_at,
        amount, currency, amount_company, fx_rate, expected_close_date, probability, category_default,
        category_override, next_step, CASE WHEN competitors = '' THEN '{}'::text[] ELSE string_to_array(competitors, '|') END,
        source, loss_reason, closed_at, string_to_array(product_interest, '|'), created_at, stage_entered_at
      FROM unnest(${col('id')}::uuid[], ${col('number')}::text[], ${col('name')}::text[], ${col('accountId')}::uuid[],
                  ${col('ownerId')}::uuid[], ${col('unitId')}::uuid[], ${col('stageKey')}::text[], ${col('stageEnteredAt')}::timestamptz[],
                  ${col('amount')}::numeric[], ${col('currency')}::text[], ${col('amountCompany')}::numeric[], ${col('fxRate')}::numeric[],
                  ${col('expectedCloseDate')}::date[], ${col('probability')}::int[], ${col('categoryDefault')}::text[],
                  ${col('categoryOverride')}::text[], ${col('nextStep')}::text[], ${col('competitors')}::text[], ${col('source')}::text[],
                  ${col('lossReason')}::text[], ${col('closedAt')}::timestamptz[], ${col('productInterest')}::text[], ${col('createdAt')}::timestamptz[])
        AS t(id, number, name, account_id, owner_id, unit_id, stage_key, stage_entered_at, amount, currency, amount_company, fx_rate,
             expected_close_date, probability, category_default, category_override, next_step, competitors, source, loss_reason,
             closed_at, product_interest, created_at)`;
    const hist = deals.flatMap((d) => d.history.map((h) => ({ ...h, opp: d.id, by: d.ownerId, amount: d.amountCompany })));
    const historyInsert = sql`
      INSERT INTO crm_stage_history (id, opportunity_id, from_stage, to_stage, changed_at, changed_by, amount_company)
      SELECT * FROM unnest(${toPgTextArray(hist.map((h) => h.id))}::uuid[], ${toPgTextArray(hist.map((h) => h.opp))}::uuid[],
                           ${toPgTextArray(hist.map((h) => h.from))}::text[], ${toPgTextArray(hist.map((h) => h.to))}::text[],
                           ${toPgTextArray(hist.map((h) => h.at))}::timestamptz[], ${toPgTextArray(hist.map((h) => h.by))}::uuid[],
                           ${toPgTextArray(hist.map((h) => h.amount))}::numeric[])`;
    historyRows += hist.length;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const task: Promise<void> = (async () => {
      await db.execute(opportunityInsert);
      await db.execute(historyInsert);
      inserted += deals.length;
      opts.onProgress?.(inserted);
    })().finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);

  // Later deals continue the numbering where the generated ones stop.
  for (const [year, last] of numbers) {
    await db.execute(sql`
      INSERT INTO number_sequences (prefix, year, last_value) VALUES ('OPP', ${year}, ${last})
      ON CONFLICT (prefix, year) DO UPDATE SET last_value = greatest(number_sequences.last_value, EXCLUDED.last_value)`);
  }
  return {
    pipelineId,
    rows: { crm_opportunities: opts.count, crm_stage_history: historyRows, currency_rates: ratesInserted[0]?.n ?? 0 },
  };
}
