import { describe, expect, it } from 'vitest';
import { mergeHits, normalizeSearchQuery, queryGrams, textArrayLiteral } from './search.ts';

describe('queryGrams', () => {
  it('asks for a one-character word as itself and a longer word by its bigrams', () => {
    expect(queryGrams('华')).toEqual(['华']);
    expect(queryGrams('张伟')).toEqual(['张伟']);
    // 王建华 → 王建, 建华: every name containing 王建华 contains both.
    expect(queryGrams('王建华')).toEqual(['王建', '建华']);
    expect(queryGrams('欧阳晓东')).toEqual(['欧阳', '阳晓', '晓东']);
  });

  it('lower-cases like the index and takes each word apart', () => {
    expect(queryGrams('Blue C')).toEqual(['bl', 'lu', 'ue', 'c']);
  });

  it('keeps repeated grams once and caps long queries', () => {
    expect(queryGrams('哈哈哈')).toEqual(['哈哈']);
    expect(queryGrams('一二三四五六七八九十'.repeat(5)).length).toBeLessThanOrEqual(32);
  });

  it('treats characters outside the basic plane as one character', () => {
    expect(queryGrams('𠮷野')).toEqual(['𠮷野']);
  });
});

describe('normalizeSearchQuery', () => {
  it('turns a phone number as typed into its digits', () => {
    expect(normalizeSearchQuery('+86 139-1234 5678')).toBe('8613912345678');
    expect(normalizeSearchQuery('(0571) 8700')).toBe('05718700');
  });

  it('leaves names alone apart from white space', () => {
    expect(normalizeSearchQuery('  David   Miller ')).toBe('David Miller');
    expect(normalizeSearchQuery('张伟')).toBe('张伟');
    // Too few digits to be a phone number: kept as typed.
    expect(normalizeSearchQuery('1-2')).toBe('1-2');
  });
});

describe('textArrayLiteral', () => {
  it('quotes every element so commas, braces and quotes stay text', () => {
    expect(textArrayLiteral(['a,b', '{x}', 'say "hi"', 'back\\slash'])).toBe('{"a,b","{x}","say \\"hi\\"","back\\\\slash"}');
  });
});

describe('mergeHits', () => {
  it('orders by rank, then shorter titles, then title, and cuts at the limit', () => {
    const hits = [
      [
        { rank: 2, title: '杭州星河科技有限公司' },
        { rank: 1, title: '星河物流' },
      ],
      [
        { rank: 0, title: '星河' },
        { rank: 1, title: '星河华' },
        { rank: 1, title: '星河乙' },
      ],
    ];
    expect(mergeHits(hits, 4).map((h) => h.title)).toEqual(['星河', '星河乙', '星河华', '星河物流']);
  });
});
