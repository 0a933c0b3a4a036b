import { sql } from 'drizzle-orm';
import { localDate } from '../../shared/dates.ts';
import { type Database, migrateDatabase, withTx } from '../platform/db.ts';
import { seedCalendars } from '../modules/calendar/seed.ts';
import { seedCatalog } from '../modules/catalog/seed-catalog.ts';
import { generateCustomerGroups, seedAccounts } from '../modules/crm/seed-accounts.ts';
import { seedActivities } from '../modules/crm/seed-activities.ts';
import { seedOpportunities } from '../modules/crm/seed-opportunities.ts';
import { hashPassword } from '../modules/org/password.ts';
import { hasAnyUser, insertOrgPlan, seedCompanyProfile } from '../modules/org/seed.ts';
import { seedPricingRules } from '../modules/pricing/seed-rules.ts';
import { seedQuotes } from '../modules/quotes/seed-quotes.ts';
import { DEMO_COMPANY_PROFILE, DEMO_DOMAIN, DEMO_PASSWORD, type DemoCompany, generateCompany } from './company.ts';

export interface SeedOptions {
  sellers?: number;
  seed?: number;
  /** Effective date of the demo org (default: 2026-01-01, so the history has a start). */
  effectiveDate?: string;
}

export interface SeedResult {
  seeded: boolean;
  company: DemoCompany;
  rows: Record<string, number>;
}

/** Drop everything and migrate again: `npm run seed -- --reset`. */
export async function resetDatabase(database: Database): Promise<void> {
  await database.db.execute(sql`DROP SCHEMA IF EXISTS drizzle CASCADE`);
  await database.db.execute(sql`DROP SCHEMA public CASCADE`);
  await database.db.execute(sql`CREATE SCHEMA public`);
  await migrateDatabase(database);
}

/** Load the demo company when the database has no users yet; a no-op otherwise. */
export async function seedDemo(database: Database, opts: SeedOptions = {}): Promise<SeedResult> {
  const company = generateCompany({ ...(opts.sellers ? { sellers: opts.sellers } : {}), ...(opts.seed ? { seed: opts.seed } : {}) });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const effectiveDate = opts.effectiveDate ?? '2026-01-01';
  let calendarRows: Record<string, number> = {};
  let dealRows: Record<string, number> = {};
  let quoteCatalog: { priceBookId: string; productIds: Map<string, string> } | null = null;
  const seeded = await withTx(database.db, async (tx) => {
    if (await hasAnyUser(tx)) return false;
    await insertOrgPlan(tx, { ...company, passwordHash, effectiveDate: effectiveDate > localDate(new Date(), 'Asia/Shanghai') ? localDate(new Date(), 'Asia/Shanghai') : effectiveDate });
    await seedCompanyProfile(tx, DEMO_COMPANY_PROFILE);
    const unitId = (code: string) => company.units.find((u) => u.code === code)?.id;
    calendarRows = (await seedCalendars(tx, { companyUnitId: unitId('YL')!, serviceUnitId: unitId('YL-SVC') })).rows;
    const customers = await seedAccounts(tx, company.users, { scale: 'small', ...(opts.seed ? { seed: opts.seed } : {}) });
    dealRows = { ...customers.rows, ...(await seedOpportunities(tx, company, { accountIds: customers.accountIds, count: 150 })).rows };
    dealRows = { ...dealRows, ...(await seedActivities(tx, company, opts.seed ? { seed: opts.seed } : {})).rows };
    const catalog = await seedCatalog(tx);
    quoteCatalog = { priceBookId: catalog.priceBookIds.CNY, productIds: catalog.productIds };
    const governmentGroupId = generateCustomerGroups(opts.seed ?? 20261125).find((g) => g.code === 'GOV')?.id ?? null;
    const pricing = await seedPricingRules(tx, { groupIds: catalog.groupIds, productIds: catalog.productIds, governmentGroupId });
    dealRows = { ...dealRows, ...catalog.rows, ...pricing.rows };
    return true;
  });
  // Quotes go through their service (priced by the engine), so after the company is committed; the
  // demo price books are the seed year's.
  const admin = company.users.find((u) => u.roles.includes('admin'));
  if (seeded && quoteCatalog && admin) {
    // The demo's rep sign-in has a quote waiting in the demo manager's inbox.
    const featuredOwnerId = company.users.find((u) => u.email === `rep@${DEMO_DOMAIN}`)?.id;
    const quoteOpts = { admin, ...(quoteCatalog as { priceBookId: string; productIds: Map<string, string> }), ...(featuredOwnerId ? { featuredOwnerId } : {}) };
    dealRows = { ...dealRows, ...(await seedQuotes(database.db, quoteOpts)).rows };
  }
  return { seeded, company, rows: { org_units: company.units.length, users: company.users.length, ...calendarRows, ...dealRows } };
}
