import { and, asc, desc, eq, gt, ilike, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Page } from '../../../shared/api.ts';
import type { Locale } from '../../../shared/i18n/resources.ts';
import { localDate } from '../../../shared/dates.ts';
import { assertCan, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, type FieldError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { translate } from '../../platform/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { decodeCursor, encodeCursor, toPage } from '../../platform/pagination.ts';
import { loadPricingCatalog, type PricingCatalogRows } from '../catalog/service.ts';
import { toEngineCatalog } from '../catalog/catalog.ts';
import { getAccountPricingProfile } from '../crm/account-service.ts';
import { getCustomerGroup, listCustomerGroups } from '../crm/customer-group-service.ts';
import type { CustomerGroupNode } from '../crm/account-contract.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { analyzeRules, formatRuleFinding, type RuleFinding } from './analyze.ts';
import { createCatalogIndex } from './catalog.ts';
import { compileRules } from './compile.ts';
import type {
  CreateRuleBody,
  ListRulesQuery,
  PublishResult,
  Rule,
  RuleCheck,
  RuleDefinition,
  RuleFindingView,
  RuleSummary,
  RuleVersion,
  RuleVersionBody,
  SaveDraftBody,
} from './contract.ts';
import { PricingErrors } from './errors.ts';
import { PricingPermissions } from './permissions.ts';
import type { PricingRule, RuleCompileError } from './pricing-rule.ts';
import { getPublishedRuleCache, toPricingRule, withRuleOverlay } from './rule-cache.ts';
import { pricingRuleVersions, pricingRules } from './schema.ts';

/**
 * Pricing rules with versions. A rule is created with draft v1; saving edits the draft, or — when
 * only a published version exists — starts the next draft (a published version never changes).
 * Publishing supersedes the previous published version and returns the overlap and shadow analysis
 * of the rule against every other published rule. Every save compiles the rule with the engine:
 * CEL errors come back with line and column, unknown fields and non-ascending tiers as field
 * problems, and nothing is stored.
 */

type RuleRow = typeof pricingRules.$inferSelect;
type VersionRow = typeof pricingRuleVersions.$inferSelect;

function auditSource(ctx: ServiceContext) {
  return { actorId: ctx.actor.userId, requestId: ctx.requestId };
}

function toVersion(v: VersionRow): RuleVersion {
  return {
    number: v.number,
    status: v.status,
    name: v.name,
    definition: v.definition,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    publishedBy: v.publishedBy,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
}

function toSummary(r: RuleRow, latest: Pick<VersionRow, 'name' | 'definition'>): RuleSummary {
  return {
    id: r.id,
    code: r.code,
    status: r.status,
    name: latest.name,
    phase: latest.definition.phase,
    publishedVersion: r.publishedVersion,
    draftVersion: r.draftVersion,
    latestVersion: r.latestVersion,
    version: r.version,
    updatedAt: r.updatedAt.toISOString(),
  };
}

async function loadRule(db: DbOrTx, id: string): Promise<Rule> {
  const [row] = await db.select().from(pricingRules).where(eq(pricingRules.id, id));
  if (!row) throw notFound('pricing rule');
  const versions = await db.select().from(pricingRuleVersions).where(eq(pricingRuleVersions.ruleId, id)).orderBy(desc(pricingRuleVersions.number));
  return { ...toSummary(row, versions[0]!), versions: versions.map(toVersion) };
}

export async function canReadRule(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db.select({ id: pricingRules.id }).from(pricingRules).where(eq(pricingRules.id, id));
  return !!row;
}

export async function getRule(ctx: ServiceContext, id: string): Promise<Rule> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.read']);
  return loadRule(ctx.db, id);
}

const RULE_SORT = 'code';

export async function listRules(ctx: ServiceContext, q: ListRulesQuery): Promise<Page<RuleSummary>> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.read']);
  const conds: (SQL | undefined)[] = [];
  if (q.status) conds.push(eq(pricingRules.status, q.status));
  if (q.hasDraft === 'true') conds.push(isNotNull(pricingRules.draftVersion));
  if (q.hasDraft === 'false') conds.push(sql`${pricingRules.draftVersion} IS NULL`);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(ilike(pricingRules.code, like), ilike(pricingRuleVersions.name, like)));
  }
  if (q.cursor) {
    const [code, id] = decodeCursor(RULE_SORT, q.cursor, 2) as [string, string];
    conds.push(or(gt(pricingRules.code, code), and(eq(pricingRules.code, code), gt(pricingRules.id, id))));
  }
  const rows = await ctx.db
    .select({ r: pricingRules, name: pricingRuleVersions.name, definition: pricingRuleVersions.definition })
    .from(pricingRules)
    .innerJoin(pricingRuleVersions, and(eq(pricingRuleVersions.ruleId, pricingRules.id), eq(pricingRuleVersions.number, pricingRules.latestVersion)))
    .where(whereAll(...conds))
    .orderBy(asc(pricingRules.code), asc(pricingRules.id))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (x) => toSummary(x.r, x), (x) => encodeCursor(RULE_SORT, [x.r.code, x.r.id]));
}

