import { z } from 'zod';
import { Email, Id, PageQuery, Phone, QueryBool, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { MoneySchema } from '../../../shared/money.ts';
import { CONTACT_LEVELS, CONTACT_STATUSES, SENIORITIES } from './coverage.ts';
import { CustomValuesBody } from './custom-field-contract.ts';

/**
 * The API of accounts, customer groups, account teams, contacts and the relationship map, shared
 * by server and web. Shapes are checked here (400 platform.validation with field paths); rules that
 * need the database or a code table (USCC check character, region codes, cycles, duplicates) are
 * the services' 409/422 `crm.*` problems. The enums repeat schema.ts so the web does not import
 * Drizzle; account-contract.test.ts keeps them equal.
 */

export const ACCOUNT_KINDS = ['enterprise', 'state_owned', 'government', 'education', 'healthcare', 'other'] as const;
export const ACCOUNT_STATUSES = ['prospect', 'customer', 'former'] as const;
export const ACCOUNT_TIERS = ['strategic', 'key', 'standard', 'small'] as const;
export const TEAM_ROLES = ['account_lead', 'executive_sponsor', 'solution', 'delivery_lead', 'service_lead'] as const;
export const INFLUENCES = ['champion', 'supporter', 'neutral', 'blocker'] as const;
/** What our person is to their contact. */
export const RELATIONSHIP_ROLES = ['primary', 'executive_sponsor', 'technical', 'commercial', 'delivery', 'service', 'other'] as const;
export const ACCOUNT_SORTS = ['name', '-name', 'createdAt', '-createdAt'] as const;
export { CONTACT_LEVELS, CONTACT_STATUSES };

export const AccountKind = z.enum(ACCOUNT_KINDS);
export const AccountStatus = z.enum(ACCOUNT_STATUSES);
export const AccountTier = z.enum(ACCOUNT_TIERS);
export const TeamRole = z.enum(TEAM_ROLES);
export const ContactLevel = z.enum(CONTACT_LEVELS);
export const ContactStatus = z.enum(CONTACT_STATUSES);
export const Influence = z.enum(INFLUENCES);
export const RelationshipRole = z.enum(RELATIONSHIP_ROLES);
export const Seniority = z.enum(SENIORITIES);

const text = (max: number) => z.string().trim().min(1).max(max);
/** GB/T 2260 six-digit code; whether it names a real province/city is checked by the service (422). */
const RegionCode = z.string().regex(/^\d{6}$/, { message: 'v:region_code' });
const Tag = z.string().trim().min(1).max(40);
/** WeChat IDs: 6–20 characters, a letter first, then letters, digits, `_` or `-`. */
export const WechatId = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_-]{5,19}$/, { message: 'v:wechat_id' });

export const IdParams = z.strictObject({ id: Id });
export const TeamMemberParams = z.strictObject({ id: Id, userId: Id });
export const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1) });

// ── Customer groups ─────────────────────────────────────────────────────────────────────────────

export const CustomerGroup = z.object({
  id: Id,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  parentId: Id.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CustomerGroup = z.infer<typeof CustomerGroup>;

export type CustomerGroupNode = CustomerGroup & { children: CustomerGroupNode[] };
export const CustomerGroupNode: z.ZodType<CustomerGroupNode> = CustomerGroup.extend({
  get children() {
    return z.array(CustomerGroupNode);
  },
});
export const CustomerGroupTree = z.object({ items: z.array(CustomerGroupNode) });
export type CustomerGroupTree = z.infer<typeof CustomerGroupTree>;

const GroupCode = z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'v:code' });

export const CreateCustomerGroupBody = z.strictObject({
  code: GroupCode,
  nameZh: text(100),
  nameEn: text(100).optional(),
  parentId: Id.nullable().default(null),
});
export type CreateCustomerGroupBody = z.infer<typeof CreateCustomerGroupBody>;

export const UpdateCustomerGroupBody = z.strictObject({
  version: Version,
  code: GroupCode.optional(),
  nameZh: text(100).optional(),
  nameEn: text(100).nullable().optional(),
  parentId: Id.nullable().optional(),
});
export type UpdateCustomerGroupBody = z.infer<typeof UpdateCustomerGroupBody>;

