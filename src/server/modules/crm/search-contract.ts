import { z } from 'zod';
import { Id } from '../../../shared/api.ts';

/** The CRM-wide search (GET /api/v1/crm/search), shared by server and web. Decision 0007. */

export const SearchQuery = z.strictObject({
  /** One or more characters of a Chinese or English name, a phone number, an email or a USCC. */
  q: z.string().trim().min(1).max(100),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHit = z.object({
  type: z.enum(['account', 'contact']),
  id: Id,
  title: z.string(),
  /** Accounts: the English or short name, else the USCC; contacts: title and account name. */
  subtitle: z.string().nullable(),
  /** The account itself, or the contact's account. */
  accountId: Id,
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({ items: z.array(SearchHit) });
export type SearchResult = z.infer<typeof SearchResult>;
