import { z } from 'zod';
import { Email, Id, IsoDate, LocaleSchema, PageQuery, Phone, TimeZone, Timestamp, Version, pageSchema, QueryBool } from '../../../shared/api.ts';
import { ROLES, SCOPES } from '../../../shared/roles.ts';
import { checkTaxId } from './tax-id.ts';

/** The org module's API, shared by server and web. */
export const RoleSchema = z.enum(ROLES);
export const UnitKindSchema = z.enum(['company', 'business_group', 'department', 'team']);

const Name = z.string().trim().min(1).max(100);

export const User = z.object({
  id: Id,
  email: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  phone: z.string().nullable(),
  title: z.string().nullable(),
  locale: LocaleSchema,
  timeZone: z.string(),
  unitId: Id.nullable(),
  managerId: Id.nullable(),
  roles: z.array(RoleSchema),
  active: z.boolean(),
  lastLoginAt: Timestamp.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const UserPage = pageSchema(User);
export type UserPage = z.infer<typeof UserPage>;

export const USER_SORTS = ['name', '-name', 'email', '-email', 'createdAt', '-createdAt'] as const;
export const ListUsersQuery = PageQuery.extend({
  unitId: Id.optional(),
  /** Include everyone below `unitId`, not only its direct members. */
  includeSubunits: QueryBool.optional(),
  role: RoleSchema.optional(),
  active: QueryBool.optional(),
  q: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(USER_SORTS).default('name'),
}).strict();
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export const CreateUserBody = z.strictObject({
  email: Email,
  nameZh: Name,
  nameEn: Name.optional(),
  phone: Phone.optional(),
  title: z.string().trim().max(100).optional(),
  locale: LocaleSchema.default('zh-CN'),
  timeZone: TimeZone.default('Asia/Shanghai'),
  unitId: Id.optional(),
  managerId: Id.optional(),
  roles: z.array(RoleSchema).max(ROLES.length).default([]),
  /** Initial password; without one the user cannot sign in until an admin sets it. */
  password: z.string().min(1).max(200).optional(),
  /** When the placement starts (default today, in the company time zone). */
  effectiveDate: IsoDate.optional(),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z.strictObject({
  version: Version,
  nameZh: Name.optional(),
  nameEn: Name.nullable().optional(),
  phone: Phone.nullable().optional(),
  title: z.string().trim().max(100).nullable().optional(),
  locale: LocaleSchema.optional(),
  timeZone: TimeZone.optional(),
  unitId: Id.nullable().optional(),
  managerId: Id.nullable().optional(),
  roles: z.array(RoleSchema).max(ROLES.length).optional(),
  active: z.boolean().optional(),
  password: z.string().min(1).max(200).optional(),
  /** When a move (unit, manager, title) takes effect; default today. History before it is kept. */
  effectiveDate: IsoDate.optional(),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const IdParams = z.strictObject({ id: Id });

export const OrgUnit = z.object({
  id: Id,
  code: z.string(),
  kind: UnitKindSchema,
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  parentId: Id.nullable(),
  headUserId: Id.nullable(),
  active: z.boolean(),
  memberCount: z.number().int(),
  version: Version,
});
export type OrgUnit = z.infer<typeof OrgUnit>;

export const OrgTreeQuery = z.strictObject({ asOf: IsoDate.optional() });
export const OrgTree = z.object({ asOf: IsoDate, units: z.array(OrgUnit) });
export type OrgTree = z.infer<typeof OrgTree>;

export const CreateUnitBody = z.strictObject({
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/),
  kind: UnitKindSchema,
  nameZh: Name,
  nameEn: Name.optional(),
  parentId: Id.nullable(),
  headUserId: Id.optional(),
  effectiveDate: IsoDate.optional(),
});
export type CreateUnitBody = z.infer<typeof CreateUnitBody>;

export const UpdateUnitBody = z.strictObject({
  version: Version,
  nameZh: Name.optional(),
  nameEn: Name.nullable().optional(),
  parentId: Id.nullable().optional(),
  headUserId: Id.nullable().optional(),
  active: z.boolean().optional(),
  effectiveDate: IsoDate.optional(),
});
export type UpdateUnitBody = z.infer<typeof UpdateUnitBody>;

export const ChainQuery = z.strictObject({ asOf: IsoDate.optional() });
export const ManagementChain = z.object({
  asOf: IsoDate,
  userId: Id,
  unitId: Id.nullable(),
  /** Managers from the direct manager upwards. */
  managers: z.array(z.object({ userId: Id, nameZh: z.string(), nameEn: z.string().nullable(), unitId: Id.nullable(), level: z.number().int() })),
  /** The units from the home unit up to the company. */
  units: z.array(z.object({ unitId: Id, kind: UnitKindSchema, nameZh: z.string(), nameEn: z.string().nullable() })),
});
export type ManagementChain = z.infer<typeof ManagementChain>;

export const LoginBody = z.strictObject({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const SessionInfo = z.object({
  user: User,
  csrfToken: z.string().nullable(),
  /** Every action the user may take, with the widest scope. */
  permissions: z.record(z.string(), z.enum(SCOPES)),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const UpdateMeBody = z.strictObject({ locale: LocaleSchema.optional(), timeZone: TimeZone.optional() });
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const ApiToken = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const ApiTokenList = z.object({ items: z.array(ApiToken) });
export const CreateApiTokenBody = z.strictObject({ name: Name, expiresAt: Timestamp.optional() });
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;
export const CreatedApiToken = ApiToken.extend({ token: z.string() });
export const TokenParams = z.strictObject({ id: Id, tokenId: Id });

export const Ok = z.object({ ok: z.literal(true) });

// ── The company profile: the seller block of documents ──────────────────────────────────────────

/** Optional text: trimmed, never empty (an empty field is sent as null). */
const ProfileText = (max: number) => z.string().trim().min(1).max(max);

/** The profile's editable fields, shared by the PUT body and the web form. */
export const CompanyProfileFields = z.strictObject({
  /** Printed on every document: required once the profile is saved. */
  addressZh: ProfileText(200),
  addressEn: ProfileText(300).nullable(),
  phone: z.string().trim().max(40).pipe(Phone),
  email: z.string().trim().max(254).pipe(Email).nullable(),
  website: z
    .string()
    .trim()
    .max(200)
    .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.domain, message: 'v:url' }))
    .nullable(),
  /**
   * 统一社会信用代码 or another country's tax number, ≤ 40 characters. A value shaped like a credit
   * code (18 characters of its alphabet, any case) must carry its check character: the server
   * answers 422 `org.invalid_tax_id` otherwise (tax-id.ts), and stores such a code in upper case.
   */
  taxId: ProfileText(40).nullable(),
  bankName: ProfileText(100).nullable(),
  bankAccount: ProfileText(60).nullable(),
});
export type CompanyProfileFields = z.infer<typeof CompanyProfileFields>;

export const UpdateCompanyProfileBody = CompanyProfileFields.extend({ version: Version });
export type UpdateCompanyProfileBody = z.infer<typeof UpdateCompanyProfileBody>;

/** The web form's check: the body's schema plus the credit code's check character, as the server checks it. */
export const CompanyProfileForm = CompanyProfileFields.superRefine((v, ctx) => {
  if (v.taxId !== null && !checkTaxId(v.taxId).ok) ctx.addIssue({ code: 'custom', path: ['taxId'], message: 'v:tax_id_check_digit' });
});

export const CompanyProfile = z.object({
  /** The company's names: the root org unit's (edited on the org chart). */
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  /** '' until an admin fills the profile in. */
  addressZh: z.string(),
  addressEn: z.string().nullable(),
  phone: z.string(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  taxId: z.string().nullable(),
  bankName: z.string().nullable(),
  bankAccount: z.string().nullable(),
  version: Version,
  updatedAt: Timestamp,
  updatedBy: Id.nullable(),
});
export type CompanyProfile = z.infer<typeof CompanyProfile>;
