import { Dec } from '../../../shared/money.ts';
import type { ExplanationStep } from './explanation.ts';

/**
 * Explanation steps kept as data (a saved quote version's, for one): the engine's step objects as
 * JSON — every Decimal as its exact string (decimal.js's toJSON) — turned back into steps that
 * formatExplanationStep renders in the reader's language when someone reads them. Storing the data
 * rather than the texts keeps the numbers exact, costs no rendering on the write, and is half the
 * size of the same steps rendered in two languages.
 */

/** An explanation step as JSON.stringify writes it: Decimals become strings. */
export interface StoredExplanationStep {
  type: ExplanationStep['type'];
  [field: string]: unknown;
}

/** The Decimal fields of each step type (null allowed where the step type allows it). */
const DECIMAL_FIELDS: Record<ExplanationStep['type'], readonly string[]> = {
  applied: ['operand', 'before', 'after'],
  skipped: [],
  shadowed: [],
  base: ['listUnit', 'unit', 'exchangeRate'],
  combined: ['total', 'before', 'after'],
  clamp: ['limit', 'before', 'after'],
  manual: ['operand', 'before', 'after'],
  limitFlag: ['limit', 'unit'],
  allocated: ['weight', 'share'],
  round: ['unrounded', 'rounded'],
};

/** Is this stored value the JSON of a step (rather than, say, text rendered before steps were stored as data)? */
export function isStoredExplanationStep(value: unknown): value is StoredExplanationStep {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; zh?: unknown };
  return typeof v.type === 'string' && v.type in DECIMAL_FIELDS && typeof v.zh !== 'string';
}

/**
 * A step read back from its JSON: the same fields, Decimals made again from their strings. Throws
 * on a step type or a Decimal field it does not know (stored data the code cannot explain is a bug
 * to see, not a text to guess).
 */
export function reviveExplanationStep(stored: StoredExplanationStep): ExplanationStep {
  const fields = DECIMAL_FIELDS[stored.type];
  if (!fields) throw new Error(`unknown explanation step type ${String(stored.type)}`);
  const step: Record<string, unknown> = { ...stored };
  for (const field of fields) {
    const value = step[field];
    if (value === null || value === undefined) {
      step[field] = null;
      continue;
    }
    if (typeof value !== 'string') throw new Error(`explanation step ${stored.type}.${field} is not a decimal string`);
    step[field] = new Dec(value);
  }
  return step as unknown as ExplanationStep;
}
