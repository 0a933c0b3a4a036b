import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, openDatabase } from './db.ts';

/** The embedded database's folder is locked: a second process on it fails at once, never corrupts it. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'throughline-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data folder lock', () => {
  it('a second open of the same folder fails with a clear message; after close it opens again', async () => {
    const first = await openDatabase({ dataDir: dir });
    await first.pglite!.exec('CREATE TABLE kept (v int)');
    await first.pglite!.exec('INSERT INTO kept VALUES (42)');
    const second = openDatabase({ dataDir: dir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(/in use by another Throughline process/);
    await first.close();
    const again = await openDatabase({ dataDir: dir });
    const rows = await again.pglite!.query<{ v: number }>('SELECT v FROM kept');
    expect(rows.rows).toEqual([{ v: 42 }]);
    await again.close();
  });
});
