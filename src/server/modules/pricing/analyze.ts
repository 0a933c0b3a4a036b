import { ALL_INDEX_KEY, type CatalogIndex } from './catalog.ts';
import type { CompiledRule, CompiledRuleSet } from './compile.ts';
import type { ProductScope } from './pricing-rule.ts';

/**
 * Publish-time analysis of a compiled rule set: rules that can never apply (shadowed by a
 * higher-ranked exclusive rule that always matches where they do), expired rules, unreachable tier
 * bands, scopes naming unknown products or groups. Findings are codes plus parameters;
 * formatRuleFinding() renders them in zh or en.
 */

export type RuleFinding =
  | {
      /** The rule can never apply anywhere in its scope. */
      code: 'never_applies';
      severity: 'warning';
      ruleId: string;
      byRuleId: string;
      /** Why the shadowing rule ranks first. */
      because: 'higher_priority' | 'newer';
      /** The shadowing rule has no condition (else: the same condition). */
      isUnconditional: boolean;
    }
  | {
      /** The rule can never apply in parts of its scope, where more specific rules always win. One finding per rule. */
      code: 'never_applies_within';
      severity: 'info';
      ruleId: string;
      scopes: ShadowedScope[];
    }
  | {
      code: 'partially_shadowed';
      severity: 'info';
      ruleId: string;
      byRuleId: string;
      /** The stretch of the rule's validity during which it is shadowed. */
      from: string | null;
      to: string | null;
    }
  | { code: 'expired'; severity: 'info'; ruleId: string; validTo: string }
  | { code: 'unreachable_band'; severity: 'warning'; ruleId: string; bandIndex: number; fromQty: number; reason: 'above_condition_max' | 'below_condition_min' }
  | { code: 'unknown_scope_target'; severity: 'warning'; ruleId: string; target: string }
  | { code: 'unknown_free_product'; severity: 'warning'; ruleId: string; productId: string };

export interface ShadowedScope {
  within: ProductScope;
  byRuleId: string;
  because: 'higher_priority' | 'more_specific';
  isUnconditional: boolean;
}

export interface AnalyzeOptions {
  /** Today in the company time zone (YYYY-MM-DD); expired = validTo before this. */
  asOfDate?: string;
  /** The customer group tree, to see that a rule for group A also covers its subgroup B. */
  customerGroups?: { id: string; parentId?: string | null }[];
}

interface Ancestry {
  /** Strict ancestors of a rule-index key (nearest first), ending with '*'. */
  productAncestors(key: string): string[];
  /** Customer keys that cover this one (itself excluded), broadest last. */
  customerAncestors(key: string): string[];
}

function createAncestry(catalog: CatalogIndex | undefined, options: AnalyzeOptions): Ancestry {
  const customerParents = new Map<string, string>();
  for (const g of options.customerGroups ?? []) if (g.parentId) customerParents.set(g.id, g.parentId);
  return {
    productAncestors(key) {
      if (key === ALL_INDEX_KEY) return [];
      const out: string[] = [];
      if (catalog && key.startsWith('p:')) {
        const product = catalog.products.get(key.slice(2));
        const parentId = product?.input.parentProductId;
        if (parentId) out.push(`p:${parentId}`);
        for (const g of product?.groupAncestors ?? []) out.push(`g:${g}`);
      } else if (catalog && key.startsWith('g:')) {
        const group = catalog.groups.get(key.slice(2));
        for (const g of group?.ancestors.slice(1) ?? []) out.push(`g:${g}`);
      }
      out.push(ALL_INDEX_KEY);
      return out;
    },
    customerAncestors(key) {
      if (key === ALL_INDEX_KEY) return [];
      const out: string[] = [];
      if (key.startsWith('c:')) {
        const seen = new Set<string>();
        let id = customerParents.get(key.slice(2));
        while (id !== undefined && !seen.has(id)) {
          seen.add(id);
          out.push(`c:${id}`);
          id = customerParents.get(id);
        }
      }
      out.push(ALL_INDEX_KEY);
      return out;
    },
  };
}

function isPriceRule(rule: CompiledRule): boolean {
  return rule.role === 'replace' || rule.role === 'adjust';
}

