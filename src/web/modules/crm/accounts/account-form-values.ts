import type { Account, CreateAccountBody, SimilarAccount, UpdateAccountBody } from '../../../../server/modules/crm/account-contract.ts';

/**
 * The account form's values and the bodies sent from them. Empty inputs are left out of a create
 * and sent as null on an edit (clearing the field); only changed fields are sent with an edit.
 */
export interface AccountFormValues {
  nameZh: string;
  nameEn?: string | undefined;
  shortName?: string | undefined;
  uscc?: string | undefined;
  kind: Account['kind'];
  status: Account['status'];
  tier: Account['tier'];
  industry?: string | undefined;
  provinceCode?: string | undefined;
  cityCode?: string | undefined;
  address?: string | undefined;
  website?: string | undefined;
  parentId?: string | null | undefined;
  ownerId?: string | null | undefined;
  tags?: string[] | undefined;
  notes?: string | undefined;
}

export const ACCOUNT_FORM_FIELDS = [
  'nameZh',
  'nameEn',
  'shortName',
  'uscc',
  'kind',
  'status',
  'tier',
  'industry',
  'provinceCode',
  'cityCode',
  'address',
  'website',
  'parentId',
  'ownerId',
  'tags',
  'notes',
] as const;

const OPTIONAL_TEXT = ['nameEn', 'shortName', 'uscc', 'industry', 'provinceCode', 'cityCode', 'address', 'website', 'notes'] as const;

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function newAccountDefaults(parentId?: string): AccountFormValues {
  return { nameZh: '', kind: 'enterprise', status: 'prospect', tier: 'standard', tags: [], parentId: parentId ?? null };
}

export function createAccountBody(v: AccountFormValues, confirmSimilar = false): Partial<CreateAccountBody> {
  const body: Partial<CreateAccountBody> = { nameZh: v.nameZh.trim(), kind: v.kind, status: v.status, tier: v.tier, tags: v.tags ?? [] };
  for (const key of OPTIONAL_TEXT) {
    const value = clean(v[key]);
    if (value !== undefined) body[key] = value;
  }
  if (v.parentId) body.parentId = v.parentId;
  if (v.ownerId) body.ownerId = v.ownerId;
  if (confirmSimilar) body.confirmSimilar = true;
  return body;
}

export function toAccountFormValues(a: Account): AccountFormValues {
  return {
    nameZh: a.nameZh,
    nameEn: a.nameEn ?? undefined,
    shortName: a.shortName ?? undefined,
    uscc: a.uscc ?? undefined,
    kind: a.kind,
    status: a.status,
    tier: a.tier,
    industry: a.industry ?? undefined,
    provinceCode: a.provinceCode ?? undefined,
    cityCode: a.cityCode ?? undefined,
    address: a.address ?? undefined,
    website: a.website ?? undefined,
    parentId: a.parentId,
    ownerId: a.ownerId,
    tags: a.tags,
    notes: a.notes ?? undefined,
  };
}

/** Only what changed against the loaded account, with its version. */
export function updateAccountBody(base: Account, v: AccountFormValues, confirmSimilar = false): UpdateAccountBody {
  const body: UpdateAccountBody = { version: base.version };
  const name = v.nameZh.trim();
  if (name !== base.nameZh) body.nameZh = name;
  for (const key of OPTIONAL_TEXT) {
    const value = clean(v[key]) ?? null;
    if (value !== base[key]) body[key] = value;
  }
  if (v.kind !== base.kind) body.kind = v.kind;
  if (v.status !== base.status) body.status = v.status;
  if (v.tier !== base.tier) body.tier = v.tier;
  if ((v.parentId ?? null) !== base.parentId) body.parentId = v.parentId ?? null;
  if (v.ownerId && v.ownerId !== base.ownerId) body.ownerId = v.ownerId;
  const tags = v.tags ?? [];
  if (tags.length !== base.tags.length || tags.some((t, i) => t !== base.tags[i])) body.tags = tags;
  if (confirmSimilar) body.confirmSimilar = true;
  return body;
}

export function hasAccountChanges(body: UpdateAccountBody): boolean {
  return Object.keys(body).some((k) => k !== 'version' && k !== 'confirmSimilar');
}

/** The existing account a 409 crm.duplicate_uscc names. */
export function duplicateOf(document: Readonly<Record<string, unknown>>): { id: string; name: string } | null {
  const id = document['existingAccountId'];
  const name = document['existingName'];
  return typeof id === 'string' && typeof name === 'string' ? { id, name } : null;
}

/** The look-alikes a 409 crm.similar_account lists. */
export function similarCandidates(document: Readonly<Record<string, unknown>>): SimilarAccount[] {
  const list = document['candidates'];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is SimilarAccount => typeof c === 'object' && c !== null && typeof (c as SimilarAccount).id === 'string' && typeof (c as SimilarAccount).nameZh === 'string',
  );
}
