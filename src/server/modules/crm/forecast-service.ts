import { and, desc, eq, sql } from 'drizzle-orm';
import { Dec, Money } from '../../../shared/money.ts';
import { assertCan, scopeFor } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { queryRows, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { OrgUnit } from '../org/contract.ts';
import { COMPANY_TIME_ZONE, getOrgTree, getSubtreeUnitIds, getUserBriefs } from '../org/service.ts';
import { opportunityReadFilter, unitsWithinScope } from './crm-access.ts';
import {
  type FiscalCalendar,
  type FiscalPeriod,
  type ForecastSum,
  ScaledDecimal,
  type ForecastFigures,
  diffForecastFigures,
  getFiscalPeriodByKey,
  pickComparisonSubmission,
  type ExactTotals,
  rollupForecastSumsExact,
} from './forecast.ts';
import type {
  CreateForecastSubmissionBody,
  Forecast,
  ForecastLine,
  ForecastSubmission,
  ForecastSubmissionList,
  ForecastSubmissionsQuery,
  PipelineAnalytics,
  PipelineAnalyticsQuery,
  PipelineSummary,
  PipelineSummaryQuery,
  ForecastQuery,
} from './opportunity-contract.ts';
import { rule } from './opportunity-errors.ts';
import { COMPANY_CURRENCY, listConditions, moneyOut } from './opportunity-service.ts';
import { CrmPermissions } from './permissions.ts';
import { FORECAST_CATEGORIES, type ForecastCategory, type StageConversion, computeStageConversion, effectiveForecastCategory, getStage } from './pipeline.ts';
import { type LoadedPipeline, loadPipelines } from './pipeline-service.ts';
import { forecastSubmissions, opportunities } from './schema.ts';

/**
 * The pipeline summary, the forecast rollup, forecast submissions and funnel analytics. Each figure
 * is aggregated in SQL over the deals the caller can see (the list's own conditions, scope
 * included), then finished in process with the pure rules of pipeline.ts and forecast.ts.
 * Weighted figures are Σ amount × probability ÷ 100, exact, rounded half-up to fen once, for display.
 */

/** The company's fiscal year: the calendar year (the norm in China). A company setting later. */
export const FISCAL_CALENDAR: FiscalCalendar = { fiscalYearStartMonth: 1 };

const zero = () => Money.zero(COMPANY_CURRENCY);
/** One collator for the process: localeCompare with a locale builds one per call (~20 µs). */
const byChineseName = new Intl.Collator('zh-CN');
const cny = (amount: string | Dec) => Money.of(new Dec(amount), COMPANY_CURRENCY);
/** Company money on the wire, rounded half-up to fen (Dec rounds half-up). */
const out = (m: Money) => ({ amount: m.amount.toFixed(2), currency: COMPANY_CURRENCY });

async function pipelineFor(ctx: ServiceContext, pipelineId: string | undefined): Promise<LoadedPipeline> {
  const all = await loadPipelines(ctx.db);
  const found = pipelineId ? all.get(pipelineId) : [...all.values()].find((p) => p.row.isDefault && p.row.active);
  if (!found) throw notFound('pipeline');
  return found;
}

// ---------------------------------------------------------------------------------------------
// Pipeline summary

export async function getPipelineSummary(ctx: ServiceContext, q: PipelineSummaryQuery): Promise<PipelineSummary> {
  const where = await listConditions(ctx, { ...q, includeSubunits: true });
  const pipeline = await pipelineFor(ctx, q.pipelineId);
  // Per stage and probability (a handful of groups): the weighted sum is then Σ amount × p ÷ 100 over
  // the groups, exact, without a numeric multiplication per deal in the database.
  const rows = await queryRows<{ stage_key: string; probability: number; n: number; amount: string }>(
    ctx.db,
    sql`SELECT ${opportunities.stageKey} AS stage_key, ${opportunities.probability} AS probability, count(*)::int AS n,
               sum(${opportunities.amountCompany})::text AS amount
          FROM ${opportunities}
         WHERE ${and(eq(opportunities.pipelineId, pipeline.row.id), where)}
         GROUP BY 1, 2`,
  );
  const byStage = new Map<string, { n: number; amount: Money; weighted: Money }>();
  for (const r of rows) {
    const t = byStage.get(r.stage_key) ?? { n: 0, amount: zero(), weighted: zero() };
    const amount = cny(r.amount);
    byStage.set(r.stage_key, { n: t.n + r.n, amount: t.amount.plus(amount), weighted: t.weighted.plus(amount.times(r.probability).dividedBy(100)) });
  }
  const sum = { open: { count: 0, amount: zero(), weighted: zero() }, total: { count: 0, amount: zero(), weighted: zero() } };
  const stages = pipeline.definition.stages.map((s) => {
    const r = byStage.get(s.key);
    const count = r?.n ?? 0;
    const amount = r?.amount ?? zero();
    const weighted = r?.weighted ?? zero();
    for (const t of s.kind === 'open' ? [sum.open, sum.total] : [sum.total]) {
      t.count += count;
      t.amount = t.amount.plus(amount);
      t.weighted = t.weighted.plus(weighted);
    }
    return { stageKey: s.key, name: s.name, kind: s.kind, probability: s.probability, count, amount: out(amount), weighted: out(weighted) };
  });
  const totals = (t: typeof sum.open) => ({ count: t.count, amount: out(t.amount), weighted: out(t.weighted) });
  return { pipelineId: pipeline.row.id, currency: COMPANY_CURRENCY, stages, open: totals(sum.open), total: totals(sum.total) };
}

// ---------------------------------------------------------------------------------------------
// Forecast rollup

function periodOf(key: string): FiscalPeriod {
  return rule(() => getFiscalPeriodByKey(key, FISCAL_CALENDAR));
}

interface GroupRow {
  unit_id: string;
  owner_id: string;
  pipeline_id: string;
  stage_key: string;
  category_default: ForecastCategory;
  category_override: ForecastCategory | null;
  n: number;
  amount: string;
  /** Σ amount × probability (percent), exact: ÷ 100 is the weighted amount. */
  weighted_x100: string;
}

interface ComputedForecast {
  period: FiscalPeriod;
  rootId: string;
  lines: ForecastLine[];
}

/** The unit asked for, or the caller's home unit; 422 when neither exists. */
function rootUnitOf(ctx: ServiceContext, unitId: string | undefined, units: Map<string, OrgUnit>, path: string): string {
  const root = unitId ?? ctx.actor.unitId;
  if (!root || !units.has(root)) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message: unitId ? 'v:uuid' : 'v:required' }] });
  return root;
}

