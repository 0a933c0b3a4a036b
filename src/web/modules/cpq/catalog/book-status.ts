/**
 * A price book's status on a date, from its flag and validity window (inclusive local dates):
 * inactive, not yet valid, valid, or expired.
 */
export type BookStatus = 'inactive' | 'upcoming' | 'valid' | 'expired';

export function bookStatus(book: { isActive: boolean; validFrom: string; validTo: string | null }, today: string): BookStatus {
  if (!book.isActive) return 'inactive';
  if (today < book.validFrom) return 'upcoming';
  if (book.validTo !== null && today > book.validTo) return 'expired';
  return 'valid';
}

export const BOOK_STATUS_COLORS: Record<BookStatus, string> = { inactive: 'default', upcoming: 'blue', valid: 'green', expired: 'orange' };
