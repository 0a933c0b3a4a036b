import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Page } from '../../shared/api.ts';
import { AppError, PlatformErrors } from './errors.ts';
import { UUID_PATTERN } from './ids.ts';

/** The cursor carries the sort key and a fingerprint of the sort, so a cursor from another sort is refused. */
export function encodeCursor(sort: string, values: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify([sort, ...values]), 'utf8').toString('base64url');
}

function invalidCursor(): AppError {
  return new AppError(PlatformErrors.invalid_cursor, { errors: [{ path: 'query.cursor', message: 'v:bad_cursor' }] });
}

export function decodeCursor(sort: string, cursor: string, arity: number): (string | number | null)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== arity + 1 ||
    parsed[0] !== sort ||
    !parsed.slice(1).every((v) => v === null || typeof v === 'string' || typeof v === 'number')
  ) {
    throw invalidCursor();
  }
  return parsed.slice(1) as (string | number | null)[];
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A keyset cursor of a timestamp (as `timestampCursorValue` wrote it) and a row id: both checked,
 * so a tampered cursor is 400 `platform.invalid_cursor`, never a database cast error.
 */
export function decodeTimestampIdCursor(sort: string, cursor: string): [at: string, id: string] {
  const [at, id] = decodeCursor(sort, cursor, 2);
  if (typeof at !== 'string' || !ISO_MICROS.test(at) || typeof id !== 'string' || !UUID_PATTERN.test(id)) throw invalidCursor();
  return [at, id];
}

/** Take `limit + 1` rows, return `limit` and a cursor built from the last one when more exist. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, cursorOf: (r: R) => string): Page<T> {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  return { items: slice.map(map), nextCursor: more ? cursorOf(slice[slice.length - 1]!) : null };
}

/**
 * A timestamp sort key at the database's full (microsecond) precision, as text for a cursor.
 * A JS Date keeps milliseconds only: a cursor made from it would sort before its own row and
 * repeat the page forever. Compare it back with `${value}::timestamptz`.
 */
export function timestampCursorValue(column: AnyPgColumn): SQL<string> {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
