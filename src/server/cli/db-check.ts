import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run db:check`: fails when the Drizzle schema and the committed migrations drift, i.e. when
 * `drizzle-kit generate` would write a new migration. Runs the generator on a copy of drizzle/.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// drizzle-kit takes `out` relative to the working directory, so the scratch copy lives in .cache/.
mkdirSync(path.join(root, '.cache'), { recursive: true });
const tmp = mkdtempSync(path.join(root, '.cache', 'db-check-'));
try {
  const out = path.join(tmp, 'drizzle');
  cpSync(path.join(root, 'drizzle'), out, { recursive: true });
  const before = new Set(readdirSync(out));
  const config = path.join(root, `.drizzle-check-${process.pid}.config.ts`);
  writeFileSync(
    config,
    `export default { dialect: 'postgresql', schema: ['./src/server/platform/schema.ts', './src/server/modules/*/schema.ts'], out: ${JSON.stringify('./' + path.relative(root, out))} };\n`,
  );
  let output = '';
  try {
    output = execFileSync(path.join(root, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', config, '--name', 'drift'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    rmSync(config, { force: true });
  }
  if (!/No schema changes|Your SQL migration file/.test(output)) {
    console.error(`db:check: drizzle-kit did not report a result:\n${output}`);
    process.exit(1);
  }
  const added = readdirSync(out).filter((f) => !before.has(f));
  if (added.length > 0) {
    console.error(`Schema and migrations drift: drizzle-kit would add ${added.join(', ')}.`);
    console.error('Run `npm run db:generate -- --name <what-changed>`, review the SQL, and commit it.');
    process.exit(1);
  }
  console.log('db:check: schema and migrations agree.');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
