import type { DbOrTx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import { localDate } from '../../../shared/dates.ts';
import { COMPANY_TIME_ZONE } from '../org/service.ts';
import { compileRules } from './compile.ts';
import type { RuleDefinition } from './contract.ts';
import { toPricingRule } from './rule-cache.ts';
import { pricingRuleVersions, pricingRules } from './schema.ts';

/**
 * The demo pricing rules, published v1: volume tiers on cloud subscriptions, a term discount for
 * multi-year subscriptions, a government-segment discount, a bulk rate for implementation days and
 * a minimum margin on hardware. Checked with the engine before they are written.
 */

export interface RuleSeedRefs {
  groupIds: ReadonlyMap<string, string>;
  productIds: ReadonlyMap<string, string>;
  /** The government customer group (CRM), when the demo has one. */
  governmentGroupId: string | null;
}

export function buildDemoRules(refs: RuleSeedRefs, year: string): { code: string; name: string; definition: RuleDefinition }[] {
  const group = (code: string) => ({ kind: 'group' as const, groupId: refs.groupIds.get(code)! });
  const rules: { code: string; name: string; definition: RuleDefinition }[] = [
    {
      code: 'VOL-CLOUD',
      name: '云订阅批量折扣',
      definition: {
        scope: { product: group('CLOUD') },
        action: { type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'percent', bands: [{ fromQty: 100, percent: '5' }, { fromQty: 500, percent: '10' }, { fromQty: 2000, percent: '15' }] },
        phase: 'SYSTEM',
        priority: 30,
        combine: 'compound',
      },
    },
    {
      code: 'TERM-CLOUD',
      name: '多年期订阅折扣',
      definition: {
        scope: { product: group('CLOUD') },
        action: { type: 'tiers', basis: 'termMonths', mode: 'range', valueKind: 'percent', bands: [{ fromQty: 24, percent: '5' }, { fromQty: 36, percent: '10' }] },
        phase: 'SYSTEM',
        priority: 20,
        combine: 'compound',
      },
    },
    {
      code: 'IMPL-BULK',
      name: '大额实施人天优惠',
      definition: {
        scope: { product: group('SVC') },
        condition: 'line.quantity >= 100',
        action: { type: 'amountDiscount', amounts: { CNY: '200', USD: '30' } },
        phase: 'SYSTEM',
        priority: 10,
        combine: 'compound',
      },
    },
    {
      code: 'HW-MARGIN',
      name: '硬件最低毛利 12%',
      definition: { scope: { product: group('HW') }, action: { type: 'floor', minMarginPercent: '12' }, phase: 'SYSTEM', priority: 0, combine: 'exclusive' },
    },
  ];
  if (refs.governmentGroupId) {
    rules.push({
      code: 'GOV-DISC',
      name: '政府客户折扣',
      definition: {
        scope: { product: group('SW'), customer: { kind: 'customerGroup', groupId: refs.governmentGroupId } },
        action: { type: 'percentDiscount', percent: '8' },
        phase: 'SYSTEM',
        priority: 5,
        combine: 'compound',
        validFrom: `${year}-01-01`,
        validTo: `${year}-12-31`,
      },
    });
  }
  return rules;
}

export async function seedPricingRules(tx: DbOrTx, refs: RuleSeedRefs, opts: { now?: Date } = {}): Promise<{ rows: Record<string, number> }> {
  const now = opts.now ?? new Date();
  const rules = buildDemoRules(refs, localDate(now, COMPANY_TIME_ZONE).slice(0, 4)).map((r) => ({ ...r, id: newId() }));
  const errors = compileRules(rules.map((r) => toPricingRule(r.id, 1, r.name, now, r.definition))).errors;
  if (errors.length > 0) throw new Error(`demo pricing rules do not compile: ${JSON.stringify(errors)}`);
  await tx.insert(pricingRules).values(rules.map((r, i) => ({ id: r.id, code: r.code, publishedVersion: 1, latestVersion: 1, changeSeq: i + 1, createdAt: now, updatedAt: now })));
  await tx.insert(pricingRuleVersions).values(
    rules.map((r) => ({ id: newId(), ruleId: r.id, number: 1, status: 'published' as const, name: r.name, definition: r.definition, createdAt: now, updatedAt: now, publishedAt: now })),
  );
  return { rows: { pricing_rules: rules.length } };
}