/** Does S take effect wherever R's action would (currencies, bands)? Conservative: unsure means no. */
/** Currencies an action works in; null for every currency (percentages). */
function getActionCurrencies(rule: CompiledRule): string[] | null {
  const a = rule.action;
  if (a.type === 'percentDiscount') return null;
  if (a.type === 'tiers') return a.table.valueKind === 'percent' ? null : a.table.currencies;
  if (a.type === 'setPrice' || a.type === 'amountDiscount' || a.type === 'bundlePrice') return Object.keys(a.amounts);
  return [];
}

function isAlwaysApplicableOver(s: CompiledRule, r: CompiledRule): boolean {
  const sa = s.action;
  const currenciesOf = getActionCurrencies;
  if (sa.type === 'bundlePrice' && r.action.type !== 'bundlePrice') return false;
  if (sa.type === 'tiers' && (sa.table.basis !== 'quantity' || sa.table.bands[0]!.from > 1)) return false;
  const sCur = currenciesOf(s);
  if (sCur === null) return true;
  const rCur = currenciesOf(r);
  // R works in every currency (a percentage) but S only in some: S does not always take effect.
  if (rCur === null) return false;
  return rCur.every((c) => sCur.includes(c));
}

function hasSameCondition(s: CompiledRule, r: CompiledRule): boolean {
  if (s.condition === null) return true;
  return r.condition !== null && r.condition.normalized === s.condition.normalized;
}

/** Validity of S versus R: covers all of R's window, overlaps part of it, or neither. */
function compareValidity(s: CompiledRule, r: CompiledRule): { kind: 'covers' | 'overlaps' | 'disjoint'; from: string | null; to: string | null } {
  const sFrom = s.validFrom ?? '';
  const sTo = s.validTo ?? '9999-12-31';
  const rFrom = r.validFrom ?? '';
  const rTo = r.validTo ?? '9999-12-31';
  if (sFrom <= rFrom && sTo >= rTo) return { kind: 'covers', from: null, to: null };
  const from = sFrom > rFrom ? sFrom : rFrom;
  const to = sTo < rTo ? sTo : rTo;
  if (from > to) return { kind: 'disjoint', from: null, to: null };
  return { kind: 'overlaps', from: from === '' ? null : from, to: to === '9999-12-31' ? null : to };
}

function isNewer(s: CompiledRule, r: CompiledRule): boolean {
  if (s.version !== r.version) return s.version > r.version;
  if (s.createdAt !== r.createdAt) return s.createdAt > r.createdAt;
  return s.id < r.id;
}

function toProductScope(key: string): ProductScope {
  if (key.startsWith('p:')) return { kind: 'product', productId: key.slice(2) };
  if (key.startsWith('g:')) return { kind: 'group', groupId: key.slice(2) };
  return { kind: 'all' };
}

