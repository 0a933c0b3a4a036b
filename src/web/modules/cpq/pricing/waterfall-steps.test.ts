import { describe, expect, it } from 'vitest';
import { countSteps, orderSteps, relabelText, runningPriceOf, stepKind, stepsOfRule, type ExplanationStepView } from './waterfall-steps.ts';

// Texts as the what-if endpoint formats them (explanation.ts), rules named by their codes.
const steps: ExplanationStepView[] = [
  { type: 'base', ruleId: null, text: 'starting unit price 1200.00 from price book' },
  { type: 'applied', ruleId: 'r-vol', text: '[system] rule VOL-CLOUD applied: 5 % off (band 1) 1200.00 → 1140.00' },
  { type: 'combined', ruleId: null, text: '[system] additive A, B: 3 % off in total 1140.00 → 1105.80' },
  { type: 'skipped', ruleId: 'r-term', text: '[system] rule TERM-CLOUD skipped: quantity outside the tier bands' },
  { type: 'shadowed', ruleId: 'r-old', text: '[system] rule OLD shadowed by rule VOL-CLOUD' },
  { type: 'clamp', ruleId: null, text: '[system] clamped to floor 1110.00: 1105.80 → 1110.00' },
  { type: 'round', ruleId: null, text: 'line amount 133200 rounded half-up to 2 places: 133200.00' },
];

describe('waterfall steps', () => {
  it('sorts step types into kinds', () => {
    expect(steps.map((s) => stepKind(s.type))).toEqual(['base', 'applied', 'applied', 'skipped', 'shadowed', 'limit', 'round']);
    expect(stepKind('somethingNew')).toBe('other');
  });

  it('counts what happened', () => {
    expect(countSteps(steps)).toEqual({ applied: 2, skipped: 1, shadowed: 1, limit: 1 });
  });

  it('reads the running price after each step', () => {
    expect(steps.map(runningPriceOf)).toEqual(['1200.00', '1140.00', '1105.80', null, null, '1110.00', null]);
  });

  it('hides dismissed rules on request and finds a rule', () => {
    expect(orderSteps(steps, false).map((s) => s.type)).toEqual(['base', 'applied', 'combined', 'clamp', 'round']);
    expect(orderSteps(steps, true)).toHaveLength(steps.length);
    expect(stepsOfRule(steps, 'r-term').map((s) => s.type)).toEqual(['skipped']);
  });

  it('names rules the server left as ids, and leaves unknown ids alone', () => {
    const text = '[system] rule 01a211dd-8a45-7001-9f22-eb9d335167fc skipped: quantity outside the tier bands (by 11111111-2222-4333-8444-555555555555)';
    const labels = new Map([['01a211dd-8a45-7001-9f22-eb9d335167fc', 'TERM-CLOUD']]);
    expect(relabelText(text, labels)).toBe('[system] rule TERM-CLOUD skipped: quantity outside the tier bands (by 11111111-2222-4333-8444-555555555555)');
    expect(relabelText(text, undefined)).toBe(text);
  });
});
