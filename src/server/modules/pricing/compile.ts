import { Dec, type Currency } from '../../../shared/money.ts';
import { ConditionProgramTable, type CompiledCondition } from './cel-context.ts';
import { ALL_INDEX_KEY, getGroupIndexKey, getProductIndexKey, type AmountMap } from './catalog.ts';
import {
  getActionRole,
  PRICING_PHASES,
  listRuleShapeErrors,
  type ActionRole,
  type CombinePolicy,
  type CurrencyAmounts,
  type CustomerScope,
  type PricingPhase,
  type PricingRule,
  type RuleCompileError,
} from './pricing-rule.ts';
import type { RuleSkipped } from './explanation.ts';
import { getDecimalPlaces, toScaled } from './fixed.ts';
import { compileTierTable, type CompiledTierTable } from './tiers.ts';

/**
 * compileRules(): validation, CEL parsing and type checking once, then an index
 * product-scope key → customer-scope key → rules (pre-sorted by the static part of the ranking).
 * The set is mutable only through upsertRule/removeRule, which touch the one rule's bucket.
 */

export type CompiledAction =
  | { type: 'setPrice'; amounts: AmountMap }
  | { type: 'bundlePrice'; amounts: AmountMap }
  | { type: 'ceiling'; amounts: AmountMap }
  | { type: 'amountDiscount'; amounts: AmountMap }
  /**
   * fraction: "10" % → 0.1; multiplier: 1 − fraction, precomputed for the hot path, also as a
   * scaled integer (multiplierScaled × 10^−multiplierPlaces; NaN when it does not fit) so a line
   * multiplies by it without reading the Decimal.
   */
  | { type: 'percentDiscount'; fraction: Dec; multiplier: Dec; multiplierScaled: number; multiplierPlaces: number }
  | { type: 'tiers'; table: CompiledTierTable }
  | { type: 'floor'; amounts: AmountMap | null; minMargin: Dec | null }
  | { type: 'freeItem'; productId: string; quantity: number; perQuantity: number | null };

export interface CompiledRule {
  id: string;
  rule: PricingRule;
  /** A small integer unique within the set (assigned when added), for per-rule caches in typed arrays. */
  slot: number;
  phase: PricingPhase;
  phaseIndex: number;
  priority: number;
  version: number;
  createdAt: string;
  combine: CombinePolicy;
  role: ActionRole;
  action: CompiledAction;
  condition: CompiledCondition | null;
  validFrom: string | null;
  validTo: string | null;
  /** The validity window as day numbers (see toDayNumber): an open end is 0 or MAX_DAY_NUMBER. */
  validFromDay: number;
  validToDay: number;
  productKey: string;
  customerKey: string;
  customerScope: CustomerScope;
  /** Immutable explanation entries shared by every quote that dismisses the rule before looking at lines. */
  dismissedOutsideValidity: RuleSkipped;
  dismissedConditionFalse: RuleSkipped;
}

const HUNDRED = new Dec(100);

function parseAmounts(amounts: CurrencyAmounts | undefined): AmountMap {
  const out: AmountMap = {};
  if (amounts) for (const [code, value] of Object.entries(amounts)) if (value !== undefined) out[code as Currency] = new Dec(value);
  return out;
}

function compileAction(rule: PricingRule): CompiledAction {
  const a = rule.action;
  switch (a.type) {
    case 'setPrice':
    case 'bundlePrice':
    case 'ceiling':
    case 'amountDiscount':
      return { type: a.type, amounts: parseAmounts(a.amounts) };
    case 'percentDiscount': {
      const fraction = new Dec(a.percent).dividedBy(HUNDRED);
      const multiplier = new Dec(1).minus(fraction);
      const multiplierPlaces = getDecimalPlaces(multiplier);
      return { type: 'percentDiscount', fraction, multiplier, multiplierScaled: toScaled(multiplier, multiplierPlaces), multiplierPlaces };
    }
    case 'tiers':
      return { type: 'tiers', table: compileTierTable(a) };
    case 'floor':
      return {
        type: 'floor',
        amounts: a.amounts ? parseAmounts(a.amounts) : null,
        minMargin: a.minMarginPercent !== undefined ? new Dec(a.minMarginPercent).dividedBy(HUNDRED) : null,
      };
    case 'freeItem':
      return { type: 'freeItem', productId: a.productId, quantity: a.quantity, perQuantity: a.perQuantity ?? null };
  }
}

