import { describe, expect, it } from 'vitest';
import { Dec } from '../../../shared/money.ts';
import { collectRuleIds, formatExplanationStep, listExplanationSteps, type ExplanationStep, type RuleOutcome } from './explanation.ts';

const d = (s: string) => new Dec(s);

const STEPS: ExplanationStep[] = [
  { type: 'base', source: 'priceBook', listUnit: d('71'), unit: d('71'), accountId: null, isInherited: false, fromCurrency: 'USD', exchangeRate: d('7.1') },
  { type: 'applied', ruleId: 'T', phase: 'BASE', action: 'tiers', combine: 'exclusive', op: 'set', operand: d('60'), bandIndex: 1, before: d('71'), after: d('60') },
  { type: 'applied', ruleId: 'A', phase: 'SYSTEM', action: 'percentDiscount', combine: 'additive', op: 'percent', operand: d('0.1'), bandIndex: -1, before: d('60'), after: d('51') },
  { type: 'combined', phase: 'SYSTEM', kind: 'percent', ruleIds: ['A', 'B'], total: d('0.15'), before: d('60'), after: d('51') },
  { type: 'skipped', ruleId: 'E', phase: 'SYSTEM', reason: 'eval_error', error: { code: 'no_such_key', message: 'No such key: tier' } },
  { type: 'shadowed', ruleId: 'S', phase: 'SYSTEM', by: 'A' },
  { type: 'clamp', phase: 'SYSTEM', bound: 'floor', limit: d('55'), before: d('51'), after: d('55') },
  { type: 'manual', kind: 'percent', operand: d('5'), before: d('55'), after: d('52.25') },
  { type: 'limitFlag', bound: 'floor', limit: d('55'), unit: d('52.25') },
  { type: 'applied', ruleId: 'F', phase: 'SYSTEM', action: 'freeItem', combine: 'exclusive', op: 'freeItem', operand: d('2'), bandIndex: -1, before: null, after: null },
  { type: 'allocated', bundleLineId: 'K', weight: d('100'), share: d('180') },
  { type: 'round', unrounded: d('100.005'), rounded: d('100.01'), places: 2 },
];

describe('explanation text', () => {
  it('formats every kind of step in English', () => {
    expect(STEPS.map((s) => formatExplanationStep(s, 'en'))).toEqual([
      'starting unit price 71.00 from price book (from USD at 7.1)',
      '[base] rule T applied: unit price set to 60.00 (band 2) 71.00 → 60.00',
      '[system] rule A applied: 10 % off 60.00 → 51.00',
      '[system] additive A, B: 15 % off in total 60.00 → 51.00',
      '[system] rule E skipped: condition failed to evaluate (no_such_key: No such key: tier)',
      '[system] rule S shadowed by rule A',
      '[system] clamped to floor 55.00: 51.00 → 55.00',
      'manual discount 5 %: 55.00 → 52.25',
      'unit price 52.25 is below the floor 55.00',
      '[system] rule F applied: 2 free',
      'allocated 180.00 of bundle K (weight 100.00)',
      'line amount 100.005 rounded half-up to 2 places: 100.01',
    ]);
  });

  it('formats every kind of step in Chinese', () => {
    const zh = STEPS.map((s) => formatExplanationStep(s, 'zh'));
    expect(zh[1]).toBe('[基础价] 规则 T 生效：单价设为 60.00（第 2 档） 71.00 → 60.00');
    expect(zh[4]).toBe('[系统调整] 规则 E 跳过：条件求值出错 (no_such_key: No such key: tier)');
    expect(zh.every((t) => t.length > 0)).toBe(true);
  });

  it('lists shared dismissed rules after the line steps', () => {
    const dismissed: RuleOutcome[] = [{ type: 'skipped', ruleId: 'OLD', phase: 'SYSTEM', reason: 'outside_validity', error: null }];
    const all = listExplanationSteps({ steps: STEPS.slice(0, 2), dismissed: [dismissed, dismissed] });
    expect(all.map((s) => s.type)).toEqual(['base', 'applied', 'skipped', 'skipped']);
  });

  it('collects every rule an explanation names: applied, skipped, shadowed, the shadowing rule and the dismissed ones', () => {
    const dismissed: RuleOutcome[] = [{ type: 'skipped', ruleId: 'OLD', phase: 'SYSTEM', reason: 'outside_validity', error: null }];
    const shadowOnly: ExplanationStep[] = [{ type: 'shadowed', ruleId: 'S2', phase: 'SYSTEM', by: 'X' }];
    const ids = collectRuleIds({ steps: STEPS, dismissed: [dismissed] });
    collectRuleIds({ steps: shadowOnly, dismissed: [] }, ids);
    // B is named only by the combined step.
    expect([...ids].sort()).toEqual(['A', 'B', 'E', 'F', 'OLD', 'S', 'S2', 'T', 'X']);
  });
});