async function computeForecast(ctx: ServiceContext, periodKey: string, unitId: string | undefined, unitPath: string): Promise<ComputedForecast> {
  const period = periodOf(periodKey);
  const tree = await getOrgTree(ctx);
  const units = new Map(tree.units.map((u) => [u.id, u]));
  const rootId = rootUnitOf(ctx, unitId, units, unitPath);
  const subtree = await getSubtreeUnitIds(ctx.db, rootId);
  // The same rule as the list: units all inside the caller's scope need no scope condition.
  const scope = unitsWithinScope(ctx, subtree) ? undefined : await opportunityReadFilter(ctx);
  const pipelinesById = await loadPipelines(ctx.db);
  // GROUP BY the unit, the rep and the inputs of the effective category (pipeline.ts decides the
  // category, not SQL): about 3,000 groups for a business group's quarter at a million deals. The
  // planner's estimate of the groups is ten times too high and would sort 56,000 rows by six keys;
  // with room for a hash table the aggregate takes a third less time (decision 0008).
  const rows = await withTx(ctx.db, async (tx) => {
    await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
    return queryRows<GroupRow>(
      tx,
      sql`SELECT ${opportunities.unitId} AS unit_id, ${opportunities.ownerId} AS owner_id, ${opportunities.pipelineId} AS pipeline_id,
                 ${opportunities.stageKey} AS stage_key, ${opportunities.forecastCategoryDefault} AS category_default,
                 ${opportunities.forecastCategoryOverride} AS category_override,
                 count(*)::int AS n, sum(${opportunities.amountCompany})::text AS amount,
                 sum(${opportunities.amountCompany} * ${opportunities.probability})::text AS weighted_x100
            FROM ${opportunities}
           WHERE ${and(
             sql`${opportunities.unitId} = ANY(${`{${subtree.join(',')}}`}::uuid[])`,
             sql`${opportunities.expectedCloseDate} BETWEEN ${period.start} AND ${period.end}`,
             scope,
           )}
           GROUP BY 1, 2, 3, 4, 5, 6`,
    );
  });

  // Unit paths from a deal's unit up to the root asked for (a unit no longer in today's chart hangs under the root).
  const inSubtree = new Set(subtree);
  const paths = new Map<string, string[]>();
  const pathOf = (unit: string): string[] => {
    let p = paths.get(unit);
    if (p) return p;
    p = [];
    for (let cur: string | null = unit; cur && inSubtree.has(cur) && p.length < 50; cur = units.get(cur)?.parentId ?? null) {
      p.push(cur);
      if (cur === rootId) break;
    }
    if (p.at(-1) !== rootId) p.push(rootId);
    paths.set(unit, p);
    return p;
  };

  // Sum the groups per (unit, category) and per (rep, category) first: the unit rollup then walks
  // ~200 sums up the chart instead of 3,000 groups, and the rep lines are one-step rollups. The
  // category of each combination comes from pipeline.ts (memoized: a handful of combinations).
  // Sums are exact scaled integers (amounts have 2 decimals; Σ amount × percent too), added in place.
  type Sum = ForecastSum & { amount: ScaledDecimal; weightedX100: ScaledDecimal };
  const byUnit = new Map<string, Sum>();
  const byRep = new Map<string, Sum>();
  const repUnit = new Map<string, string>();
  const categoryOf = new Map<string, ForecastCategory>();
  const sumsOf = (into: Map<string, Sum>, key: string, category: ForecastCategory, path: () => readonly string[]) => {
    let s = into.get(key);
    if (!s) into.set(key, (s = { count: 0, amount: new ScaledDecimal(), weightedX100: new ScaledDecimal(), category, ownerUnitPath: path() }));
    return s;
  };
  for (const r of rows) {
    const combo = `${r.pipeline_id}|${r.stage_key}|${r.category_default}|${r.category_override ?? ''}`;
    let category = categoryOf.get(combo);
    if (!category) {
      const def = pipelinesById.get(r.pipeline_id)?.definition;
      const kind = (def && getStage(def, r.stage_key)?.kind) ?? 'open';
      category = effectiveForecastCategory({ stageKind: kind, stageDefault: r.category_default, override: r.category_override });
      categoryOf.set(combo, category);
    }
    const unitId = r.unit_id;
    const ownerId = r.owner_id;
    const amount = ScaledDecimal.of(r.amount);
    const weightedX100 = ScaledDecimal.of(r.weighted_x100);
    for (const s of [sumsOf(byUnit, `${unitId}|${category}`, category, () => pathOf(unitId)), sumsOf(byRep, `${ownerId}|${category}`, category, () => [ownerId])]) {
      s.count += r.n;
      s.amount.addSum(amount);
      s.weightedX100.addSum(weightedX100);
    }
    if (!repUnit.has(ownerId)) repUnit.set(ownerId, unitId);
  }
  // Exact totals, formatted straight from the scaled integers (half-up to fen): no Decimal per figure.
  const rollup = { units: new Map([...rollupForecastSumsExact([...byUnit.values()]), ...rollupForecastSumsExact([...byRep.values()])]) };
  const reps = await getUserBriefs(ctx.db, [...repUnit.keys()]);

  const line = (id: string, level: ForecastLine['level'], nameZh: string, nameEn: string | null, parentId: string | null): ForecastLine => {
    const u = rollup.units.get(id);
    const aw = (t: ExactTotals | undefined) => ({
      amount: { amount: t ? t.amount.toFixed(2) : '0.00', currency: COMPANY_CURRENCY },
      weighted: { amount: t ? t.weightedX100.toFixed(2, 2) : '0.00', currency: COMPANY_CURRENCY },
    });
    return {
      id,
      level,
      nameZh,
      nameEn,
      parentId,
      byCategory: Object.fromEntries(
        FORECAST_CATEGORIES.map((k) => [k, { count: u?.byCategory[k].count ?? 0, ...aw(u?.byCategory[k]) }]),
      ) as ForecastLine['byCategory'],
      cumulative: {
        closed: aw(u?.cumulative.closed),
        commit: aw(u?.cumulative.commit),
        bestCase: aw(u?.cumulative.bestCase),
        openPipeline: aw(u?.cumulative.openPipeline),
      },
    };
  };

  const depth = (id: string) => pathOf(id).length;
  const unitLines = [...new Set([rootId, ...[...rollup.units.keys()].filter((id) => units.has(id))])]
    .sort((a, b) => (a === rootId ? -1 : b === rootId ? 1 : depth(a) - depth(b) || units.get(a)!.code.localeCompare(units.get(b)!.code)))
    .map((id) => {
      const u = units.get(id)!;
      return line(id, u.kind, u.nameZh, u.nameEn, id === rootId ? u.parentId : (u.parentId ?? null));
    });
  const repLines = [...repUnit.entries()]
    .map(([id, unit]) => {
      const b = reps.get(id);
      return line(id, 'rep', b?.nameZh ?? '', b?.nameEn ?? null, unit);
    })
    .sort((a, b) => byChineseName.compare(a.nameZh, b.nameZh) || (a.id < b.id ? -1 : 1));
  return { period, rootId, lines: [...unitLines, ...repLines] };
}

