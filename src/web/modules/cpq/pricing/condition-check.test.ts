import { describe, expect, it } from 'vitest';
import { caretExcerpt, checkCondition, insertAt, insertionFor, offsetOf } from './condition-check.ts';

describe('checkCondition', () => {
  it('accepts a blank condition and one over the documented context', () => {
    expect(checkCondition('')).toBeNull();
    expect(checkCondition('   ')).toBeNull();
    expect(checkCondition('line.quantity >= 100 && customer.kind == "government"')).toBeNull();
  });

  it('reports a syntax error with its line and column', () => {
    const problem = checkCondition('line.quantity >= 100 &&\n  customer.kind == ');
    expect(problem).not.toBeNull();
    expect(problem!.line).toBe(2);
    expect(problem!.column).toBeGreaterThan(1);
  });

  it('reports a misspelt field instead of never matching', () => {
    const problem = checkCondition('customer.regoin == "east"');
    expect(problem).not.toBeNull();
    expect(problem!.line).toBe(1);
  });

  it('refuses a condition that is not a bool', () => {
    expect(checkCondition('line.quantity + 1')?.code).toBe('condition_not_bool');
  });
});

describe('editor helpers', () => {
  it('puts a caret under the column', () => {
    expect(caretExcerpt('a\nline.quantity >', 2, 16)).toEqual({ text: 'line.quantity >', caret: `${' '.repeat(15)}^` });
  });

  it('finds the offset of a line and column', () => {
    // "ab\ncd": line 2 column 2 is "d", offset 4.
    expect(offsetOf('ab\ncd', 2, 2)).toBe(4);
    expect(offsetOf('ab', 9, 9)).toBe(2);
  });

  it('inserts at the cursor, replacing a selection', () => {
    expect(insertAt('a  b', 2, 2, 'line.quantity')).toEqual({ text: 'a line.quantity b', cursor: 15 });
    expect(insertAt('x == 1', 0, 1, 'quote.lineCount')).toEqual({ text: 'quote.lineCount == 1', cursor: 15 });
  });

  it('turns documented paths into what to type', () => {
    expect(insertionFor('quote.qtyByGroup["<groupId>"]')).toBe('quote.qtyByGroup[""]');
    expect(insertionFor('customer.custom.*')).toBe('customer.custom.');
    expect(insertionFor('line.quantity')).toBe('line.quantity');
  });
});