// ── Validation at save ──────────────────────────────────────────────────────────────────────────

const CODE_TO_MESSAGE: Record<string, string> = {
  bands_not_ascending: 'v:tiers_not_ascending',
  invalid_band_start: 'v:positive_integer',
  empty_tiers: 'v:tiers_empty',
  empty_validity: 'v:date_before_start',
};

/** `action.bands[2].fromQty` → `definition.action.bands.2.fromQty`. */
function toFieldPath(e: RuleCompileError): string {
  if (e.field === 'condition') return 'definition.condition';
  const path = e.path ?? (e.field === 'validity' ? 'validTo' : e.field);
  return `definition.${path.replace(/\[(\d+)\]/g, '.$1')}`;
}

function toFieldError(e: RuleCompileError, locale: Locale): FieldError {
  if (e.field === 'condition' && e.line !== undefined) {
    return { path: 'definition.condition', message: translate(locale, 'validation', 'cel_error', { line: e.line, column: e.column ?? 1, message: e.message }) ?? e.message };
  }
  return { path: toFieldPath(e), message: CODE_TO_MESSAGE[e.code] ?? translate(locale, 'validation', 'rule_issue', { message: e.message }) ?? e.message };
}

/** Compile one rule with the engine (shape, tiers, CEL against the documented context); 422 with every problem. */
function assertCompiles(rule: PricingRule, locale: Locale): void {
  const errors = compileRules([rule]).errors;
  if (errors.length === 0) return;
  const condition = errors.find((e) => e.field === 'condition' && e.line !== undefined);
  throw new AppError(PricingErrors.invalid_rule, {
    params: { count: errors.length },
    errors: errors.map((e) => toFieldError(e, locale)),
    extra: {
      issues: errors.map((e) => ({
        path: toFieldPath(e),
        code: e.code,
        message: e.message,
        ...(e.line !== undefined ? { line: e.line, column: e.column ?? 1 } : {}),
      })),
      ...(condition ? { line: condition.line, column: condition.column } : {}),
    },
  });
}

/** Products, groups, accounts and customer groups named by the rule must exist (and the account be visible). */
async function assertReferences(ctx: ServiceContext, def: RuleDefinition, catalog: PricingCatalogRows): Promise<void> {
  const productIds = new Set(catalog.products.map((p) => p.id));
  const groupIds = new Set(catalog.groups.map((g) => g.id));
  const bad = (path: string) => new AppError(PlatformErrors.reference_invalid, { errors: [{ path, message: 'v:uuid' }] });
  const p = def.scope.product;
  if (p.kind === 'product' && !productIds.has(p.productId)) throw bad('definition.scope.product.productId');
  if (p.kind === 'group' && !groupIds.has(p.groupId)) throw bad('definition.scope.product.groupId');
  if (def.action.type === 'freeItem' && !productIds.has(def.action.productId)) throw bad('definition.action.productId');
  const c = def.scope.customer;
  try {
    if (c?.kind === 'account') await getAccountPricingProfile(ctx, c.accountId);
    if (c?.kind === 'customerGroup') await getCustomerGroup(ctx, c.groupId);
  } catch (error) {
    if (error instanceof AppError && error.code === PlatformErrors.not_found) {
      throw bad(c?.kind === 'account' ? 'definition.scope.customer.accountId' : 'definition.scope.customer.groupId');
    }
    throw error;
  }
}

