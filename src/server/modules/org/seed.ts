import { sql } from 'drizzle-orm';
import type { Role } from '../../../shared/roles.ts';
import type { Tx } from '../../platform/db.ts';
import type { UnitKind } from './org.ts';
import { COMPANY_PROFILE_ID, orgCompanyProfile, orgUnitParents, orgUnits, userAssignments, users } from './schema.ts';
import { rebuildClosure } from './service.ts';
import { checkTaxId } from './tax-id.ts';

/** A whole org chart to load at once (demo data, benchmarks, test fixtures). */
export interface OrgPlan {
  units: { id: string; code: string; kind: UnitKind; nameZh: string; nameEn: string; parentId: string | null; headUserId?: string }[];
  users: {
    id: string;
    email: string;
    nameZh: string;
    nameEn: string;
    title: string;
    unitId: string;
    managerId: string | null;
    roles: Role[];
    locale?: 'zh-CN' | 'en';
    phone?: string;
  }[];
  /** One hash for every planned user (hashing per user would take minutes at benchmark scale). */
  passwordHash: string;
  effectiveDate: string;
}

/** Insert a planned org chart with its dated history and closure, in the caller's transaction. */
export async function insertOrgPlan(tx: Tx, plan: OrgPlan): Promise<void> {
  const chunk = <T>(list: T[], n: number) => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, i * n + n));
  for (const part of chunk(plan.units, 500)) {
    await tx.insert(orgUnits).values(
      part.map((u) => ({ id: u.id, code: u.code, kind: u.kind, nameZh: u.nameZh, nameEn: u.nameEn, parentId: u.parentId, headUserId: u.headUserId ?? null })),
    );
    await tx.insert(orgUnitParents).values(part.map((u) => ({ unitId: u.id, parentId: u.parentId, validFrom: plan.effectiveDate })));
  }
  for (const part of chunk(plan.users, 500)) {
    await tx.insert(users).values(
      part.map((u) => ({
        id: u.id,
        email: u.email,
        nameZh: u.nameZh,
        nameEn: u.nameEn,
        title: u.title,
        unitId: u.unitId,
        managerId: u.managerId,
        roles: u.roles,
        locale: u.locale ?? 'zh-CN',
        phone: u.phone ?? null,
        passwordHash: plan.passwordHash,
      })),
    );
    await tx.insert(userAssignments).values(
      part.map((u) => ({ userId: u.id, unitId: u.unitId, managerId: u.managerId, title: u.title, validFrom: plan.effectiveDate })),
    );
  }
  await rebuildClosure(tx);
}

export async function hasAnyUser(tx: Tx): Promise<boolean> {
  const r = (await tx.execute(sql`SELECT EXISTS (SELECT 1 FROM users) AS e`)) as unknown as { rows: { e: boolean }[] };
  return r.rows[0]?.e === true;
}

export type CompanyProfilePlan = Omit<typeof orgCompanyProfile.$inferInsert, 'id' | 'version' | 'updatedAt' | 'updatedBy'>;

/** Fill the company profile (the row migration 0014 created), in the caller's transaction. */
export async function seedCompanyProfile(tx: Tx, profile: CompanyProfilePlan): Promise<void> {
  if (profile.taxId && !checkTaxId(profile.taxId).ok) throw new Error(`seed: invalid tax id ${profile.taxId}`);
  await tx
    .insert(orgCompanyProfile)
    .values({ id: COMPANY_PROFILE_ID, ...profile })
    .onConflictDoUpdate({ target: orgCompanyProfile.id, set: { ...profile, version: sql`${orgCompanyProfile.version} + 1` } });
}