export async function getForecast(ctx: ServiceContext, q: ForecastQuery): Promise<Forecast> {
  const f = await computeForecast(ctx, q.period, q.unitId, 'query.unitId');
  return {
    period: { key: f.period.key, start: f.period.start, end: f.period.end },
    unitId: f.rootId,
    currency: 'CNY',
    lines: f.lines,
  };
}

// ---------------------------------------------------------------------------------------------
// Submissions

type SubmissionRow = typeof forecastSubmissions.$inferSelect;

/** May the actor submit for this unit? Their forecast.submit scope must reach it. */
function assertCanSubmitFor(ctx: ServiceContext, unitId: string): void {
  const action = CrmPermissions['crm.forecast.submit'];
  const scope = assertCan(ctx.actor, action);
  if (!reachesUnit(ctx, scope, unitId)) throw forbidden(action);
}

function reachesUnit(ctx: ServiceContext, scope: string | null, unitId: string): boolean {
  if (scope === 'all') return true;
  if (scope === 'subtree') return ctx.actor.subtreeUnitIds.includes(unitId);
  if (scope === 'team') return ctx.actor.unitId === unitId;
  return false;
}

function amountsOf(figures: SubmissionRow['figures']): ForecastFigures {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, cny(v.amount)])) as ForecastFigures;
}