export function getCustomerIndexKey(scope: CustomerScope | undefined): string {
  if (!scope || scope.kind === 'all') return ALL_INDEX_KEY;
  return scope.kind === 'account' ? `a:${scope.accountId}` : `c:${scope.groupId}`;
}

function getRuleProductKey(rule: PricingRule): string {
  const p = rule.scope.product;
  if (p.kind === 'product') return getProductIndexKey(p.productId);
  if (p.kind === 'group') return getGroupIndexKey(p.groupId);
  return ALL_INDEX_KEY;
}

/**
 * The static part of the ranking (specificity sits between priority and version but depends on the
 * line, so the engine merges it in): priority desc, version desc, createdAt desc, id asc.
 * Ids are unique, so this is a total order and the input order of rules never matters.
 */
export function compareStaticRank(a: CompiledRule, b: CompiledRule): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.version !== b.version) return b.version - a.version;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Later than any date's day number. */
export const MAX_DAY_NUMBER = 99_999_999;

/**
 * A local date YYYY-MM-DD as the integer YYYYMMDD: the same order as the strings, compared without
 * reading two string objects per rule.
 */
export function toDayNumber(date: string): number {
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}

type CompileOutcome = { ok: true; rule: CompiledRule } | { ok: false; errors: RuleCompileError[] };

