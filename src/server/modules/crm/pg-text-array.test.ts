import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toPgTextArray } from './pg-text-array.ts';

/** The inverse, as PostgreSQL reads a one-dimensional array literal of quoted elements. */
function parse(literal: string): (string | null)[] {
  const out: (string | null)[] = [];
  const body = literal.slice(1, -1);
  let i = 0;
  while (i < body.length) {
    if (body.startsWith('NULL', i)) {
      out.push(null);
      i += 4;
    } else {
      let s = '';
      i++; // opening quote
      while (body[i] !== '"') {
        if (body[i] === '\\') i++;
        s += body[i];
        i++;
      }
      out.push(s);
      i++; // closing quote
    }
    if (body[i] === ',') i++;
  }
  return out;
}

describe('toPgTextArray', () => {
  it('quotes every element and escapes quotes and backslashes', () => {
    expect(toPgTextArray([])).toBe('{}');
    expect(toPgTextArray(['a', 'b c', null, 7])).toBe('{"a","b c",NULL,"7"}');
    expect(toPgTextArray(['say "hi"', 'C:\\x', '{,}'])).toBe('{"say \\"hi\\"","C:\\\\x","{,}"}');
  });

  it('round-trips any strings', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constant(null))), (xs) => {
        expect(parse(toPgTextArray(xs))).toEqual(xs);
      }),
    );
  });
});
