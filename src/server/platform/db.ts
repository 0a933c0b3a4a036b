import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import lockfile from 'proper-lockfile';

/** The one database type the services see, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  kind: 'pglite' | 'pg';
  db: Db;
  /** PostgreSQL server version string (e.g. "15.19"), for benchmark reports. */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
  /** Only for the embedded database: a tarball of the data folder (test templates). */
  pglite?: PGlite;
  pool?: pg.Pool;
}

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle');

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `The data folder ${dataDir} is in use by another Throughline process (it is locked). ` +
        'Stop that process first, or set DATA_DIR to another folder.',
    );
    this.name = 'DataDirLockedError';
  }
}

// node-postgres would return numeric and int8 as JS numbers only if told to; keep them strings
// (exact money), but parse int4 counts as numbers, the default. Dates stay Date (timestamptz).

export interface OpenOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
  /** A data-folder tarball to start from (tests), instead of a folder on disk. */
  loadDataDir?: Blob | File;
  /** In-memory embedded database (tests). */
  inMemory?: boolean;
}

/** Open PostgreSQL when a URL is given, otherwise the embedded PGlite in `dataDir` (locked). */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Queries in flight still fail loudly.
    });
    const db = drizzlePg(pool) as unknown as Db;
    return {
      kind: 'pg',
      db,
      pool,
      serverVersion: async () => {
        const r = await pool.query<{ server_version: string }>('SHOW server_version');
        return r.rows[0]?.server_version ?? 'unknown';
      },
      close: () => pool.end(),
    };
  }

  let release: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!opts.inMemory && !opts.loadDataDir) {
    dataDir = path.resolve(opts.dataDir ?? './data');
    mkdirSync(dataDir, { recursive: true });
    try {
      // stale: a crashed process's lock is taken over after 10 s instead of blocking forever.
      release = await lockfile.lock(dataDir, { stale: 10_000, update: 2_000, realpath: false, retries: 0 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(dataDir);
      throw err;
    }
  }
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
      extensions: { pg_trgm },
    });
  } catch (err) {
    await release?.();
    throw err;
  }
  const db = drizzlePglite(client) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    pglite: client,
    serverVersion: async () => {
      const r = await client.query<{ server_version: string }>('SHOW server_version');
      return `${r.rows[0]?.server_version ?? 'unknown'} (PGlite)`;
    },
    close: async () => {
      await client.close();
      await release?.();
    },
  };
}

/** Apply the committed migrations (forward-only) in `drizzle/`. */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    // Two servers starting at once must not both migrate: a session advisory lock serializes them.
    const client = await database.pool!.connect();
    try {
      await client.query('SELECT pg_advisory_lock(7317001)');
      // Migrate on the connection that holds the lock (a pool of one must not wait on itself).
      await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock(7317001)').catch(() => undefined);
      client.release();
    }
  }
}

/** Run `fn` in one transaction; every write in Throughline goes through here. */
export function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}

/**
 * A unique violation (23505) — of `constraint` when given — anywhere in the error's cause chain
 * (the driver's error arrives wrapped by the query builder): a concurrent insert won the race.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const pg = e as { code?: string; constraint?: string; cause?: unknown };
    if (pg.code === '23505' && (constraint === undefined || pg.constraint === constraint)) return true;
    e = pg.cause;
  }
  return false;
}

/** Rows of a raw query, the same on both drivers. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

export { sql };
