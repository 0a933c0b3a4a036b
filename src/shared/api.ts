import { z } from 'zod';
import { LOCALES } from './i18n/resources.ts';

/**
 * Building blocks of the API's Zod schemas, shared by server and web. Messages of custom checks
 * are `v:<key>` keys into the validation catalogue, so they reach the user in their language.
 */
export const Id = z.uuid({ message: 'v:uuid' });
export const IsoDate = z.iso.date({ message: 'v:date' });
export const Email = z.email({ message: 'v:email' }).max(254);
export const Phone = z.string().regex(/^\+?[0-9][0-9 -]{5,19}$/, { message: 'v:phone' });
export const TimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'v:timezone' },
);
export const LocaleSchema = z.enum(LOCALES);
export const Version = z.number().int().min(1);
export const Timestamp = z.iso.datetime({ offset: true });

/** Query fields every list accepts: `limit` (1–200, default 50) and an opaque `cursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Query booleans arrive as strings. */
export const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** An RFC 9457 problem as the web client receives it. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;
