import type { CustomFieldDefinitionDto } from '../../../../server/modules/crm/custom-field-contract.ts';

/**
 * Custom fields in the account and contact forms: the form holds plain inputs (text, number, a
 * YYYY-MM-DD date, option keys, a user id, a money amount as text); the body carries the API's
 * values, only for fields that changed, null to clear one.
 */
export type CustomFormValue = string | number | string[] | null | undefined;

/** Active definitions in form order. */
export function activeDefinitions(defs: readonly CustomFieldDefinitionDto[]): CustomFieldDefinitionDto[] {
  return defs.filter((d) => d.archivedAt === null).sort((a, b) => a.position - b.position || a.key.localeCompare(b.key));
}

export function toCustomFormValues(defs: readonly CustomFieldDefinitionDto[], stored: Readonly<Record<string, unknown>>): Record<string, CustomFormValue> {
  const out: Record<string, CustomFormValue> = {};
  for (const d of defs) {
    const v = stored[d.key];
    if (v === undefined || v === null) continue;
    if (d.type === 'decimal_money') out[d.key] = typeof v === 'object' && v !== null && 'amount' in v ? String((v as { amount: unknown }).amount) : undefined;
    else out[d.key] = v as CustomFormValue;
  }
  return out;
}

function apiValue(d: CustomFieldDefinitionDto, v: CustomFormValue): unknown {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return null;
  if (d.type === 'decimal_money') return { amount: String(v).trim(), currency: d.currency ?? 'CNY' };
  if (d.type === 'text' && typeof v === 'string') return v.trim() || null;
  return v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The `custom` object of a create (before = {}) or an edit; undefined when nothing changed. */
export function customBody(
  defs: readonly CustomFieldDefinitionDto[],
  form: Readonly<Record<string, CustomFormValue>> | undefined,
  before: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    const next = apiValue(d, form?.[d.key]);
    if (!same(next, before[d.key])) out[d.key] = next;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A stored value as text, option keys shown by their label in the UI language. */
export function customValueText(d: CustomFieldDefinitionDto, v: unknown, locale: 'zh-CN' | 'en'): string {
  if (v === undefined || v === null) return '—';
  const optionLabel = (key: string) => {
    const o = d.options?.find((x) => x.key === key);
    return o ? (locale === 'en' ? o.label.en : o.label.zh) : key;
  };
  if (d.type === 'single_select' && typeof v === 'string') return optionLabel(v);
  if (d.type === 'multi_select' && Array.isArray(v)) return v.map((k) => optionLabel(String(k))).join(', ');
  if (d.type === 'decimal_money' && typeof v === 'object' && 'amount' in v) {
    const m = v as { amount: string; currency: string };
    return `${m.amount} ${m.currency}`;
  }
  return String(v);
}