function toSubmission(row: SubmissionRow, history: readonly SubmissionRow[]): ForecastSubmission {
  const commit = cny(row.figures['closed']?.amount ?? '0').plus(cny(row.figures['commit']?.amount ?? '0'));
  const adjustment = cny(row.adjustment);
  const earlier = history.filter((h) => h.id !== row.id && h.submittedAt.getTime() <= row.submittedAt.getTime());
  const base = pickComparisonSubmission(earlier, row.submittedAt, 7);
  return {
    id: row.id,
    unitId: row.unitId,
    period: row.periodKey,
    submittedBy: row.submittedBy,
    submittedAt: row.submittedAt.toISOString(),
    figures: Object.fromEntries(
      Object.entries(row.figures).map(([k, v]) => [k, { amount: moneyOut(v.amount, row.currency), weighted: moneyOut(v.weighted, row.currency) }]),
    ) as ForecastSubmission['figures'],
    adjustment: out(adjustment),
    adjustedCommit: out(commit.plus(adjustment)),
    comment: row.comment,
    weekOverWeek: base
      ? {
          comparedWith: base.id,
          changes: diffForecastFigures(amountsOf(base.figures), amountsOf(row.figures)).map((c) => ({
            category: c.category,
            previous: out(c.previous),
            current: out(c.current),
            change: out(c.change),
            changePercent: c.changePercent,
          })),
        }
      : null,
  };
}

