import { writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase, openDatabase } from '../platform/db.ts';

/**
 * Migrate once per run, then let every test file start from a copy: on PGlite a data-folder
 * tarball (loadDataDir, ~1 s) and on PostgreSQL a template database (CREATE DATABASE … TEMPLATE).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    testDb: 'pglite' | 'pg';
    pgliteTemplate: string;
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = (project.config.env?.['TEST_DB'] as 'pglite' | 'pg' | undefined) ?? 'pglite';
  project.provide('testDb', kind);
  if (kind === 'pglite') {
    const database = await openDatabase({ inMemory: true });
    await migrateDatabase(database);
    const blob = await database.pglite!.dumpDataDir('gzip');
    await database.close();
    const file = path.join(os.tmpdir(), `throughline-test-template-${process.pid}.tar.gz`);
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    project.provide('pgliteTemplate', file);
    project.provide('pgAdminUrl', '');
    project.provide('pgTemplate', '');
    return async () => rmSync(file, { force: true });
  }

  const adminUrl = process.env['DATABASE_URL'] || DEFAULT_TEST_PG_URL;
  const template = `tl_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
  await migrateDatabase(database);
  await database.close();
  project.provide('pgliteTemplate', '');
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'tl\\_t\\_${process.pid}\\_%' OR datname = '${template}'`,
    );
    for (const { datname } of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
  };
}
