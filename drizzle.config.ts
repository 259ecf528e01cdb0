import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` writes migrations for both drivers (PGlite and PostgreSQL) into `drizzle/`. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
