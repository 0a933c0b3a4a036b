import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { openDatabase } from '../src/server/platform/db.ts';

/**
 * The server of an HTTP benchmark on PostgreSQL (http-bench.ts), and one server of a side-by-side
 * comparison (bench/crm-list-ab.ts): the app of the source tree this
 * file lives in, built as the benchmarks build it (NODE_ENV production, LOG_LEVEL silent unless
 * AB_LOG_LEVEL says otherwise, no outbox loop), on an existing database (AB_DATABASE_URL), listening
 * on 127.0.0.1 on a free port, which it prints as `PORT <n>`. Stops on SIGTERM.
 */
async function main(): Promise<void> {
  const url = process.env['AB_DATABASE_URL'];
  if (!url) throw new Error('AB_DATABASE_URL is not set');
  const database = await openDatabase({ databaseUrl: url, poolSize: 10 });
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: process.env['AB_LOG_LEVEL'] ?? 'silent', HOST: '127.0.0.1', PORT: '0' });
  const app = await buildApp({ config, database, startOutbox: false });
  await app.server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.server.address() as AddressInfo;
  console.log(`PORT ${port}`);
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
