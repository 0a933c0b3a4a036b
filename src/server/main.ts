import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_DIST, buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_PASSWORD } from './demo/company.ts';
import { seedDemo } from './demo/seed.ts';
import { DataDirLockedError, migrateDatabase, openDatabase } from './platform/db.ts';

/** `npm start`: migrate, seed the demo on first start, build the web bundle if missing, serve. */
async function main(): Promise<void> {
  const t0 = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    console.log('The web bundle is missing (dist/web): building it once now…');
    const { build } = await import('vite');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    await build({ logLevel: 'warn', configFile: path.join(root, 'vite.config.ts') });
  }

  let database;
  try {
    database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(err.message);
      process.exit(3);
    }
    throw err;
  }
  await migrateDatabase(database);
  const seed = await seedDemo(database);
  const app = await buildApp({ config, database, startOutbox: true, serveWeb: true });
  await app.server.listen({ host: config.HOST, port: config.PORT });

  const address = app.server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  const where = database.kind === 'pglite' ? `embedded PGlite in ${path.resolve(config.DATA_DIR)}` : 'PostgreSQL (DATABASE_URL)';
  console.log(
    [
      '',
      `Throughline is running at ${url}  (${where}; ready in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      seed.seeded ? 'Demo data loaded on this first start.' : '',
      `Demo sign-ins (password ${DEMO_PASSWORD}):`,
      ...seed.company.logins.map((l) => `  ${l.role.padEnd(17)} ${l.email.padEnd(26)} ${l.nameZh} (${l.nameEn})`),
      `API docs (OpenAPI): ${url}/api/docs`,
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );

  const shutdown = async (signal: string) => {
    console.log(`${signal}: shutting down…`);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
