import { compileCondition } from '../../../../server/modules/pricing/cel-context.ts';

/**
 * The condition editor's instant check: the engine's own compiler (parse and type-check against
 * the documented context, the same code the server runs at save), so a misspelt field or a
 * missing parenthesis shows with its line and column before anything is sent.
 */
export interface ConditionProblem {
  code: string;
  message: string;
  /** 1-based. */
  line: number;
  column: number;
}

/** Null when the condition compiles or is blank (blank = always applies). */
export function checkCondition(source: string | undefined): ConditionProblem | null {
  if (!source || source.trim() === '') return null;
  const result = compileCondition(source);
  if (result.ok) return null;
  const { code, message, line, column } = result.error;
  return { code, message, line, column };
}

/** The line a problem is on and a caret under its column, for a monospace excerpt. */
export function caretExcerpt(source: string, line: number, column: number): { text: string; caret: string } {
  const text = source.split(/\r?\n/)[line - 1] ?? '';
  return { text, caret: `${' '.repeat(Math.max(0, column - 1))}^` };
}

/** The character offset of a 1-based line and column, to put the cursor on a problem. */
export function offsetOf(source: string, line: number, column: number): number {
  const lines = source.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i]!.length + 1;
  return Math.min(source.length, offset + Math.max(0, column - 1));
}

/** Insert a context field at the cursor (replacing a selection), returning the text and the new cursor. */
export function insertAt(source: string, start: number, end: number, insert: string): { text: string; cursor: number } {
  const s = Math.max(0, Math.min(start, source.length));
  const e = Math.max(s, Math.min(end, source.length));
  return { text: source.slice(0, s) + insert + source.slice(e), cursor: s + insert.length };
}

/** `quote.qtyByGroup["<groupId>"]` → `quote.qtyByGroup[""]`, `customer.custom.*` → `customer.custom.`: what to insert for a documented path. */
export function insertionFor(path: string): string {
  return path.replace(/\["<[^>]+>"\]$/, '[""]').replace(/\*$/, '');
}