async function validateDefinition(ctx: ServiceContext, id: string, number: number, name: string, def: RuleDefinition): Promise<void> {
  assertCompiles(toPricingRule(id, number, name, ctx.now, def), ctx.actor.locale);
  await assertReferences(ctx, def, await loadPricingCatalog(ctx.db));
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────────────

export async function createRule(ctx: ServiceContext, body: CreateRuleBody): Promise<Rule> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  const id = newId();
  await validateDefinition(ctx, id, 1, body.name, body.definition);
  return withTx(ctx.db, async (tx) => {
    const [taken] = await tx.select({ id: pricingRules.id }).from(pricingRules).where(sql`lower(${pricingRules.code}) = lower(${body.code})`);
    if (taken) throw new AppError(PricingErrors.code_taken, { errors: [{ path: 'code', message: 'v:code_taken' }] });
    const [rule] = await tx
      .insert(pricingRules)
      .values({ id, code: body.code, draftVersion: 1, latestVersion: 1, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    const [version] = await tx
      .insert(pricingRuleVersions)
      .values({ id: newId(), ruleId: id, number: 1, status: 'draft', name: body.name, definition: body.definition, createdBy: ctx.actor.userId, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    await writeAudit(tx, auditSource(ctx), {
      entityType: 'pricing_rule',
      entityId: id,
      action: 'create',
      changes: { ...diffRecords(null, rule!), draft: [null, { number: 1, name: body.name, definition: body.definition }] },
    });
    return { ...toSummary(rule!, version!), versions: [toVersion(version!)] };
  });
}

async function lockRule(tx: Tx, id: string, version: number): Promise<RuleRow> {
  const [row] = await tx.select().from(pricingRules).where(eq(pricingRules.id, id)).for('update');
  if (!row) throw notFound('pricing rule');
  if (row.version !== version) throw versionConflict(row.version);
  if (row.status === 'archived') throw new AppError(PricingErrors.rule_archived);
  return row;
}

/** Edit the draft; with no draft, start the next version as a draft (the published one stays as it was). */
export async function saveDraft(ctx: ServiceContext, id: string, body: SaveDraftBody): Promise<Rule> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  const [peek] = await ctx.db.select().from(pricingRules).where(eq(pricingRules.id, id));
  if (!peek) throw notFound('pricing rule');
  await validateDefinition(ctx, id, peek.draftVersion ?? peek.latestVersion + 1, body.name, body.definition);
  await withTx(ctx.db, async (tx) => {
    const rule = await lockRule(tx, id, body.version);
    if (rule.draftVersion !== null) {
      const [before] = await tx
        .select()
        .from(pricingRuleVersions)
        .where(and(eq(pricingRuleVersions.ruleId, id), eq(pricingRuleVersions.number, rule.draftVersion), eq(pricingRuleVersions.status, 'draft')))
        .for('update');
      const [after] = await tx
        .update(pricingRuleVersions)
        .set({ name: body.name, definition: body.definition, updatedAt: ctx.now })
        .where(eq(pricingRuleVersions.id, before!.id))
        .returning();
      await tx.update(pricingRules).set({ version: rule.version + 1, updatedAt: ctx.now }).where(eq(pricingRules.id, id));
      await writeAudit(tx, auditSource(ctx), {
        entityType: 'pricing_rule',
        entityId: id,
        action: 'draft.update',
        changes: { [`v${rule.draftVersion}`]: [{ name: before!.name, definition: before!.definition }, { name: after!.name, definition: after!.definition }] },
      });
      return;
    }
    const number = rule.latestVersion + 1;
    await tx
      .insert(pricingRuleVersions)
      .values({ id: newId(), ruleId: id, number, status: 'draft', name: body.name, definition: body.definition, createdBy: ctx.actor.userId, createdAt: ctx.now, updatedAt: ctx.now });
    await tx
      .update(pricingRules)
      .set({ draftVersion: number, latestVersion: number, version: rule.version + 1, updatedAt: ctx.now })
      .where(eq(pricingRules.id, id));
    await writeAudit(tx, auditSource(ctx), {
      entityType: 'pricing_rule',
      entityId: id,
      action: 'draft.create',
      changes: { [`v${number}`]: [null, { name: body.name, definition: body.definition }] },
    });
  });
  return loadRule(ctx.db, id);
}

// ── Analysis and publish ────────────────────────────────────────────────────────────────────────

function flattenGroups(nodes: readonly CustomerGroupNode[], out: { id: string; parentId: string | null; code: string }[] = []) {
  for (const n of nodes) {
    out.push({ id: n.id, parentId: n.parentId, code: n.code });
    flattenGroups(n.children, out);
  }
  return out;
}

export interface AnalysisInputs {
  catalog: PricingCatalogRows;
  customerGroups: { id: string; parentId: string | null; code: string }[];
  /** id → label (rule codes, SKUs, group codes) for readable messages. */
  labels: Map<string, string>;
}

export async function loadAnalysisInputs(ctx: ServiceContext): Promise<AnalysisInputs> {
  const catalog = await loadPricingCatalog(ctx.db);
  const customerGroups = flattenGroups((await listCustomerGroups(ctx)).items);
  const labels = new Map<string, string>();
  const codes = await ctx.db.select({ id: pricingRules.id, code: pricingRules.code }).from(pricingRules);
  for (const r of codes) labels.set(r.id, r.code);
  for (const p of catalog.products) labels.set(p.id, p.sku);
  for (const g of customerGroups) labels.set(g.id, g.code);
  return { catalog, customerGroups, labels };
}

function relabel(text: string, labels: ReadonlyMap<string, string>): string {
  return text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => labels.get(id) ?? id);
}

function concerns(f: RuleFinding, ruleId: string): boolean {
  if (f.ruleId === ruleId) return true;
  if ('byRuleId' in f && f.byRuleId === ruleId) return true;
  return f.code === 'never_applies_within' && f.scopes.some((s) => s.byRuleId === ruleId);
}

function toFindingView(f: RuleFinding, locale: Locale, labels: ReadonlyMap<string, string>): RuleFindingView {
  const { code, severity, ruleId, ...detail } = f;
  return {
    code,
    severity,
    ruleId,
    byRuleId: 'byRuleId' in f ? f.byRuleId : f.code === 'never_applies_within' ? (f.scopes[0]?.byRuleId ?? null) : null,
    message: relabel(formatRuleFinding(f, locale === 'en' ? 'en' : 'zh'), labels),
    detail,
  };
}

/**
 * Findings about `candidate` (a draft about to be published) among the published rules: the
 * cached set with the candidate put in its place for the length of the synchronous analysis.
 */
export async function analyzeCandidate(ctx: ServiceContext, candidate: PricingRule, inputs?: AnalysisInputs): Promise<RuleFindingView[]> {
  const set = await getPublishedRuleCache(ctx.db).getRuleSet(ctx.db);
  const { catalog, customerGroups, labels } = inputs ?? (await loadAnalysisInputs(ctx));
  const index = createCatalogIndex(toEngineCatalog(catalog.groups, catalog.products));
  const asOfDate = localDate(ctx.now, COMPANY_TIME_ZONE);
  const findings = withRuleOverlay(set, [candidate], () => analyzeRules(set, index, { asOfDate, customerGroups }));
  return findings.filter((f) => concerns(f, candidate.id)).map((f) => toFindingView(f, ctx.actor.locale, labels));
}

async function loadDraftRule(db: DbOrTx, rule: RuleRow): Promise<PricingRule> {
  if (rule.draftVersion === null) throw new AppError(PricingErrors.no_draft);
  const [draft] = await db
    .select()
    .from(pricingRuleVersions)
    .where(and(eq(pricingRuleVersions.ruleId, rule.id), eq(pricingRuleVersions.number, rule.draftVersion)));
  return toPricingRule(rule.id, draft!.number, draft!.name, draft!.createdAt, draft!.definition);
}

/** The analysis a publish would show, without publishing. */
export async function checkRule(ctx: ServiceContext, id: string): Promise<RuleCheck> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  const [rule] = await ctx.db.select().from(pricingRules).where(eq(pricingRules.id, id));
  if (!rule) throw notFound('pricing rule');
  return { findings: await analyzeCandidate(ctx, await loadDraftRule(ctx.db, rule)) };
}

const PUBLISH_LOCK = 7317301;

/** Next change stamp; the advisory lock is held to commit, so stamps become visible in order. */
async function nextChangeSeq(tx: Tx): Promise<number> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK})`);
  const [row] = await tx.select({ seq: sql<number>`coalesce(max(${pricingRules.changeSeq}), 0)::int` }).from(pricingRules);
  return Number(row?.seq ?? 0) + 1;
}

export async function publishRule(ctx: ServiceContext, id: string, body: RuleVersionBody): Promise<PublishResult> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  const inputs = await loadAnalysisInputs(ctx);
  let candidate: PricingRule | null = null;
  await withTx(ctx.db, async (tx) => {
    const rule = await lockRule(tx, id, body.version);
    candidate = await loadDraftRule(tx, rule);
    // Saved drafts compiled when saved; the context or engine may have changed since.
    assertCompiles(candidate, ctx.actor.locale);
    const seq = await nextChangeSeq(tx);
    if (rule.publishedVersion !== null) {
      await tx
        .update(pricingRuleVersions)
        .set({ status: 'superseded', updatedAt: ctx.now })
        .where(and(eq(pricingRuleVersions.ruleId, id), eq(pricingRuleVersions.number, rule.publishedVersion)));
    }
    await tx
      .update(pricingRuleVersions)
      .set({ status: 'published', publishedAt: ctx.now, publishedBy: ctx.actor.userId, updatedAt: ctx.now })
      .where(and(eq(pricingRuleVersions.ruleId, id), eq(pricingRuleVersions.number, rule.draftVersion!)));
    await tx
      .update(pricingRules)
      .set({ publishedVersion: rule.draftVersion, draftVersion: null, changeSeq: seq, version: rule.version + 1, updatedAt: ctx.now })
      .where(eq(pricingRules.id, id));
    await writeAudit(tx, auditSource(ctx), {
      entityType: 'pricing_rule',
      entityId: id,
      action: 'publish',
      changes: { publishedVersion: [rule.publishedVersion, rule.draftVersion] },
    });
  });
  // The analysis runs against the set as it is now (the cache catches up with this publish first).
  const findings = await analyzeCandidate(ctx, candidate!, inputs);
  return { rule: await loadRule(ctx.db, id), findings };
}

/** Archive: the published version stops applying (a later quote will not see it); versions are kept. */
export async function archiveRule(ctx: ServiceContext, id: string, body: RuleVersionBody): Promise<Rule> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  await withTx(ctx.db, async (tx) => {
    const rule = await lockRule(tx, id, body.version);
    const seq = await nextChangeSeq(tx);
    await tx
      .update(pricingRules)
      .set({ status: 'archived', archivedAt: ctx.now, changeSeq: seq, version: rule.version + 1, updatedAt: ctx.now })
      .where(eq(pricingRules.id, id));
    await writeAudit(tx, auditSource(ctx), { entityType: 'pricing_rule', entityId: id, action: 'archive', changes: { status: ['active', 'archived'] } });
  });
  return loadRule(ctx.db, id);
}

/** The current drafts of some rules, as engine rules (for the what-if tester). */
export async function loadDraftRules(db: DbOrTx, ruleIds: readonly string[]): Promise<{ rules: PricingRule[]; missing: string[] }> {
  if (ruleIds.length === 0) return { rules: [], missing: [] };
  const rows = await db
    .select({ id: pricingRules.id, v: pricingRuleVersions })
    .from(pricingRules)
    .innerJoin(pricingRuleVersions, and(eq(pricingRuleVersions.ruleId, pricingRules.id), eq(pricingRuleVersions.number, pricingRules.draftVersion)))
    .where(and(inArray(pricingRules.id, [...ruleIds]), eq(pricingRules.status, 'active')));
  const found = new Set(rows.map((r) => r.id));
  return {
    rules: rows.map((r) => toPricingRule(r.id, r.v.number, r.v.name, r.v.createdAt, r.v.definition)),
    missing: ruleIds.filter((id) => !found.has(id)),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getRuleCodes(db: DbOrTx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  // One array parameter, not one per id: an explanation can name thousands of rules. Only rule ids
  // (uuids) can have a code; anything else is left out rather than failing the cast.
  const uuids = ids.filter((id) => UUID.test(id));
  if (uuids.length === 0) return new Map();
  const rows = await db
    .select({ id: pricingRules.id, code: pricingRules.code })
    .from(pricingRules)
    .where(sql`${pricingRules.id} = ANY(${`{${uuids.join(',')}}`}::uuid[])`);
  return new Map(rows.map((r) => [r.id, r.code]));
}
