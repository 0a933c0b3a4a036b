import { loadConfig } from '../config.ts';
import { openDatabase, migrateDatabase } from '../platform/db.ts';
import { resetDatabase, seedDemo } from '../demo/seed.ts';

/** `npm run seed [-- --reset]`: load the demo company (after dropping everything with --reset). */
const args = new Set(process.argv.slice(2));
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
try {
  if (args.has('--reset')) {
    console.log('Dropping all data and migrating again…');
    await resetDatabase(database);
  } else {
    await migrateDatabase(database);
  }
  const result = await seedDemo(database);
  console.log(result.seeded ? `Demo data loaded: ${JSON.stringify(result.rows)}` : 'The database already has data; nothing loaded (use --reset to rebuild it).');
} finally {
  await database.close();
}