export function analyzeRules(ruleSet: CompiledRuleSet, catalogSample?: CatalogIndex, options: AnalyzeOptions = {}): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const ancestry = createAncestry(catalogSample, options);
  const rules = ruleSet.listRules();
  const reportedWhole = new Set<string>();

  const narrower = new Map<string, ShadowedScope[]>();

  const consider = (s: CompiledRule, r: CompiledRule, sIsBroader: boolean) => {
    if (s === r || s.phaseIndex !== r.phaseIndex || s.combine !== 'exclusive' || r.combine !== 'exclusive') return;
    if (s.priority < r.priority || !isPriceRule(s) || !isPriceRule(r)) return;
    let because: 'higher_priority' | 'more_specific' | 'newer';
    if (s.priority > r.priority) because = 'higher_priority';
    else if (!sIsBroader) because = 'more_specific';
    else if (s.productKey === r.productKey && s.customerKey === r.customerKey && isNewer(s, r)) because = 'newer';
    else return;
    if (!hasSameCondition(s, r) || !isAlwaysApplicableOver(s, r)) return;
    const validity = compareValidity(s, r);
    if (validity.kind === 'disjoint') return;
    const isUnconditional = s.condition === null;
    if (!sIsBroader) {
      // Partial overlaps in a narrower scope are too weak to be worth a finding.
      if (validity.kind !== 'covers' || because === 'newer') return;
      const list = narrower.get(r.id);
      const entry: ShadowedScope = { within: toProductScope(s.productKey), byRuleId: s.id, because, isUnconditional };
      if (list) list.push(entry);
      else narrower.set(r.id, [entry]);
      return;
    }
    if (validity.kind === 'overlaps') {
      findings.push({ code: 'partially_shadowed', severity: 'info', ruleId: r.id, byRuleId: s.id, from: validity.from, to: validity.to });
      return;
    }
    if (reportedWhole.has(r.id) || because === 'more_specific') return;
    reportedWhole.add(r.id);
    findings.push({ code: 'never_applies', severity: 'warning', ruleId: r.id, byRuleId: s.id, because, isUnconditional });
  };

  // (a) S as broad as R or broader (same or ancestor product key, same or covering customer key).
  for (const r of rules) {
    if (r.combine !== 'exclusive' || !isPriceRule(r)) continue;
    const productKeys = [r.productKey, ...ancestry.productAncestors(r.productKey)];
    const customerKeys = [r.customerKey, ...ancestry.customerAncestors(r.customerKey)];
    for (const pk of productKeys) {
      const buckets = ruleSet.getBuckets(pk);
      if (!buckets) continue;
      for (const ck of customerKeys) for (const s of buckets.get(ck) ?? []) consider(s, r, true);
    }
  }

  // (b) S strictly narrower on the product axis (so more specific where both apply), customer scope
  // covering R's. Candidates R per ancestor key, indexed once: exclusive price rules, and the same
  // by condition text (a conditional S can only shadow rules with the very same condition).
  const dominated = new Map<string, { all: CompiledRule[]; byCondition: Map<string, CompiledRule[]> }>();
  const getDominated = (productKey: string) => {
    let hit = dominated.get(productKey);
    if (!hit) {
      const all: CompiledRule[] = [];
      const byCondition = new Map<string, CompiledRule[]>();
      for (const entry of ruleSet.getBucketEntries(productKey) ?? []) {
        for (const r of entry.rules) {
          if (r.combine !== 'exclusive' || !isPriceRule(r)) continue;
          all.push(r);
          if (r.condition) {
            const list = byCondition.get(r.condition.normalized);
            if (list) list.push(r);
            else byCondition.set(r.condition.normalized, [r]);
          }
        }
      }
      dominated.set(productKey, (hit = { all, byCondition }));
    }
    return hit;
  };
  const customerCover = new Map<string, Set<string>>();
  const isCustomerCovered = (rCustomerKey: string, sCustomerKey: string) => {
    if (sCustomerKey === ALL_INDEX_KEY || rCustomerKey === sCustomerKey) return true;
    let covers = customerCover.get(rCustomerKey);
    if (!covers) customerCover.set(rCustomerKey, (covers = new Set(ancestry.customerAncestors(rCustomerKey))));
    return covers.has(sCustomerKey);
  };
  for (const s of rules) {
    if (s.combine !== 'exclusive' || !isPriceRule(s)) continue;
    for (const pk of ancestry.productAncestors(s.productKey)) {
      const candidates = getDominated(pk);
      const list = s.condition === null ? candidates.all : (candidates.byCondition.get(s.condition.normalized) ?? []);
      for (const r of list) {
        if (r.priority > s.priority || reportedWhole.has(r.id) || !isCustomerCovered(r.customerKey, s.customerKey)) continue;
        consider(s, r, false);
      }
    }
  }

  for (const [ruleId, scopes] of [...narrower.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (reportedWhole.has(ruleId)) continue;
    scopes.sort((a, b) => {
      const ka = describeScopeKey(a.within);
      const kb = describeScopeKey(b.within);
      return ka < kb ? -1 : ka > kb ? 1 : a.byRuleId < b.byRuleId ? -1 : a.byRuleId > b.byRuleId ? 1 : 0;
    });
    findings.push({ code: 'never_applies_within', severity: 'info', ruleId, scopes });
  }

  for (const r of rules) {
    if (options.asOfDate && r.validTo !== null && r.validTo < options.asOfDate) {
      findings.push({ code: 'expired', severity: 'info', ruleId: r.id, validTo: r.validTo });
    }
    const a = r.action;
    if (a.type === 'tiers' && r.condition) {
      const bounds = a.table.basis === 'quantity' ? r.condition.quantityBounds : r.condition.termBounds;
      const bands = a.table.bands;
      bands.forEach((band, i) => {
        const next = bands[i + 1]?.from;
        if (band.from > bounds.max) {
          findings.push({ code: 'unreachable_band', severity: 'warning', ruleId: r.id, bandIndex: i, fromQty: band.from, reason: 'above_condition_max' });
        } else if (next !== undefined && next - 1 < bounds.min) {
          findings.push({ code: 'unreachable_band', severity: 'warning', ruleId: r.id, bandIndex: i, fromQty: band.from, reason: 'below_condition_min' });
        }
      });
    }
    if (catalogSample) {
      const p = r.rule.scope.product;
      if (p.kind === 'product' && !catalogSample.products.has(p.productId)) {
        findings.push({ code: 'unknown_scope_target', severity: 'warning', ruleId: r.id, target: `product ${p.productId}` });
      }
      if (p.kind === 'group' && !catalogSample.groups.has(p.groupId)) {
        findings.push({ code: 'unknown_scope_target', severity: 'warning', ruleId: r.id, target: `group ${p.groupId}` });
      }
      if (a.type === 'freeItem' && !catalogSample.products.has(a.productId)) {
        findings.push({ code: 'unknown_free_product', severity: 'warning', ruleId: r.id, productId: a.productId });
      }
    }
  }
  return findings;
}

