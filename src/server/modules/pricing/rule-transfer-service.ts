import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Locale } from '../../../shared/i18n/resources.ts';
import { assertCan } from '../../platform/access.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { withTx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { translate } from '../../platform/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { loadPricingCatalog } from '../catalog/service.ts';
import { productGroups } from '../catalog/schema.ts';
import { readWorkbook, writeWorkbook } from '../catalog/workbook.ts';
import { listCustomerGroups } from '../crm/customer-group-service.ts';
import type { CustomerGroupNode } from '../crm/account-contract.ts';
import { compileRules } from './compile.ts';
import type { RuleImportBody, RuleImportReport } from './contract.ts';
import { PricingErrors } from './errors.ts';
import { PricingPermissions } from './permissions.ts';
import { toPricingRule } from './rule-cache.ts';
import { buildRuleSheets, parseRuleSheets, type RuleSheetIssue, type RuleSheetNames } from './rules-xlsx.ts';
import { pricingRuleVersions, pricingRules } from './schema.ts';

/**
 * Rules to and from XLSX. Export writes the newest version of every active rule (the draft when
 * there is one). Import checks every row (layout, references, then the engine's compile: CEL with
 * line and column, tiers ascending) and, with no problem at all, writes in one transaction: a new
 * rule as draft v1, a changed rule as a new draft version (or its existing draft updated); a
 * published version is never touched. A dry run reports the same and changes nothing.
 */

function flatten(nodes: readonly CustomerGroupNode[], out: { id: string; code: string }[] = []) {
  for (const n of nodes) {
    out.push({ id: n.id, code: n.code });
    flatten(n.children, out);
  }
  return out;
}

async function loadNames(ctx: ServiceContext): Promise<RuleSheetNames> {
  const catalog = await loadPricingCatalog(ctx.db);
  const groups = await ctx.db.select({ id: productGroups.id, code: productGroups.code }).from(productGroups);
  const customerGroups = flatten((await listCustomerGroups(ctx)).items);
  const skuById = new Map(catalog.products.map((p) => [p.id, p.sku]));
  const idBySku = new Map(catalog.products.map((p) => [p.sku.toLowerCase(), p.id]));
  const groupCode = new Map(groups.map((g) => [g.id, g.code]));
  const groupId = new Map(groups.map((g) => [g.code.toLowerCase(), g.id]));
  const cgCode = new Map(customerGroups.map((g) => [g.id, g.code]));
  const cgId = new Map(customerGroups.map((g) => [g.code.toLowerCase(), g.id]));
  return {
    productSku: (id) => skuById.get(id),
    productId: (sku) => idBySku.get(sku.toLowerCase()),
    groupCode: (id) => groupCode.get(id),
    groupId: (code) => groupId.get(code.toLowerCase()),
    customerGroupCode: (id) => cgCode.get(id),
    customerGroupId: (code) => cgId.get(code.toLowerCase()),
  };
}

export async function exportRulesXlsx(ctx: ServiceContext): Promise<{ filename: string; content: Buffer }> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.read']);
  const rows = await ctx.db
    .select({ code: pricingRules.code, name: pricingRuleVersions.name, definition: pricingRuleVersions.definition })
    .from(pricingRules)
    .innerJoin(pricingRuleVersions, and(eq(pricingRuleVersions.ruleId, pricingRules.id), eq(pricingRuleVersions.number, pricingRules.latestVersion)))
    .where(eq(pricingRules.status, 'active'));
  const content = await writeWorkbook(buildRuleSheets(rows, await loadNames(ctx)));
  return { filename: `pricing-rules-${ctx.now.toISOString().slice(0, 10)}.xlsx`, content };
}

function localize(locale: Locale, issue: RuleSheetIssue, params?: Record<string, unknown>): RuleImportReport['issues'][number] {
  const key = issue.message.startsWith('v:') ? issue.message.slice(2) : null;
  return { sheet: issue.sheet, row: issue.row, column: issue.column, message: key ? (translate(locale, 'validation', key, params) ?? key) : issue.message };
}