export async function createForecastSubmission(ctx: ServiceContext, body: CreateForecastSubmissionBody): Promise<ForecastSubmission> {
  assertCanSubmitFor(ctx, body.unitId);
  // The snapshot is what the manager sees now: their visible deals in the unit's subtree.
  const f = await computeForecast(ctx, body.period, body.unitId, 'unitId');
  const root = f.lines[0]!;
  const figures = Object.fromEntries(
    FORECAST_CATEGORIES.map((k) => [k, { amount: root.byCategory[k].amount.amount, weighted: root.byCategory[k].weighted.amount }]),
  );
  const adjustment = Money.fromJSON(body.adjustment);
  const row = await withTx(ctx.db, async (tx) => {
    const [inserted] = await tx
      .insert(forecastSubmissions)
      .values({
        id: newId(),
        periodKey: f.period.key,
        unitId: body.unitId,
        submittedBy: ctx.actor.userId,
        submittedAt: ctx.now,
        currency: COMPANY_CURRENCY,
        figures,
        adjustment: adjustment.amount.toFixed(2),
        comment: body.comment ?? null,
      })
      .returning();
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'forecast_submission',
      entityId: inserted!.id,
      action: 'create',
      changes: diffRecords(null, inserted!),
    });
    return inserted!;
  });
  const history = await ctx.db
    .select()
    .from(forecastSubmissions)
    .where(and(eq(forecastSubmissions.unitId, row.unitId), eq(forecastSubmissions.periodKey, row.periodKey)));
  return toSubmission(row, history);
}

/** Submissions are read by whoever may submit for the unit or sees its deals (404 for anyone else). */
function assertCanReadSubmissions(ctx: ServiceContext, unitId: string): void {
  const submit = scopeFor(ctx.actor, CrmPermissions['crm.forecast.submit']);
  const read = scopeFor(ctx.actor, CrmPermissions['crm.opportunities.read']);
  if (!submit && !read) throw forbidden(CrmPermissions['crm.opportunities.read']);
  if (!reachesUnit(ctx, submit, unitId) && !reachesUnit(ctx, read, unitId)) throw notFound('forecast');
}

export async function listForecastSubmissions(ctx: ServiceContext, q: ForecastSubmissionsQuery): Promise<ForecastSubmissionList> {
  assertCanReadSubmissions(ctx, q.unitId);
  const period = periodOf(q.period);
  const rows = await ctx.db
    .select()
    .from(forecastSubmissions)
    .where(and(eq(forecastSubmissions.unitId, q.unitId), eq(forecastSubmissions.periodKey, period.key)))
    .orderBy(desc(forecastSubmissions.submittedAt), desc(forecastSubmissions.id));
  return { items: rows.map((r) => toSubmission(r, rows)) };
}