function compileOne(rule: PricingRule, table: ConditionProgramTable): CompileOutcome {
  const errors = listRuleShapeErrors(rule);
  let condition: CompiledCondition | null = null;
  if (typeof rule.condition === 'string' && rule.condition.trim() !== '') {
    const compiled = table.getCondition(rule.condition);
    if (compiled.ok) condition = compiled.condition;
    else {
      const e = compiled.error;
      errors.push({ ruleId: rule.id, field: 'condition', code: e.code, message: e.message, line: e.line, column: e.column });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  // One object literal with every field (no spread): all compiled rules share one hidden class,
  // which keeps property reads on the hot path monomorphic.
  return {
    ok: true,
    rule: {
      id: rule.id,
      rule,
      slot: -1,
      phase: rule.phase,
      phaseIndex: PRICING_PHASES.indexOf(rule.phase),
      priority: rule.priority,
      version: rule.version,
      createdAt: rule.createdAt ?? '',
      combine: rule.combine ?? 'exclusive',
      role: getActionRole(rule.action),
      action: compileAction(rule),
      condition,
      validFrom: rule.validFrom ?? null,
      validTo: rule.validTo ?? null,
      validFromDay: rule.validFrom === undefined ? 0 : toDayNumber(rule.validFrom),
      validToDay: rule.validTo === undefined ? MAX_DAY_NUMBER : toDayNumber(rule.validTo),
      productKey: getRuleProductKey(rule),
      customerKey: getCustomerIndexKey(rule.scope.customer),
      customerScope: rule.scope.customer ?? { kind: 'all' },
      dismissedOutsideValidity: { type: 'skipped', ruleId: rule.id, phase: rule.phase, reason: 'outside_validity', error: null },
      dismissedConditionFalse: { type: 'skipped', ruleId: rule.id, phase: rule.phase, reason: 'condition_false', error: null },
    },
  };
}

export interface BucketEntry {
  customerKey: string;
  /** The customer key as a small integer (see CompiledRuleSet.getCustomerKeyId), for array lookups per quote. */
  customerKeyId: number;
  rules: readonly CompiledRule[];
  /**
   * Every bucket of the same product key by customer key id (shared by the key's entries), so a
   * caller holding the entries looks a customer key up without first finding the product key again;
   * integer keys, so a lookup never compares strings.
   */
  bucketsById: ReadonlyMap<number, readonly CompiledRule[]>;
}

export class CompiledRuleSet {
  readonly #rules = new Map<string, CompiledRule>();
  readonly #errors = new Map<string, RuleCompileError[]>();
  readonly #index = new Map<string, Map<string, CompiledRule[]>>();
  /** The same buckets as arrays sorted by customer key, for scanning small buckets without lookups. */
  readonly #entries = new Map<string, BucketEntry[]>();
  /** The same buckets by customer key id, per product key. */
  readonly #indexById = new Map<string, Map<number, CompiledRule[]>>();
  readonly #slots: (CompiledRule | undefined)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #qtyGroupRefs = new Map<string, number>();
  readonly #qtyProductRefs = new Map<string, number>();
  /** Customer-scope keys as small integers, assigned on first use and never reused. */
  readonly #customerKeyIds = new Map<string, number>();
  /** Conditions and their conjuncts, compiled once per distinct text. */
  readonly conditionPrograms = new ConditionProgramTable();
  #revision = 0;

  /** Bumped by every change, so callers can cache per revision. */
  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#rules.size;
  }

  /** Upper bound of rule slots, for sizing per-quote caches. */
  get slotCount(): number {
    return this.#slots.length;
  }

  /** Compile errors of rules that were left out, sorted by rule id. */
  get errors(): RuleCompileError[] {
    return [...this.#errors.keys()].sort().flatMap((id) => this.#errors.get(id)!);
  }

  getRule(id: string): CompiledRule | undefined {
    return this.#rules.get(id);
  }

  listRules(): CompiledRule[] {
    return [...this.#rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Rules filed under a product-scope key, by customer-scope key. */
  getBuckets(productKey: string): ReadonlyMap<string, readonly CompiledRule[]> | undefined {
    return this.#index.get(productKey);
  }

  /** Rules filed under a product-scope key as [customer key, rules] entries, sorted by customer key. */
  getBucketEntries(productKey: string): readonly BucketEntry[] | undefined {
    return this.#entries.get(productKey);
  }

  /** The integer id of a customer-scope key (`*`, `a:…`, `c:…`), or −1 when no rule was ever filed under it. */
  getCustomerKeyId(customerKey: string): number {
    return this.#customerKeyIds.get(customerKey) ?? -1;
  }

  /** Group ids conditions read as quote.qtyByGroup["…"] literals. */
  listQtyGroupKeys(): IterableIterator<string> {
    return this.#qtyGroupRefs.keys();
  }

  listQtyProductKeys(): IterableIterator<string> {
    return this.#qtyProductRefs.keys();
  }

  /**
   * Add or replace a rule (by id) and re-index only it. Returns its compile errors; a rule that does
   * not compile changes nothing (the version already in the set, if any, stays active), so a
   * rejected publish never leaves the set half-updated.
   */
  upsertRule(rule: PricingRule): RuleCompileError[] {
    const outcome = compileOne(rule, this.conditionPrograms);
    if (!outcome.ok) return outcome.errors;
    this.removeRule(outcome.rule.id);
    this.#add(outcome.rule);
    this.#revision++;
    return [];
  }

  /** Remove a rule (and its compile errors). */
  removeRule(id: string): boolean {
    const hadErrors = this.#errors.delete(id);
    const existing = this.#rules.get(id);
    if (!existing) {
      if (hadErrors) this.#revision++;
      return hadErrors;
    }
    this.#rules.delete(id);
    const buckets = this.#index.get(existing.productKey);
    const list = buckets?.get(existing.customerKey);
    if (buckets && list) {
      const at = list.indexOf(existing);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) {
        buckets.delete(existing.customerKey);
        this.#indexById.get(existing.productKey)!.delete(this.#customerKeyIds.get(existing.customerKey)!);
        const entries = this.#entries.get(existing.productKey)!;
        entries.splice(entries.findIndex((e) => e.customerKey === existing.customerKey), 1);
      }
      if (buckets.size === 0) {
        this.#index.delete(existing.productKey);
        this.#entries.delete(existing.productKey);
        this.#indexById.delete(existing.productKey);
      }
    }
    this.#slots[existing.slot] = undefined;
    this.#freeSlots.push(existing.slot);
    for (const key of existing.condition?.qtyGroupKeys ?? []) release(this.#qtyGroupRefs, key);
    for (const key of existing.condition?.qtyProductKeys ?? []) release(this.#qtyProductRefs, key);
    this.#revision++;
    return true;
  }

  /** @internal compileRules() path. */
  recordErrors(id: string, errors: RuleCompileError[]): void {
    this.#errors.set(id, errors);
  }

  /** @internal compileRules() path: compile and add without bumping the revision per rule. */
  addInitial(rule: PricingRule): void {
    const outcome = compileOne(rule, this.conditionPrograms);
    if (outcome.ok) this.#add(outcome.rule);
    else this.#errors.set(outcome.errors[0]?.ruleId ?? rule.id, outcome.errors);
  }

  #add(rule: CompiledRule): void {
    const slot = this.#freeSlots.length > 0 ? this.#freeSlots.pop()! : this.#slots.length;
    rule.slot = slot;
    this.#slots[slot] = rule;
    this.#rules.set(rule.id, rule);
    let buckets = this.#index.get(rule.productKey);
    if (!buckets) this.#index.set(rule.productKey, (buckets = new Map()));
    let bucketsById = this.#indexById.get(rule.productKey);
    if (!bucketsById) this.#indexById.set(rule.productKey, (bucketsById = new Map()));
    let list = buckets.get(rule.customerKey);
    if (!list) {
      buckets.set(rule.customerKey, (list = []));
      let entries = this.#entries.get(rule.productKey);
      if (!entries) this.#entries.set(rule.productKey, (entries = []));
      const customerKey = rule.customerKey;
      let customerKeyId = this.#customerKeyIds.get(customerKey);
      if (customerKeyId === undefined) this.#customerKeyIds.set(customerKey, (customerKeyId = this.#customerKeyIds.size));
      let at = 0;
      while (at < entries.length && entries[at]!.customerKey < customerKey) at++;
      entries.splice(at, 0, { customerKey, customerKeyId, rules: list, bucketsById });
      bucketsById.set(customerKeyId, list);
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStaticRank(list[mid]!, rule) < 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, rule);
    for (const key of rule.condition?.qtyGroupKeys ?? []) this.#qtyGroupRefs.set(key, (this.#qtyGroupRefs.get(key) ?? 0) + 1);
    for (const key of rule.condition?.qtyProductKeys ?? []) this.#qtyProductRefs.set(key, (this.#qtyProductRefs.get(key) ?? 0) + 1);
  }
}

function release(refs: Map<string, number>, key: string): void {
  const n = (refs.get(key) ?? 0) - 1;
  if (n <= 0) refs.delete(key);
  else refs.set(key, n);
}

/**
 * Compile a whole rule set. Never throws: rules that fail validation or CEL checking are left out
 * and listed in `errors` (with line/column for conditions). Duplicate ids: the highest version is
 * kept; if several share the highest version, none is (the set would otherwise depend on input order).
 */
export function compileRules(rules: readonly PricingRule[]): CompiledRuleSet {
  const set = new CompiledRuleSet();
  const byId = new Map<string, PricingRule[]>();
  for (const rule of rules) {
    const id = typeof rule?.id === 'string' ? rule.id : '';
    const list = byId.get(id);
    if (list) list.push(rule);
    else byId.set(id, [rule]);
  }
  const ids = [...byId.keys()].sort();
  for (const id of ids) {
    const versions = byId.get(id)!;
    let chosen = versions[0]!;
    if (versions.length > 1) {
      const top = Math.max(...versions.map((r) => (Number.isSafeInteger(r.version) ? r.version : -1)));
      const tops = versions.filter((r) => r.version === top);
      if (tops.length !== 1) {
        set.recordErrors(id, [
          { ruleId: id, field: 'id', code: 'duplicate_rule_id', message: `${tops.length} rules share id ${id} and version ${top}` },
        ]);
        continue;
      }
      chosen = tops[0]!;
    }
    set.addInitial(chosen);
  }
  return set;
}
