import type { Dayjs } from 'dayjs';
import type { CreateUserBody, UpdateUserBody, User } from '../../../../server/modules/org/contract.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import type { Role } from '../../../../shared/roles.ts';

/** What the user form edits, and how it becomes a create body or a PATCH of only the changed fields. */
export interface UserFormValues {
  email: string;
  nameZh: string;
  nameEn?: string | undefined;
  phone?: string | undefined;
  title?: string | undefined;
  unitId?: string | null | undefined;
  managerId?: string | null | undefined;
  roles: Role[];
  locale: Locale;
  timeZone: string;
  active: boolean;
  password?: string | undefined;
  effectiveDate?: Dayjs | null | undefined;
}

export const USER_FORM_FIELDS = [
  'email',
  'nameZh',
  'nameEn',
  'phone',
  'title',
  'unitId',
  'managerId',
  'roles',
  'locale',
  'timeZone',
  'active',
  'password',
  'effectiveDate',
] as const;

export function newUserDefaults(): Partial<UserFormValues> {
  return { roles: [], locale: 'zh-CN', timeZone: 'Asia/Shanghai', active: true };
}

export function toFormValues(user: User): UserFormValues {
  return {
    email: user.email,
    nameZh: user.nameZh,
    nameEn: user.nameEn ?? '',
    phone: user.phone ?? '',
    title: user.title ?? '',
    unitId: user.unitId,
    managerId: user.managerId,
    roles: [...user.roles],
    locale: user.locale,
    timeZone: user.timeZone,
    active: user.active,
    password: '',
    effectiveDate: null,
  };
}

const text = (v: string | undefined | null): string | undefined => {
  const trimmed = v?.trim();
  return trimmed ? trimmed : undefined;
};

/** The POST body: empty optional fields are left out (the server applies its defaults). */
export function createBody(v: UserFormValues): Partial<CreateUserBody> {
  const body: Partial<CreateUserBody> = {
    email: v.email?.trim() ?? '',
    nameZh: v.nameZh ?? '',
    roles: v.roles ?? [],
    locale: v.locale,
    timeZone: v.timeZone,
  };
  const optional = { nameEn: text(v.nameEn), phone: text(v.phone), title: text(v.title), password: v.password || undefined };
  for (const [k, val] of Object.entries(optional)) if (val !== undefined) Object.assign(body, { [k]: val });
  if (v.unitId) body.unitId = v.unitId;
  if (v.managerId) body.managerId = v.managerId;
  if (v.effectiveDate) body.effectiveDate = v.effectiveDate.format('YYYY-MM-DD');
  return body;
}

const sameRoles = (a: readonly Role[], b: readonly Role[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The PATCH body: the version the form was loaded at plus only the fields that changed. */
export function updateBody(before: User, v: UserFormValues): UpdateUserBody {
  const body: UpdateUserBody = { version: before.version };
  if (v.nameZh !== before.nameZh) body.nameZh = v.nameZh;
  const nullable = { nameEn: text(v.nameEn) ?? null, phone: text(v.phone) ?? null, title: text(v.title) ?? null } as const;
  for (const key of ['nameEn', 'phone', 'title'] as const) if (nullable[key] !== before[key]) body[key] = nullable[key];
  if ((v.unitId ?? null) !== before.unitId) body.unitId = v.unitId ?? null;
  if ((v.managerId ?? null) !== before.managerId) body.managerId = v.managerId ?? null;
  if (!sameRoles(v.roles ?? [], before.roles)) body.roles = v.roles ?? [];
  if (v.locale !== before.locale) body.locale = v.locale;
  if (v.timeZone !== before.timeZone) body.timeZone = v.timeZone;
  if (v.active !== before.active) body.active = v.active;
  if (v.password) body.password = v.password;
  if (v.effectiveDate && Object.keys(body).length > 1) body.effectiveDate = v.effectiveDate.format('YYYY-MM-DD');
  return body;
}

export function hasChanges(body: UpdateUserBody): boolean {
  return Object.keys(body).some((k) => k !== 'version' && k !== 'effectiveDate');
}