export async function canReadForecastSubmission(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db.select({ unitId: forecastSubmissions.unitId }).from(forecastSubmissions).where(eq(forecastSubmissions.id, id));
  if (!row) return false;
  try {
    assertCanReadSubmissions(ctx, row.unitId);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Funnel analytics from the stage history

export async function getPipelineAnalytics(ctx: ServiceContext, q: PipelineAnalyticsQuery): Promise<PipelineAnalytics> {
  if (q.from > q.to) throw new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path: 'query.to', message: 'v:range_order' }] });
  const scope = await opportunityReadFilter(ctx);
  const pipeline = await pipelineFor(ctx, q.pipelineId);
  const def = pipeline.definition;
  // The cohort: visible deals of the pipeline created within [from, to] (company time zone).
  const cohort = sql`SELECT ${opportunities.id} AS id FROM ${opportunities}
     WHERE ${and(
       eq(opportunities.pipelineId, pipeline.row.id),
       sql`${opportunities.createdAt} >= (${q.from}::date)::timestamp AT TIME ZONE ${COMPANY_TIME_ZONE}`,
       sql`${opportunities.createdAt} < ((${q.to}::date + 1))::timestamp AT TIME ZONE ${COMPANY_TIME_ZONE}`,
       scope,
     )}`;
  const [paths, spans] = await Promise.all([
    // Deals with the same path of stages count the same in every figure: group them.
    queryRows<{ path: string[]; n: number }>(
      ctx.db,
      sql`WITH cohort AS (${cohort}),
               paths AS (SELECT array_agg(h.to_stage ORDER BY h.changed_at, h.id) AS path
                           FROM crm_stage_history h JOIN cohort c ON c.id = h.opportunity_id
                          GROUP BY h.opportunity_id)
          SELECT path, count(*)::int AS n FROM paths GROUP BY path`,
    ),
    // Time in stage, revisits summed per deal; an entry lasts until the next one, the last until now.
    queryRows<{ stage: string; seconds: string; deals: number }>(
      ctx.db,
      sql`WITH cohort AS (${cohort}),
               spans AS (SELECT h.to_stage AS stage, h.opportunity_id,
                                extract(epoch FROM (coalesce(lead(h.changed_at) OVER (PARTITION BY h.opportunity_id ORDER BY h.changed_at, h.id),
                                                             greatest(${ctx.now.toISOString()}::timestamptz, h.changed_at)) - h.changed_at)) AS seconds
                           FROM crm_stage_history h JOIN cohort c ON c.id = h.opportunity_id)
          SELECT stage, sum(seconds)::text AS seconds, count(DISTINCT opportunity_id)::int AS deals FROM spans GROUP BY stage`,
    ),
  ]);

  const totals = new Map<string, Omit<StageConversion, 'advanceRate' | 'winRate'>>(
    def.stages.map((s) => [s.key, { stage: s.key, kind: s.kind, entered: 0, advanced: 0, won: 0, lost: 0, open: 0 }]),
  );
  let deals = 0;
  for (const p of paths) {
    deals += p.n;
    for (const c of computeStageConversion(def, [p.path.map((stage) => ({ stage }))])) {
      const t = totals.get(c.stage)!;
      t.entered += c.entered * p.n;
      t.advanced += c.advanced * p.n;
      t.won += c.won * p.n;
      t.lost += c.lost * p.n;
      t.open += c.open * p.n;
    }
  }
  const time = new Map(spans.map((s) => [s.stage, s]));
  // The same ratio as computeStageConversion (4 decimals), over the summed counts.
  const ratio = (n: number, d: number) => (d === 0 ? null : new Dec(n).dividedBy(d).toFixed(4));
  return {
    pipelineId: pipeline.row.id,
    from: q.from,
    to: q.to,
    deals,
    stages: [...totals.values()].map((t) => {
      const s = time.get(t.stage);
      return {
        stageKey: t.stage,
        kind: t.kind,
        entered: t.entered,
        advanced: t.advanced,
        won: t.won,
        lost: t.lost,
        open: t.open,
        advanceRate: t.kind === 'open' ? ratio(t.advanced, t.entered) : null,
        winRate: ratio(t.won, t.entered),
        avgDaysInStage: t.kind === 'open' && s && s.deals > 0 ? new Dec(s.seconds).dividedBy(s.deals).dividedBy(86_400).toFixed(2) : null,
      };
    }),
  };
}