// ── Accounts ────────────────────────────────────────────────────────────────────────────────────

export const Account = z.object({
  id: Id,
  nameZh: z.string(),
  nameEn: z.string().nullable(),
  shortName: z.string().nullable(),
  /** 统一社会信用代码, normalized (upper case, half-width, no spaces). */
  uscc: z.string().nullable(),
  kind: AccountKind,
  industry: z.string().nullable(),
  provinceCode: z.string().nullable(),
  cityCode: z.string().nullable(),
  address: z.string().nullable(),
  website: z.string().nullable(),
  tier: AccountTier,
  customerGroupId: Id.nullable(),
  status: AccountStatus,
  parentId: Id.nullable(),
  ownerId: Id,
  ownerName: z.string().nullable(),
  /** The owner's home unit: moves with the owner. */
  unitId: Id,
  tags: z.array(z.string()),
  notes: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()),
  archivedAt: Timestamp.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Account = z.infer<typeof Account>;
export const AccountPage = pageSchema(Account);
export type AccountPage = z.infer<typeof AccountPage>;

const accountFields = {
  nameZh: text(200),
  nameEn: text(200),
  shortName: text(50),
  /** Any spelling (spaces, lower case, full-width); stored normalized after the check-character test. */
  uscc: z.string().max(60),
  kind: AccountKind,
  industry: text(60),
  provinceCode: RegionCode,
  cityCode: RegionCode,
  address: text(300),
  website: text(300),
  tier: AccountTier,
  customerGroupId: Id,
  status: AccountStatus,
  parentId: Id,
  ownerId: Id,
  tags: z.array(Tag).max(20),
  notes: z.string().max(5000),
} as const;

export const CreateAccountBody = z.strictObject({
  nameZh: accountFields.nameZh,
  nameEn: accountFields.nameEn.optional(),
  shortName: accountFields.shortName.optional(),
  uscc: accountFields.uscc.optional(),
  kind: accountFields.kind,
  industry: accountFields.industry.optional(),
  provinceCode: accountFields.provinceCode.optional(),
  cityCode: accountFields.cityCode.optional(),
  address: accountFields.address.optional(),
  website: accountFields.website.optional(),
  tier: accountFields.tier.default('standard'),
  customerGroupId: accountFields.customerGroupId.nullable().optional(),
  status: accountFields.status.default('prospect'),
  parentId: accountFields.parentId.nullable().optional(),
  /** Default: the creator. The account's unit is always the owner's home unit. */
  ownerId: accountFields.ownerId.optional(),
  tags: accountFields.tags.default([]),
  notes: accountFields.notes.optional(),
  /** Custom-field values by key (custom-field-contract.ts). */
  custom: CustomValuesBody.optional(),
  /** Create even though accounts with a similar name exist (after a 409 crm.similar_account). */
  confirmSimilar: z.boolean().optional(),
});
export type CreateAccountBody = z.infer<typeof CreateAccountBody>;

export const UpdateAccountBody = z.strictObject({
  version: Version,
  nameZh: accountFields.nameZh.optional(),
  nameEn: accountFields.nameEn.nullable().optional(),
  shortName: accountFields.shortName.nullable().optional(),
  uscc: accountFields.uscc.nullable().optional(),
  kind: accountFields.kind.optional(),
  industry: accountFields.industry.nullable().optional(),
  provinceCode: accountFields.provinceCode.nullable().optional(),
  cityCode: accountFields.cityCode.nullable().optional(),
  address: accountFields.address.nullable().optional(),
  website: accountFields.website.nullable().optional(),
  tier: accountFields.tier.optional(),
  customerGroupId: accountFields.customerGroupId.nullable().optional(),
  status: accountFields.status.optional(),
  parentId: accountFields.parentId.nullable().optional(),
  ownerId: accountFields.ownerId.optional(),
  tags: accountFields.tags.optional(),
  notes: accountFields.notes.nullable().optional(),
  /** The fields sent replace their values (null clears); fields not sent keep theirs. */
  custom: CustomValuesBody.optional(),
  confirmSimilar: z.boolean().optional(),
});
export type UpdateAccountBody = z.infer<typeof UpdateAccountBody>;

export const ArchiveAccountBody = z.strictObject({ version: Version });
export type ArchiveAccountBody = z.infer<typeof ArchiveAccountBody>;

export const ListAccountsQuery = PageQuery.extend({
  /** Part of the Chinese name (trigram index), or a whole USCC. */
  q: z.string().trim().min(1).max(100).optional(),
  status: AccountStatus.optional(),
  kind: AccountKind.optional(),
  tier: AccountTier.optional(),
  ownerId: Id.optional(),
  unitId: Id.optional(),
  /** With `unitId`: the unit and every unit below it. */
  includeSubunits: QueryBool.optional(),
  customerGroupId: Id.optional(),
  parentId: Id.optional(),
  provinceCode: RegionCode.optional(),
  tag: Tag.optional(),
  includeArchived: QueryBool.optional(),
  sort: z.enum(ACCOUNT_SORTS).default('name'),
}).strict();
export type ListAccountsQuery = z.infer<typeof ListAccountsQuery>;

/** An existing account a new name may duplicate (the `candidates` of a 409 crm.similar_account). */
export const SimilarAccount = z.object({
  id: Id,
  nameZh: z.string(),
  reason: z.enum(['same_name', 'similar_name']),
  similarity: z.number(),
});
export type SimilarAccount = z.infer<typeof SimilarAccount>;

// ── Group view ──────────────────────────────────────────────────────────────────────────────────

/** A node of an account group. Hidden nodes (outside the reader's scope) carry only their id. */
export type HierarchyNode = {
  id: string;
  visible: boolean;
  nameZh: string | null;
  kind: (typeof ACCOUNT_KINDS)[number] | null;
  status: (typeof ACCOUNT_STATUSES)[number] | null;
  tier: (typeof ACCOUNT_TIERS)[number] | null;
  ownerId: string | null;
  archived: boolean | null;
  depth: number;
  children: HierarchyNode[];
};
export const HierarchyNode: z.ZodType<HierarchyNode> = z.object({
  id: Id,
  visible: z.boolean(),
  nameZh: z.string().nullable(),
  kind: AccountKind.nullable(),
  status: AccountStatus.nullable(),
  tier: AccountTier.nullable(),
  ownerId: Id.nullable(),
  archived: z.boolean().nullable(),
  /** 0 = the account asked for, 1 = its children… */
  depth: z.number().int(),
  get children() {
    return z.array(HierarchyNode);
  },
});

export const AccountHierarchy = z.object({
  accountId: Id,
  /** From the top of the group down to the account's parent. */
  ancestors: z.array(z.object({ id: Id, visible: z.boolean(), nameZh: z.string().nullable() })),
  tree: HierarchyNode,
  /** The subtree is cut at `maxDepth` levels (or `maxNodes` nodes) below the account. */
  truncated: z.boolean(),
  maxDepth: z.number().int(),
});
export type AccountHierarchy = z.infer<typeof AccountHierarchy>;

export const GroupRollup = z.object({
  accountId: Id,
  /** The company currency every amount is in (opportunities' amount_company). */
  currency: z.string(),
  maxDepth: z.number().int(),
  truncated: z.boolean(),
  accounts: z.object({
    /** Visible accounts in the subtree, the account itself included. */
    total: z.number().int(),
    byStatus: z.object({ prospect: z.number().int(), customer: z.number().int(), former: z.number().int() }),
    archived: z.number().int(),
  }),
  /** Deals the reader may read (scope or account team), open ones: amount and probability-weighted. */
  openPipeline: z.object({ count: z.number().int(), amount: MoneySchema, weighted: MoneySchema }),
  wonRevenue: z
    .object({
      count: z.number().int(),
      total: MoneySchema,
      /** By the year (company time zone) the deal was closed won, oldest first. */
      byYear: z.array(z.object({ year: z.number().int(), count: z.number().int(), amount: MoneySchema })),
    }),
  /** Not available until the delivery and service modules exist (see `notes`): null, never a made-up number. */
  openRequirements: z.null(),
  openTickets: z.null(),
  notes: z.record(z.string(), z.string()),
});
export type GroupRollup = z.infer<typeof GroupRollup>;

// ── Account team ────────────────────────────────────────────────────────────────────────────────

export const TeamMember = z.object({
  accountId: Id,
  userId: Id,
  nameZh: z.string().nullable(),
  nameEn: z.string().nullable(),
  role: TeamRole,
  /** Is this the account's owner (who always stays on the team as account lead)? */
  isOwner: z.boolean(),
  addedAt: Timestamp,
});
export type TeamMember = z.infer<typeof TeamMember>;
export const TeamList = z.object({ items: z.array(TeamMember) });
export type TeamList = z.infer<typeof TeamList>;

export const AddTeamMemberBody = z.strictObject({ userId: Id, role: TeamRole });
export type AddTeamMemberBody = z.infer<typeof AddTeamMemberBody>;
export const UpdateTeamMemberBody = z.strictObject({ role: TeamRole });
export type UpdateTeamMemberBody = z.infer<typeof UpdateTeamMemberBody>;

// ── Contacts ────────────────────────────────────────────────────────────────────────────────────

export const Contact = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  level: ContactLevel,
  reportsToId: Id.nullable(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  wechatId: z.string().nullable(),
  influence: Influence,
  status: ContactStatus,
  ownerId: Id,
  custom: z.record(z.string(), z.unknown()),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Contact = z.infer<typeof Contact>;
export const ContactPage = pageSchema(Contact);
export type ContactPage = z.infer<typeof ContactPage>;

const contactFields = {
  name: text(100),
  title: text(100),
  department: text(100),
  phones: z.array(Phone).max(5),
  emails: z.array(Email).max(5),
} as const;

export const CreateContactBody = z.strictObject({
  name: contactFields.name,
  title: contactFields.title.optional(),
  department: contactFields.department.optional(),
  level: ContactLevel,
  reportsToId: Id.nullable().optional(),
  phones: contactFields.phones.default([]),
  emails: contactFields.emails.default([]),
  wechatId: WechatId.optional(),
  influence: Influence.default('neutral'),
  status: ContactStatus.default('active'),
  custom: CustomValuesBody.optional(),
});
export type CreateContactBody = z.infer<typeof CreateContactBody>;

export const UpdateContactBody = z.strictObject({
  version: Version,
  name: contactFields.name.optional(),
  title: contactFields.title.nullable().optional(),
  department: contactFields.department.nullable().optional(),
  level: ContactLevel.optional(),
  reportsToId: Id.nullable().optional(),
  phones: contactFields.phones.optional(),
  emails: contactFields.emails.optional(),
  wechatId: WechatId.nullable().optional(),
  influence: Influence.optional(),
  status: ContactStatus.optional(),
  custom: CustomValuesBody.optional(),
});
export type UpdateContactBody = z.infer<typeof UpdateContactBody>;

export const ListContactsQuery = PageQuery.extend({
  level: ContactLevel.optional(),
  status: ContactStatus.optional(),
  q: z.string().trim().min(1).max(100).optional(),
}).strict();
export type ListContactsQuery = z.infer<typeof ListContactsQuery>;

// ── Coverage and the relationship map ───────────────────────────────────────────────────────────

export const CoverageLink = z.object({
  id: Id,
  accountId: Id,
  contactId: Id,
  userId: Id,
  userName: z.string().nullable(),
  relationshipRole: RelationshipRole,
  strength: z.number().int().min(1).max(5),
  /** Maintained by the activity service (the last call, meeting or message). */
  lastTouchAt: Timestamp.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CoverageLink = z.infer<typeof CoverageLink>;
export const CoverageList = z.object({ items: z.array(CoverageLink) });
export type CoverageList = z.infer<typeof CoverageList>;

const Strength = z.number().int().min(1).max(5);
export const CreateCoverageBody = z.strictObject({ contactId: Id, userId: Id, relationshipRole: RelationshipRole, strength: Strength });
export type CreateCoverageBody = z.infer<typeof CreateCoverageBody>;
export const UpdateCoverageBody = z.strictObject({ version: Version, relationshipRole: RelationshipRole.optional(), strength: Strength.optional() });
export type UpdateCoverageBody = z.infer<typeof UpdateCoverageBody>;

/** One of our people on a contact, as the map shows it. */
export const Coverer = z.object({
  coverageId: Id,
  userId: Id,
  userName: z.string().nullable(),
  seniority: Seniority,
  /** executive or manager (sales_manager / executive roles). */
  isManagerOrAbove: z.boolean(),
  /** Still with our company? Links of people who left count for nothing in the gap report. */
  active: z.boolean(),
  relationshipRole: RelationshipRole,
  strength: z.number().int(),
  lastTouchAt: Timestamp.nullable(),
  daysSinceTouch: z.number().int().nullable(),
});
export type Coverer = z.infer<typeof Coverer>;

export type ContactMapNode = {
  id: string;
  name: string;
  title: string | null;
  department: string | null;
  level: (typeof CONTACT_LEVELS)[number];
  status: (typeof CONTACT_STATUSES)[number];
  influence: (typeof INFLUENCES)[number];
  reportsToId: string | null;
  coverage: Coverer[];
  children: ContactMapNode[];
};
export const ContactMapNode: z.ZodType<ContactMapNode> = z.object({
  id: Id,
  name: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  level: ContactLevel,
  status: ContactStatus,
  influence: Influence,
  reportsToId: Id.nullable(),
  coverage: z.array(Coverer),
  get children() {
    return z.array(ContactMapNode);
  },
});

const LevelCount = z.object({ active: z.number().int(), covered: z.number().int(), uncovered: z.number().int() });

export const GapKind = z.enum(['uncovered', 'covered_by_junior_only', 'stale']);
export const ContactGap = z.object({
  contactId: Id,
  name: z.string(),
  title: z.string().nullable(),
  gaps: z.array(GapKind),
  coveredBy: z.array(
    z.object({ userId: Id, userName: z.string().nullable(), seniority: Seniority, strength: z.number().int(), lastTouchAt: Timestamp.nullable() }),
  ),
  lastTouchAt: Timestamp.nullable(),
  daysSinceTouch: z.number().int().nullable(),
});
export type ContactGap = z.infer<typeof ContactGap>;

export const RelationshipMap = z.object({
  accountId: Id,
  asOf: Timestamp,
  /** The customer's reporting lines as a forest; children by level (decision first), then name. */
  roots: z.array(ContactMapNode),
  summary: z.object({ byLevel: z.object({ decision: LevelCount, management: LevelCount, execution: LevelCount }), left: z.number().int() }),
});
export type RelationshipMap = z.infer<typeof RelationshipMap>;

export const RelationshipMapQuery = z.strictObject({
  /** Show contacts who left the customer (greyed in the chart). Default true. */
  includeLeft: QueryBool.optional(),
});

const StaleDays = z.coerce.number().int().min(1).max(3650).default(90);

export const AccountGapsQuery = z.strictObject({
  staleDays: StaleDays,
  /** The instant "days since last touch" is measured at; default now. */
  asOf: Timestamp.optional(),
});
export type AccountGapsQuery = z.infer<typeof AccountGapsQuery>;

export const AccountCoverageGaps = z.object({
  accountId: Id,
  accountName: z.string(),
  ownerId: Id,
  ownerName: z.string().nullable(),
  /** Active decision-level contacts of the account (0 is itself a gap worth seeing). */
  decisionContacts: z.number().int(),
  gaps: z.array(ContactGap),
});
export type AccountCoverageGaps = z.infer<typeof AccountCoverageGaps>;

export const BookGapsQuery = PageQuery.extend({
  ownerId: Id.optional(),
  unitId: Id.optional(),
  /** With `unitId`: the unit and every unit below it (default true). */
  includeSubunits: QueryBool.optional(),
  staleDays: StaleDays,
  asOf: Timestamp.optional(),
}).strict();
export type BookGapsQuery = z.infer<typeof BookGapsQuery>;

export const BookGapsPage = z.object({
  asOf: Timestamp,
  staleDays: z.number().int(),
  /** Accounts with at least one gap (or no active decision-maker at all), by name. */
  items: z.array(AccountCoverageGaps),
  /** Accounts looked at for this page; a page may hold fewer than `limit` items and still continue. */
  scanned: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type BookGapsPage = z.infer<typeof BookGapsPage>;

export const Ok = z.object({ ok: z.literal(true) });
