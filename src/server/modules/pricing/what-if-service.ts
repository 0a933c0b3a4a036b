import { Dec, type Money } from '../../../shared/money.ts';
import { assertCan } from '../../platform/access.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { AppError, PlatformErrors } from '../../platform/errors.ts';
import { getListTierRuleId, isValidOn, listGroupAncestors, toEngineCatalog, toListTierRule } from '../catalog/catalog.ts';
import { getCompanyToday, getContractPriceLists, getPricingPriceBook, loadPricingCatalog } from '../catalog/service.ts';
import { getAccountPricingProfile } from '../crm/account-service.ts';
import { listCustomerGroups } from '../crm/customer-group-service.ts';
import type { CustomerGroupNode } from '../crm/account-contract.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { createCatalogIndex } from './catalog.ts';
import type { WhatIfBody, WhatIfResult } from './contract.ts';
import { computeQuotePricing } from './engine.ts';
import { PricingErrors } from './errors.ts';
import { collectRuleIds, formatExplanationStep, listExplanationSteps } from './explanation.ts';
import { PricingPermissions } from './permissions.ts';
import type { PricingRule } from './pricing-rule.ts';
import type { ContractPriceList, PricingCustomer, PricingRequest } from './pricing-types.ts';
import { getPublishedRuleCache, withRuleOverlay } from './rule-cache.ts';
import { getRuleCodes, loadDraftRules } from './rule-service.ts';

/**
 * The what-if tester: prices sample lines with the engine against the published rules, with the
 * chosen rules' drafts in place of their published versions, and returns every line's explanation
 * and the rule versions that changed its price. Nothing is stored.
 */

function flattenGroupParents(nodes: readonly CustomerGroupNode[], out = new Map<string, string | null>()): Map<string, string | null> {
  for (const n of nodes) {
    out.set(n.id, n.parentId);
    flattenGroupParents(n.children, out);
  }
  return out;
}

