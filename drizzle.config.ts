import { defineConfig } from 'drizzle-kit';

// Every module's tables live in its own schema.ts; migrations are generated into drizzle/ and reviewed.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/server/platform/schema.ts', './src/server/modules/*/schema.ts'],
  out: './drizzle',
});
