import { z } from 'zod';
import {
  type CompanyProfile,
  type CompanyProfileFields,
  CompanyProfileForm,
  type UpdateCompanyProfileBody,
} from '../../../../server/modules/org/contract.ts';
import type { Locale } from '../../../../shared/i18n/resources.ts';

/** What the company profile form edits: every field as the text of its input. */
export type CompanyProfileFormValues = { [K in keyof CompanyProfileFields]: string };

export const COMPANY_PROFILE_FIELDS = [
  'addressZh',
  'addressEn',
  'phone',
  'email',
  'website',
  'taxId',
  'bankName',
  'bankAccount',
] as const satisfies readonly (keyof CompanyProfileFields)[];

const REQUIRED: ReadonlySet<string> = new Set(['addressZh', 'phone']);

export function toFormValues(profile: CompanyProfile): CompanyProfileFormValues {
  return Object.fromEntries(COMPANY_PROFILE_FIELDS.map((k) => [k, profile[k] ?? ''])) as CompanyProfileFormValues;
}

/** The fields as the API takes them: an empty optional field is null (the schema trims the rest). */
export function toFields(values: Partial<CompanyProfileFormValues>): CompanyProfileFields {
  const out: Record<string, string | null> = {};
  for (const k of COMPANY_PROFILE_FIELDS) {
    const text = values[k] ?? '';
    out[k] = REQUIRED.has(k) || text.trim() !== '' ? text : null;
  }
  return out as CompanyProfileFields;
}

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  en: z.locales.en().localeError,
  'zh-CN': z.locales.zhCN().localeError,
};

/**
 * Check the form with the shared schema (the server's own checks, the credit code's included).
 * Returns the body to PUT, or the messages per field: `v:` keys of the validation catalogue, or
 * Zod's own messages already in the user's language.
 */
export function checkCompanyProfile(
  values: Partial<CompanyProfileFormValues>,
  version: number,
  locale: Locale,
): { ok: true; body: UpdateCompanyProfileBody } | { ok: false; errors: Map<string, string[]> } {
  const res = CompanyProfileForm.safeParse(toFields(values), { error: zodLocales[locale] });
  if (res.success) return { ok: true, body: { ...res.data, version } };
  const errors = new Map<string, string[]>();
  for (const issue of res.error.issues) {
    const field = String(issue.path[0] ?? '');
    errors.set(field, [...(errors.get(field) ?? []), issue.message]);
  }
  return { ok: false, errors };
}