export async function priceWhatIf(ctx: ServiceContext, body: WhatIfBody): Promise<WhatIfResult> {
  assertCan(ctx.actor, PricingPermissions['pricing.rules.read']);
  if (body.draftRuleIds.length > 0) {
    // Drafts are not yet rules anyone else sees: only their authors' roles may price with them.
    assertCan(ctx.actor, PricingPermissions['pricing.rules.write']);
  }
  const book = await getPricingPriceBook(ctx.db, body.priceBookId);
  if (!book) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'priceBookId', message: 'v:uuid' }] });
  if (body.currency !== book.currency) {
    throw new AppError(PricingErrors.currency_mismatch, {
      params: { given: body.currency, expected: book.currency },
      errors: [{ path: 'currency', message: 'v:currency_mismatch' }],
    });
  }
  const pricingDate = body.pricingDate ?? getCompanyToday(ctx);
  if (!book.isActive || !isValidOn(book, pricingDate)) {
    throw new AppError(PricingErrors.price_book_not_valid, {
      params: { date: pricingDate },
      errors: [{ path: 'pricingDate', message: 'v:price_book_not_valid' }],
    });
  }

  let customer: PricingCustomer;
  let contractPrices: ContractPriceList[] = [];
  if (body.accountId) {
    let profile;
    try {
      profile = await getAccountPricingProfile(ctx, body.accountId);
    } catch (error) {
      if (error instanceof AppError && error.code === PlatformErrors.not_found) {
        throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'accountId', message: 'v:uuid' }] });
      }
      throw error;
    }
    customer = {
      id: profile.id,
      parentAccountIds: profile.parentAccountIds,
      groupAncestors: profile.customerGroupAncestors,
      kind: body.customer?.kind ?? profile.kind,
      region: body.customer?.region ?? profile.region,
      custom: profile.custom,
    };
    contractPrices = await getContractPriceLists(ctx.db, [profile.id, ...profile.parentAccountIds], book.currency, pricingDate);
  } else {
    const groupId = body.customer?.customerGroupId;
    let groupAncestors: string[] = [];
    if (groupId) {
      const parents = flattenGroupParents((await listCustomerGroups(ctx)).items);
      if (!parents.has(groupId)) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'customer.customerGroupId', message: 'v:uuid' }] });
      groupAncestors = listGroupAncestors(groupId, (id) => parents.get(id));
    }
    customer = { id: 'sample-customer', groupAncestors, kind: body.customer?.kind ?? '', region: body.customer?.region ?? '' };
  }

  const catalogRows = await loadPricingCatalog(ctx.db);
  const known = new Set(catalogRows.products.map((p) => p.id));
  const unknown = body.lines.flatMap((l, i) => (known.has(l.productId) ? [] : [{ path: `lines.${i}.productId`, message: 'v:unknown_product' }]));
  if (unknown.length > 0) throw new AppError(PlatformErrors.reference_invalid, { errors: unknown });
  const index = createCatalogIndex(toEngineCatalog(catalogRows.groups, catalogRows.products));

  const drafts = await loadDraftRules(ctx.db, body.draftRuleIds);
  if (drafts.missing.length > 0) {
    throw new AppError(PricingErrors.no_draft, {
      errors: drafts.missing.map((id) => ({ path: `draftRuleIds.${body.draftRuleIds.indexOf(id)}`, message: 'v:no_draft' })),
    });
  }
  const cache = getPublishedRuleCache(ctx.db);
  const set = await cache.getRuleSet(ctx.db);
  const tierRules: PricingRule[] = book.entries.flatMap((e) =>
    e.tiers ? [toListTierRule({ priceBookId: book.id, productId: e.productId, tiers: e.tiers }, book.currency, book.version)] : [],
  );
  const prices: Record<string, string> = {};
  for (const e of book.entries) prices[e.productId] = e.unitPrice;
  const request: PricingRequest = {
    customer,
    quote: { currency: book.currency, pricingDate, timeZone: COMPANY_TIME_ZONE, ...(body.termMonths ? { termMonths: body.termMonths } : {}) },
    priceBook: { id: book.id, currency: book.currency, prices },
    contractPrices,
    lines: body.lines.map((l, i) => ({
      id: l.id ?? `L${i + 1}`,
      productId: l.productId,
      quantity: l.quantity,
      ...(l.termMonths ? { termMonths: l.termMonths } : {}),
      ...(l.parentLineId ? { parentLineId: l.parentLineId } : {}),
      ...(l.manualDiscountPercent ? { manualDiscountPercent: l.manualDiscountPercent } : {}),
    })),
  };
  const draftVersions = new Map(drafts.rules.map((r) => [r.id, r.version]));
  const locale = ctx.actor.locale === 'en' ? 'en' : 'zh';
  const { result, ruleErrors } = withRuleOverlay(set, [...tierRules, ...drafts.rules], (errors) => ({
    result: computeQuotePricing(set, index, request),
    ruleErrors: [...set.errors, ...errors].map((e) => ({ ruleId: e.ruleId, code: e.code, message: e.message })),
  }));

  // Every rule the explanations name is shown by its code, not only the applied ones.
  const mentioned = new Set<string>();
  for (const line of result.lines) collectRuleIds(line.explanation, mentioned);
  const codes = await getRuleCodes(ctx.db, [...mentioned].filter((id) => !id.startsWith('pricebook:')));
  const versionOf = (ruleId: string): { version: number; isDraft: boolean } => {
    if (ruleId === getListTierRuleIdFor(ruleId)) return { version: book.version, isDraft: false };
    const draft = draftVersions.get(ruleId);
    if (draft !== undefined) return { version: draft, isDraft: true };
    return { version: cache.getInfo(ruleId)?.version ?? 0, isDraft: false };
  };
  const labelled = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => codes.get(id) ?? id);

  return {
    currency: result.currency,
    pricingDate: result.pricingDate,
    lines: result.lines.map((line) => {
      const used = [...new Set(line.explanation.steps.flatMap((s) => (s.type === 'applied' ? [s.ruleId] : [])))];
      const json = line.toJSON();
      return {
        lineId: json.lineId,
        productId: json.productId,
        quantity: json.quantity,
        role: json.role,
        status: json.status,
        listUnit: json.listUnit,
        netUnit: json.netUnit,
        list: toMoney(line.list),
        net: toMoney(line.net),
        tax: toMoney(line.tax),
        taxPercent: json.taxPercent,
        discountPercent: json.discountPercent,
        rulesUsed: used.map((ruleId) => ({ ruleId, code: codes.get(ruleId) ?? null, ...versionOf(ruleId) })),
        explanation: listExplanationSteps(line.explanation).map((s) => ({
          type: s.type,
          ruleId: 'ruleId' in s ? s.ruleId : null,
          text: labelled(formatExplanationStep(s, locale)),
        })),
        issues: json.issues.map((i) => ({ code: i.code, message: i.message })),
      };
    }),
    totals: {
      list: toMoney(result.totals.list),
      net: toMoney(result.totals.net),
      tax: toMoney(result.totals.tax),
      grandTotal: toMoney(result.totals.grandTotal),
      discountPercent: result.totals.discountPercent,
    },
    advisories: JSON.parse(JSON.stringify(result.advisories, (_k, v: unknown) => (v instanceof Dec ? v.toFixed() : v))) as Record<string, unknown>[],
    ruleErrors,
    hasErrors: result.hasErrors,
  };
}

function toMoney(m: Money) {
  return { amount: m.toJSON().amount, currency: m.currency };
}

/** A list-tier rule id maps back to itself; anything else to ''. */
function getListTierRuleIdFor(ruleId: string): string {
  const m = /^pricebook:([^:]+):(.+)$/.exec(ruleId);
  return m ? getListTierRuleId(m[1]!, m[2]!) : '';
}

