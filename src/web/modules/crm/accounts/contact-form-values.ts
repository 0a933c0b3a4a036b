import type { Contact, CreateContactBody, UpdateContactBody } from '../../../../server/modules/crm/account-contract.ts';

/** The contact form's values and the bodies sent from them (empty inputs left out, or null on an edit). */
export interface ContactFormValues {
  name: string;
  title?: string | undefined;
  department?: string | undefined;
  level: Contact['level'];
  reportsToId?: string | null | undefined;
  phones?: string[] | undefined;
  emails?: string[] | undefined;
  wechatId?: string | undefined;
  influence: Contact['influence'];
  status: Contact['status'];
}

export const CONTACT_FORM_FIELDS = ['name', 'title', 'department', 'level', 'reportsToId', 'phones', 'emails', 'wechatId', 'influence', 'status'] as const;

const OPTIONAL_TEXT = ['title', 'department', 'wechatId'] as const;

const clean = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
const list = (v: string[] | undefined) => (v ?? []).map((x) => x.trim()).filter((x) => x !== '');

export function newContactDefaults(level: Contact['level'] = 'execution'): ContactFormValues {
  return { name: '', level, influence: 'neutral', status: 'active', phones: [], emails: [], reportsToId: null };
}

export function createContactBody(v: ContactFormValues): Partial<CreateContactBody> {
  const body: Partial<CreateContactBody> = {
    name: v.name.trim(),
    level: v.level,
    influence: v.influence,
    status: v.status,
    phones: list(v.phones),
    emails: list(v.emails),
  };
  for (const key of OPTIONAL_TEXT) {
    const value = clean(v[key]);
    if (value !== undefined) body[key] = value;
  }
  if (v.reportsToId) body.reportsToId = v.reportsToId;
  return body;
}

export function toContactFormValues(c: Contact): ContactFormValues {
  return {
    name: c.name,
    title: c.title ?? undefined,
    department: c.department ?? undefined,
    level: c.level,
    reportsToId: c.reportsToId,
    phones: c.phones,
    emails: c.emails,
    wechatId: c.wechatId ?? undefined,
    influence: c.influence,
    status: c.status,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Only what changed against the loaded contact, with its version. */
export function updateContactBody(base: Contact, v: ContactFormValues): UpdateContactBody {
  const body: UpdateContactBody = { version: base.version };
  if (v.name.trim() !== base.name) body.name = v.name.trim();
  for (const key of OPTIONAL_TEXT) {
    const value = clean(v[key]) ?? null;
    if (value !== base[key]) body[key] = value;
  }
  if (v.level !== base.level) body.level = v.level;
  if ((v.reportsToId ?? null) !== base.reportsToId) body.reportsToId = v.reportsToId ?? null;
  if (!sameList(list(v.phones), base.phones)) body.phones = list(v.phones);
  if (!sameList(list(v.emails), base.emails)) body.emails = list(v.emails);
  if (v.influence !== base.influence) body.influence = v.influence;
  if (v.status !== base.status) body.status = v.status;
  return body;
}
