import { describe, expect, it } from 'vitest';
import { bookStatus } from './book-status.ts';

describe('bookStatus', () => {
  const book = { isActive: true, validFrom: '2026-01-01', validTo: '2026-12-31' };
  it('is valid on both ends of its window (inclusive dates)', () => {
    expect(bookStatus(book, '2026-01-01')).toBe('valid');
    expect(bookStatus(book, '2026-12-31')).toBe('valid');
  });
  it('is upcoming before, expired after, and open-ended without an end', () => {
    expect(bookStatus(book, '2025-12-31')).toBe('upcoming');
    expect(bookStatus(book, '2027-01-01')).toBe('expired');
    expect(bookStatus({ ...book, validTo: null }, '2099-01-01')).toBe('valid');
  });
  it('is inactive whatever the dates when switched off', () => {
    expect(bookStatus({ ...book, isActive: false }, '2026-06-01')).toBe('inactive');
  });
});
