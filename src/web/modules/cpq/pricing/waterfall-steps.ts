/**
 * The explanation of a priced line as the API returns it (one step per base price, rule applied,
 * skipped or shadowed, combined group, clamp, manual change, allocation and rounding), grouped for
 * the waterfall: what changed the price, what was looked at and left out, and how it ended.
 */
export interface ExplanationStepView {
  type: string;
  ruleId: string | null;
  text: string;
}

export type StepKind = 'base' | 'applied' | 'skipped' | 'shadowed' | 'limit' | 'manual' | 'round' | 'other';

const KINDS: Record<string, StepKind> = {
  base: 'base',
  applied: 'applied',
  combined: 'applied',
  skipped: 'skipped',
  shadowed: 'shadowed',
  clamp: 'limit',
  limitFlag: 'limit',
  manual: 'manual',
  round: 'round',
  allocated: 'other',
};

export function stepKind(type: string): StepKind {
  return KINDS[type] ?? 'other';
}

/** Did this step change (or bound) the running price? Skipped and shadowed rules did not. */
export function isEffective(kind: StepKind): boolean {
  return kind !== 'skipped' && kind !== 'shadowed';
}

export interface StepCounts {
  applied: number;
  skipped: number;
  shadowed: number;
  limit: number;
}

export function countSteps(steps: readonly ExplanationStepView[]): StepCounts {
  const counts: StepCounts = { applied: 0, skipped: 0, shadowed: 0, limit: 0 };
  for (const s of steps) {
    const k = stepKind(s.type);
    if (k === 'applied' || k === 'skipped' || k === 'shadowed' || k === 'limit') counts[k]++;
  }
  return counts;
}

/**
 * The running unit price after a step, read from its arithmetic ("… 1200.00 → 1140.00"): the
 * last number after an arrow. Null when the step does not move the price.
 */
export function runningPriceOf(step: ExplanationStepView): string | null {
  const kind = stepKind(step.type);
  if (kind === 'base') {
    const m = /(-?\d+(?:\.\d+)?)/.exec(step.text);
    return m ? m[1]! : null;
  }
  const m = /→\s*(-?\d+(?:\.\d+)?)/g;
  let last: string | null = null;
  for (let r = m.exec(step.text); r; r = m.exec(step.text)) last = r[1]!;
  return last;
}

/** Steps in the order shown: effective steps first in their order, then skipped and shadowed rules (when shown). */
export function orderSteps(steps: readonly ExplanationStepView[], showDismissed: boolean): ExplanationStepView[] {
  if (showDismissed) return [...steps];
  return steps.filter((s) => isEffective(stepKind(s.type)));
}

/** The steps that name a rule (applied, skipped, shadowed) for a given rule id. */
export function stepsOfRule(steps: readonly ExplanationStepView[], ruleId: string): ExplanationStepView[] {
  return steps.filter((s) => s.ruleId === ruleId);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Ids the server left in a text (rules it did not name, e.g. skipped ones) → their codes, when known. */
export function relabelText(text: string, labels: ReadonlyMap<string, string> | undefined): string {
  if (!labels || labels.size === 0) return text;
  return text.replace(UUID, (id) => labels.get(id) ?? id);
}
