import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ROLES } from '../../../shared/roles.ts';

export const UNIT_KINDS = ['company', 'business_group', 'department', 'team'] as const;

/** Org units. `parentId` is today's parent; the dated history is in org_unit_parents. */
export const orgUnits = pgTable(
  'org_units',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    kind: text('kind', { enum: UNIT_KINDS }).notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    parentId: uuid('parent_id'),
    headUserId: uuid('head_user_id'),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('org_units_code_key').on(t.code), index('org_units_parent_idx').on(t.parentId)],
);

/** Effective-dated parent links: which unit sat under which, from when to when (valid_to exclusive). */
export const orgUnitParents = pgTable(
  'org_unit_parents',
  {
    unitId: uuid('unit_id')
      .notNull()
      .references(() => orgUnits.id),
    parentId: uuid('parent_id').references(() => orgUnits.id),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.validFrom] }), index('org_unit_parents_parent_idx').on(t.parentId, t.validFrom)],
);

/** Today's tree as a closure table (every ancestor–descendant pair, with depth), for fast scope checks. */
export const orgUnitClosure = pgTable(
  'org_unit_closure',
  {
    ancestorId: uuid('ancestor_id').notNull(),
    descendantId: uuid('descendant_id').notNull(),
    depth: integer('depth').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ancestorId, t.descendantId] }), index('org_unit_closure_descendant_idx').on(t.descendantId)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    phone: text('phone'),
    title: text('title'),
    locale: text('locale', { enum: ['zh-CN', 'en'] }).notNull().default('zh-CN'),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    /** Today's home unit and manager; the dated history is in user_assignments. */
    unitId: uuid('unit_id').references(() => orgUnits.id),
    managerId: uuid('manager_id'),
    roles: text('roles', { enum: ROLES }).array().notNull().default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    passwordHash: text('password_hash'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    // The scoped user list: by unit, in name order, with id as the tie-breaker.
    index('users_unit_name_idx').on(t.unitId, t.nameZh, t.id),
    index('users_name_idx').on(t.nameZh, t.id),
    index('users_manager_idx').on(t.managerId),
    index('users_roles_idx').using('gin', t.roles),
    // Search by any part of a name or email, Chinese included (trigrams; see decision 0007).
    index('users_search_trgm_idx').using('gin', sql`(${t.nameZh} || ' ' || coalesce(${t.nameEn}, '') || ' ' || ${t.email}) gin_trgm_ops`),
  ],
);

/** Effective-dated assignment of a person: unit, manager and title from valid_from until valid_to (exclusive). */
export const userAssignments = pgTable(
  'user_assignments',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    unitId: uuid('unit_id').references(() => orgUnits.id),
    managerId: uuid('manager_id').references(() => users.id),
    title: text('title'),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.validFrom] }), index('user_assignments_unit_idx').on(t.unitId, t.validFrom)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value: a leaked table does not leak usable sessions. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The first characters, to recognise a token in a list without storing it. */
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), index('api_tokens_user_idx').on(t.userId)],
);

/** The id of the company profile's one row (created by migration 0014). */
export const COMPANY_PROFILE_ID = '0192f000-0000-7000-8000-000000000014';

/**
 * The company's profile, printed as the seller on documents: one row (the check pins its id).
 * The company's name is not here: it is the root org unit's, one source of truth.
 * `address_zh` and `phone` are '' until an admin fills them in.
 */
export const orgCompanyProfile = pgTable(
  'org_company_profile',
  {
    id: uuid('id').primaryKey(),
    addressZh: text('address_zh').notNull().default(''),
    addressEn: text('address_en'),
    phone: text('phone').notNull().default(''),
    email: text('email'),
    website: text('website'),
    /** 统一社会信用代码 (upper case, check character verified) or another country's tax number. */
    taxId: text('tax_id'),
    /** 开户行 */
    bankName: text('bank_name'),
    bankAccount: text('bank_account'),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => users.id),
  },
  (t) => [check('org_company_profile_one_row', sql`${t.id} = '0192f000-0000-7000-8000-000000000014'::uuid`)],
);