function describeScopeKey(scope: ProductScope): string {
  return scope.kind === 'product' ? `p:${scope.productId}` : scope.kind === 'group' ? `g:${scope.groupId}` : '*';
}

function describeScope(scope: ProductScope, zh: boolean): string {
  if (scope.kind === 'product') return zh ? `产品 ${scope.productId}` : `product ${scope.productId}`;
  if (scope.kind === 'group') return zh ? `产品组 ${scope.groupId}` : `products in group ${scope.groupId}`;
  return zh ? '所有产品' : 'all products';
}

const BECAUSE_TEXT = {
  higher_priority: { en: 'higher priority', zh: '优先级更高' },
  more_specific: { en: 'more specific scope', zh: '范围更具体' },
  newer: { en: 'newer version', zh: '版本更新' },
} as const;

export function formatRuleFinding(f: RuleFinding, locale: 'en' | 'zh' = 'en'): string {
  const zh = locale === 'zh';
  switch (f.code) {
    case 'never_applies': {
      const cond = f.isUnconditional ? (zh ? '无条件' : 'unconditional') : zh ? '条件相同' : 'same condition';
      return zh
        ? `规则 ${f.ruleId} 永远不会生效：规则 ${f.byRuleId}（互斥、${BECAUSE_TEXT[f.because].zh}、${cond}）优先于它`
        : `${f.ruleId} can never apply: ${f.byRuleId} (exclusive, ${BECAUSE_TEXT[f.because].en}, ${cond}) outranks it`;
    }
    case 'never_applies_within': {
      const first = f.scopes[0]!;
      const cond = first.isUnconditional ? (zh ? '无条件' : 'unconditional') : zh ? '条件相同' : 'same condition';
      const more = f.scopes.length - 1;
      return zh
        ? `规则 ${f.ruleId} 对${describeScope(first.within, true)}永远不会生效：规则 ${first.byRuleId}（互斥、${BECAUSE_TEXT[first.because].zh}、${cond}）优先于它${more > 0 ? `；另有 ${more} 处类似` : ''}`
        : `${f.ruleId} can never apply to ${describeScope(first.within, false)}: ${first.byRuleId} (exclusive, ${BECAUSE_TEXT[first.because].en}, ${cond}) outranks it${more > 0 ? `; and ${more} more such scope${more > 1 ? 's' : ''}` : ''}`;
    }
    case 'partially_shadowed':
      return zh
        ? `规则 ${f.ruleId} 在 ${f.from ?? '开始'} 至 ${f.to ?? '以后'} 期间被规则 ${f.byRuleId} 覆盖`
        : `${f.ruleId} is shadowed by ${f.byRuleId} from ${f.from ?? 'the start'} to ${f.to ?? 'open end'}`;
    case 'expired':
      return zh ? `规则 ${f.ruleId} 已于 ${f.validTo} 过期` : `${f.ruleId} expired on ${f.validTo}`;
    case 'unreachable_band':
      return zh
        ? `规则 ${f.ruleId} 的第 ${f.bandIndex + 1} 档（起始 ${f.fromQty}）在其条件下不可达`
        : `${f.ruleId} band ${f.bandIndex + 1} (from ${f.fromQty}) is unreachable under its condition (${f.reason === 'above_condition_max' ? 'above the maximum quantity' : 'below the minimum quantity'})`;
    case 'unknown_scope_target':
      return zh ? `规则 ${f.ruleId} 的范围指向未知的 ${f.target}` : `${f.ruleId} is scoped to unknown ${f.target}`;
    case 'unknown_free_product':
      return zh ? `规则 ${f.ruleId} 赠送未知产品 ${f.productId}` : `${f.ruleId} gives away unknown product ${f.productId}`;
  }
}