/** Stable text of a definition for "did it change" (key order does not matter). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function importRulesXlsx(ctx: ServiceContext, body: RuleImportBody): Promise<RuleImportReport> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  const sheets = await readWorkbook(Buffer.from(body.fileBase64, 'base64'));
  if (!sheets) throw new AppError(PricingErrors.invalid_import, { params: { count: 1 }, errors: [{ path: 'fileBase64', message: 'v:not_a_workbook' }] });
  const locale = ctx.actor.locale;
  const parsed = parseRuleSheets(sheets, await loadNames(ctx));
  const issues = parsed.issues.map((i) => localize(locale, i));
  for (const r of parsed.rules) {
    for (const e of compileRules([toPricingRule('import', 1, r.name, ctx.now, r.definition)]).errors) {
      const column = e.field === 'condition' ? 'Condition' : e.field === 'validity' ? 'Valid to' : e.field === 'priority' ? 'Priority' : 'Action';
      issues.push(
        e.line !== undefined
          ? localize(locale, { sheet: 'Rules', row: r.row, column, message: 'v:cel_error' }, { line: e.line, column: e.column ?? 1, message: e.message })
          : localize(locale, { sheet: 'Rules', row: r.row, column, message: 'v:rule_issue' }, { message: `${e.path ?? e.field}: ${e.message}` }),
      );
    }
  }
  return withTx(ctx.db, async (tx) => {
    const codes = parsed.rules.map((r) => r.code.toLowerCase());
    const existing = codes.length
      ? await tx
          .select({ r: pricingRules, name: pricingRuleVersions.name, definition: pricingRuleVersions.definition })
          .from(pricingRules)
          .innerJoin(pricingRuleVersions, and(eq(pricingRuleVersions.ruleId, pricingRules.id), eq(pricingRuleVersions.number, pricingRules.latestVersion)))
          .where(inArray(sql`lower(${pricingRules.code})`, codes))
          .for('update', { of: pricingRules })
      : [];
    const byCode = new Map(existing.map((e) => [e.r.code.toLowerCase(), e]));
    const plan: { kind: 'create' | 'draft' | 'redraft' | 'same'; row: (typeof parsed.rules)[number]; current?: (typeof existing)[number] }[] = [];
    for (const row of parsed.rules) {
      const current = byCode.get(row.code.toLowerCase());
      if (!current) plan.push({ kind: 'create', row });
      else if (current.r.status === 'archived') issues.push(localize(locale, { sheet: 'Rules', row: row.row, column: 'Code', message: 'v:rule_archived' }));
      else if (current.name === row.name && canonical(current.definition) === canonical(row.definition)) plan.push({ kind: 'same', row, current });
      else plan.push({ kind: current.r.draftVersion !== null ? 'redraft' : 'draft', row, current });
    }
    issues.sort((a, b) => (a.sheet !== b.sheet ? (a.sheet === 'Rules' ? -1 : 1) : a.row - b.row));
    const report = (applied: boolean): RuleImportReport => ({
      dryRun: body.dryRun,
      applied,
      rows: parsed.rows,
      created: plan.filter((p) => p.kind === 'create').length,
      updated: plan.filter((p) => p.kind === 'draft' || p.kind === 'redraft').length,
      unchanged: plan.filter((p) => p.kind === 'same').length,
      issues,
    });
    if (body.dryRun) return report(false);
    if (issues.length > 0) {
      throw new AppError(PricingErrors.invalid_import, {
        params: { count: issues.length },
        extra: { issues },
        errors: issues.map((i) => ({ path: `${i.sheet}.${i.row}${i.column ? `.${i.column}` : ''}`, message: i.message })),
      });
    }
    const source = { actorId: ctx.actor.userId, requestId: ctx.requestId };
    for (const p of plan) {
      const { code, name, definition } = p.row;
      if (p.kind === 'same') continue;
      if (p.kind === 'create') {
        const id = newId();
        await tx.insert(pricingRules).values({ id, code, draftVersion: 1, latestVersion: 1, createdAt: ctx.now, updatedAt: ctx.now });
        await tx.insert(pricingRuleVersions).values({ id: newId(), ruleId: id, number: 1, status: 'draft', name, definition, createdBy: ctx.actor.userId, createdAt: ctx.now, updatedAt: ctx.now });
        await writeAudit(tx, source, { entityType: 'pricing_rule', entityId: id, action: 'import.create', changes: { v1: [null, { name, definition }] } });
        continue;
      }
      const rule = p.current!.r;
      if (p.kind === 'redraft') {
        await tx
          .update(pricingRuleVersions)
          .set({ name, definition, updatedAt: ctx.now })
          .where(and(eq(pricingRuleVersions.ruleId, rule.id), eq(pricingRuleVersions.number, rule.draftVersion!), eq(pricingRuleVersions.status, 'draft')));
        await tx.update(pricingRules).set({ version: rule.version + 1, updatedAt: ctx.now }).where(eq(pricingRules.id, rule.id));
      } else {
        const number = rule.latestVersion + 1;
        await tx.insert(pricingRuleVersions).values({ id: newId(), ruleId: rule.id, number, status: 'draft', name, definition, createdBy: ctx.actor.userId, createdAt: ctx.now, updatedAt: ctx.now });
        await tx.update(pricingRules).set({ draftVersion: number, latestVersion: number, version: rule.version + 1, updatedAt: ctx.now }).where(eq(pricingRules.id, rule.id));
      }
      await writeAudit(tx, source, {
        entityType: 'pricing_rule',
        entityId: rule.id,
        action: 'import.draft',
        changes: { draft: [{ name: p.current!.name, definition: p.current!.definition }, { name, definition }] },
      });
    }
    return report(true);
  });
}
