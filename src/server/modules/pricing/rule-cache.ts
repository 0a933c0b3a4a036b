import { and, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db.ts';
import { compileRules, type CompiledRuleSet } from './compile.ts';
import type { RuleDefinition } from './contract.ts';
import type { PricingRule, RuleCompileError } from './pricing-rule.ts';
import { pricingRuleVersions, pricingRules } from './schema.ts';

/**
 * The published rules, compiled once and kept in the server, indexed by scope (the engine's
 * CompiledRuleSet). Every publish and archive stamps its rule with the next `change_seq`; before
 * each use the cache reads the highest stamp (one indexed query) and, when it moved, loads and
 * re-files only the rules stamped since: a publish recompiles one rule and touches the index
 * buckets of that rule's scope, nothing else. Because stamps are taken under an advisory lock held
 * to commit, they become visible in order, and every server process catches up the same way.
 */

export function toPricingRule(id: string, number: number, name: string, createdAt: Date, definition: RuleDefinition): PricingRule {
  const rule: PricingRule = {
    id,
    version: number,
    name,
    createdAt: createdAt.toISOString(),
    scope: definition.scope,
    action: definition.action as PricingRule['action'],
    phase: definition.phase,
    priority: definition.priority,
    combine: definition.combine,
  };
  if (definition.condition !== undefined && definition.condition.trim() !== '') rule.condition = definition.condition;
  if (definition.validFrom !== undefined) rule.validFrom = definition.validFrom;
  if (definition.validTo !== undefined) rule.validTo = definition.validTo;
  return rule;
}

export interface PublishedRuleInfo {
  code: string;
  version: number;
}

export interface RuleCacheStats {
  fullLoads: number;
  /** Rules compiled and filed one by one after a publish. */
  upserts: number;
  removals: number;
}

export class PublishedRuleCache {
  #set: CompiledRuleSet = compileRules([]);
  #seq = -1;
  readonly #info = new Map<string, PublishedRuleInfo>();
  #pending: Promise<void> | null = null;
  readonly stats: RuleCacheStats = { fullLoads: 0, upserts: 0, removals: 0 };

  /** The compiled published rules, caught up with the database. */
  async getRuleSet(db: DbOrTx): Promise<CompiledRuleSet> {
    // One catch-up at a time; concurrent callers wait for it.
    while (this.#pending) await this.#pending;
    const [row] = await db.select({ seq: sql<number>`coalesce(max(${pricingRules.changeSeq}), 0)::int` }).from(pricingRules);
    const seq = Number(row?.seq ?? 0);
    if (seq !== this.#seq) {
      this.#pending = this.#catchUp(db, seq).finally(() => {
        this.#pending = null;
      });
      await this.#pending;
    }
    return this.#set;
  }

  /** Code and published version of a rule in the set. */
  getInfo(ruleId: string): PublishedRuleInfo | undefined {
    return this.#info.get(ruleId);
  }

  get seq(): number {
    return this.#seq;
  }

  async #catchUp(db: DbOrTx, seq: number): Promise<void> {
    const full = this.#seq < 0 || seq < this.#seq;
    const rows = await db
      .select({
        id: pricingRules.id,
        code: pricingRules.code,
        status: pricingRules.status,
        publishedVersion: pricingRules.publishedVersion,
        number: pricingRuleVersions.number,
        name: pricingRuleVersions.name,
        definition: pricingRuleVersions.definition,
        createdAt: pricingRuleVersions.createdAt,
      })
      .from(pricingRules)
      .leftJoin(
        pricingRuleVersions,
        and(eq(pricingRuleVersions.ruleId, pricingRules.id), eq(pricingRuleVersions.number, pricingRules.publishedVersion)),
      )
      .where(full ? and(eq(pricingRules.status, 'active'), isNotNull(pricingRules.publishedVersion)) : gt(pricingRules.changeSeq, this.#seq));
    if (full) {
      const rules: PricingRule[] = [];
      this.#info.clear();
      for (const r of rows) {
        if (r.number === null || r.definition === null || r.name === null || r.createdAt === null) continue;
        rules.push(toPricingRule(r.id, r.number, r.name, r.createdAt, r.definition));
        this.#info.set(r.id, { code: r.code, version: r.number });
      }
      this.#set = compileRules(rules);
      this.stats.fullLoads++;
    } else {
      for (const r of rows) {
        const live = r.status === 'active' && r.number !== null && r.definition !== null && r.name !== null && r.createdAt !== null;
        if (!live) {
          if (this.#set.removeRule(r.id)) this.stats.removals++;
          this.#info.delete(r.id);
          continue;
        }
        if (this.#info.get(r.id)?.version === r.number && this.#set.getRule(r.id)) continue;
        this.#set.upsertRule(toPricingRule(r.id, r.number!, r.name!, r.createdAt!, r.definition!));
        this.#info.set(r.id, { code: r.code, version: r.number! });
        this.stats.upserts++;
      }
    }
    this.#seq = seq;
  }
}

const caches = new WeakMap<object, PublishedRuleCache>();

/** One cache per database handle (each test app has its own database). */
export function getPublishedRuleCache(db: DbOrTx): PublishedRuleCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new PublishedRuleCache()));
  return cache;
}

/**
 * Run `fn` on the set with some rules replaced or added (drafts under test, a book's tier tables),
 * then put the set back. `fn` is synchronous and nothing awaits in between, so no other request
 * ever sees the overlay; only the overlaid rules are recompiled, twice.
 */
export function withRuleOverlay<T>(set: CompiledRuleSet, rules: readonly PricingRule[], fn: (errors: RuleCompileError[]) => T): T {
  const originals = rules.map((r) => ({ id: r.id, original: set.getRule(r.id)?.rule }));
  const errors: RuleCompileError[] = [];
  try {
    for (const r of rules) errors.push(...set.upsertRule(r));
    return fn(errors);
  } finally {
    for (const { id, original } of originals.reverse()) {
      if (original) set.upsertRule(original);
      else set.removeRule(id);
    }
  }
}
