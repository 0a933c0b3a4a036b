/**
 * Admin-defined custom fields on accounts, contacts and opportunities: their definitions, and the
 * Zod schema that validates a record's `custom` object exactly like built-in fields (same error
 * shape, `v:<key>` messages, unknown keys refused).
 *
 * Storage (for the tables and services; nothing here touches the database):
 *
 * - One `custom jsonb NOT NULL DEFAULT '{}'` column per table, holding the object
 *   buildCustomValuesSchema outputs: keys are field keys, cleared fields are absent (never null),
 *   text/date/select/user values are JSON strings, numbers JSON numbers, money
 *   `{"amount": "1234.50", "currency": "CNY"}` with the amount a string, multi-selects arrays of
 *   option keys in definition order without duplicates (so equal selections are equal JSON).
 * - `CREATE INDEX … USING gin (custom jsonb_path_ops)` serves equality filters through containment:
 *   `custom @> '{"tier": "gold"}'` (text, number, date, single_select, user_ref) and
 *   `custom @> '{"tags": ["a", "b"]}'` (multi_select: has all of them). jsonb_path_ops is smaller
 *   and faster than the default opclass for `@>`; we never need the key-existence operators.
 * - Range filters and sorts cannot use that GIN index. They are written (custom-field-query.ts) with
 *   the expressions an expression index would be built on, the key as a literal:
 *     number          ((custom->>'<key>')::numeric)
 *     decimal_money   ((custom->'<key>'->>'amount')::numeric)   — amounts are strings, so money
 *                     equality also goes through this, not `@>` ("100.5" ≠ "100.50" as JSON)
 *     date, text…     ((custom->>'<key>') COLLATE "C")           — YYYY-MM-DD sorts as text; a
 *                     `::date` cast is not IMMUTABLE and cannot be indexed
 *   customFieldSqlExpression spells them for the queries and for the indexes of `sortable` fields
 *   (custom-field-service.ts). Decision 0010 has the measurements: equality needs nothing more;
 *   a sort over a large table needs the expression indexes.
 * - Definitions live in their own table (entity, key unique); a record's values are
 *   validated against the definitions of its entity at write time only, so archiving or adding a
 *   required field never makes stored rows invalid.
 */
import { z } from 'zod';
import { Id, IsoDate } from '../../../shared/api.ts';
import { DECIMAL_PATTERN, MoneySchema, isCurrency, type Currency } from '../../../shared/money.ts';

export const CUSTOM_FIELD_ENTITIES = ['account', 'contact', 'opportunity'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'decimal_money', 'date', 'single_select', 'multi_select', 'user_ref'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const CUSTOM_FIELD_KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
/** Option keys may start with a digit ('500_plus', '2026'). */
export const CUSTOM_OPTION_KEY_PATTERN = /^[a-z0-9][a-z0-9_]{0,39}$/;
export const MAX_ACTIVE_FIELDS_PER_ENTITY = 100;
export const MAX_OPTIONS_PER_FIELD = 200;
export const DEFAULT_TEXT_MAX_LENGTH = 500;
export const TEXT_MAX_LENGTH_LIMIT = 5000;
/** Beyond this, a JSON number stops being an exact integer in JavaScript. */
const NUMBER_LIMIT = 1e15;

const Label = z.strictObject({
  zh: z.string({ error: 'v:required' }).trim().min(1, { message: 'v:required' }).max(100, { message: 'v:text_too_long' }),
  en: z.string({ error: 'v:required' }).trim().min(1, { message: 'v:required' }).max(100, { message: 'v:text_too_long' }),
});

export const CustomFieldOption = z.strictObject({
  key: z.string({ error: 'v:option_key' }).regex(CUSTOM_OPTION_KEY_PATTERN, { message: 'v:option_key' }),
  label: Label,
  /** Archived options stay on the records that have them but cannot be newly chosen. */
  archived: z.boolean({ error: 'v:boolean' }).default(false),
});
export type CustomFieldOption = z.infer<typeof CustomFieldOption>;

const SELECT_TYPES: readonly CustomFieldType[] = ['single_select', 'multi_select'];

/** The fields of a definition, for the API's bodies to reuse (with checkDefinitionRules). */
export const CUSTOM_FIELD_DEFINITION_SHAPE = {
  entity: z.enum(CUSTOM_FIELD_ENTITIES, { error: 'v:unknown_option' }),
  key: z
    .string({ error: 'v:field_key' })
    .regex(CUSTOM_FIELD_KEY_PATTERN, { message: 'v:field_key' })
    // Zod (and much JS) reads an absent `constructor` key from Object.prototype: reserved.
    .refine((k) => !Object.prototype.hasOwnProperty.call(Object.prototype, k), { message: 'v:field_key_reserved' }),
  type: z.enum(CUSTOM_FIELD_TYPES, { error: 'v:unknown_option' }),
  label: Label,
  /** Selects only. */
  options: z.array(CustomFieldOption).max(MAX_OPTIONS_PER_FIELD, { message: 'v:too_many_options' }).optional(),
  /** Enforced when a record is created and when someone tries to clear the field. */
  required: z.boolean({ error: 'v:boolean' }).default(false),
  /** Archived fields keep their values on records but are read-only and hidden from forms. */
  archived: z.boolean({ error: 'v:boolean' }).default(false),
  /** Text only; default 500. */
  maxLength: z.number({ error: 'v:number' }).int({ message: 'v:number' }).min(1, { message: 'v:number_range' }).max(TEXT_MAX_LENGTH_LIMIT, { message: 'v:number_range' }).optional(),
  /** Lists may sort by it fast: the service keeps expression indexes for it (not for multi selects). */
  sortable: z.boolean({ error: 'v:boolean' }).optional(),
  /** decimal_money only: when set, values must be in this currency. */
  currency: z
    .string({ error: 'v:unknown_currency' })
    .refine(isCurrency, { message: 'v:unknown_currency' })
    .transform((c) => c as Currency)
    .optional(),
};

type DefinitionRuleInput = {
  type: CustomFieldType;
  options?: readonly { key: string }[] | undefined;
  maxLength?: number | undefined;
  currency?: string | undefined;
  sortable?: boolean | undefined;
};

/** Rules across a definition's fields: options only (and always) on selects, option keys unique… */
export function checkDefinitionRules(def: DefinitionRuleInput, ctx: z.RefinementCtx): void {
  const isSelect = SELECT_TYPES.includes(def.type);
  if (isSelect && (def.options?.length ?? 0) === 0) ctx.addIssue({ code: 'custom', path: ['options'], message: 'v:required' });
  if (!isSelect && def.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'v:not_applicable' });
  if (def.type !== 'text' && def.maxLength !== undefined) ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'v:not_applicable' });
  if (def.type !== 'decimal_money' && def.currency !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['currency'], message: 'v:not_applicable' });
  }
  if (def.type === 'multi_select' && def.sortable) ctx.addIssue({ code: 'custom', path: ['sortable'], message: 'v:not_applicable' });
  const seen = new Set<string>();
  def.options?.forEach((o, i) => {
    if (seen.has(o.key)) ctx.addIssue({ code: 'custom', path: ['options', i, 'key'], message: 'v:duplicate_key' });
    seen.add(o.key);
  });
}

export const CustomFieldDefinition = z.strictObject(CUSTOM_FIELD_DEFINITION_SHAPE).superRefine(checkDefinitionRules);
export type CustomFieldDefinition = z.infer<typeof CustomFieldDefinition>;

export interface FieldIssue {
  path: string;
  message: string;
}

function toIssues(error: z.ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: [...base, k].join('.'), message: 'v:unknown_field' });
    } else {
      out.push({ path: base.join('.'), message: issue.message });
    }
  }
  return out;
}

export type DefinitionValidation = { ok: true; definition: CustomFieldDefinition } | { ok: false; issues: FieldIssue[] };

/** Parses an admin's definition (defaults filled in) or lists every problem with its path. */
export function validateDefinition(input: unknown): DefinitionValidation {
  const res = CustomFieldDefinition.safeParse(input);
  return res.success ? { ok: true, definition: res.data } : { ok: false, issues: toIssues(res.error) };
}

/** Rules across the definitions of a company: keys unique per entity, a cap on active fields. */
export function validateDefinitionSet(definitions: readonly CustomFieldDefinition[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const active = new Map<CustomFieldEntity, number>();
  definitions.forEach((d, i) => {
    const id = `${d.entity}:${d.key}`;
    if (seen.has(id)) issues.push({ path: `${i}.key`, message: 'v:duplicate_key' });
    seen.add(id);
    if (!d.archived) {
      const n = (active.get(d.entity) ?? 0) + 1;
      active.set(d.entity, n);
      if (n === MAX_ACTIVE_FIELDS_PER_ENTITY + 1) issues.push({ path: `${i}`, message: 'v:too_many_fields' });
    }
  });
  return issues;
}

/**
 * What an edit of a definition may not do, because values already stored would stop meaning what
 * they meant: change the key, entity, type or currency, or delete an option (archive it instead).
 */
export function validateDefinitionChange(previous: CustomFieldDefinition, next: CustomFieldDefinition): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of ['entity', 'key', 'type', 'currency'] as const) {
    if (previous[field] !== next[field]) issues.push({ path: field, message: 'v:immutable' });
  }
  const kept = new Set((next.options ?? []).map((o) => o.key));
  if ((previous.options ?? []).some((o) => !kept.has(o.key))) issues.push({ path: 'options', message: 'v:option_removed' });
  return issues;
}

// ── Values ──────────────────────────────────────────────────────────────────────────────────────

/** One field's value as stored and as the API carries it. */
export type CustomFieldValue = string | number | string[] | { amount: string; currency: Currency };
export type CustomValues = Record<string, unknown>;

function optionKeys(def: CustomFieldDefinition): { all: Set<string>; archived: Set<string>; order: Map<string, number> } {
  const options = def.options ?? [];
  return {
    all: new Set(options.map((o) => o.key)),
    archived: new Set(options.filter((o) => o.archived).map((o) => o.key)),
    order: new Map(options.map((o, i) => [o.key, i])),
  };
}

/**
 * The schema of one active field's value (null for clearing is added by the caller). `before` is the
 * stored value, which may keep an option archived since it was chosen.
 */
function valueSchema(def: CustomFieldDefinition, before: unknown): z.ZodType<CustomFieldValue | null> {
  switch (def.type) {
    case 'text':
      return z
        .string({ error: 'v:text' })
        .max(def.maxLength ?? DEFAULT_TEXT_MAX_LENGTH, { message: 'v:text_too_long' })
        .transform((s) => s.trim() || null);
    case 'number':
      return z
        .number({ error: 'v:number' })
        .refine((n) => Math.abs(n) <= NUMBER_LIMIT, { message: 'v:number_range' });
    case 'decimal_money': {
      const fixed = def.currency;
      return MoneySchema.refine((m) => fixed === undefined || m.currency === fixed, {
        message: 'v:currency_not_allowed',
        path: ['currency'],
      }).transform((m) => ({ amount: m.amount, currency: m.currency as Currency }));
    }
    case 'date':
      return IsoDate;
    case 'user_ref':
      return Id.transform((id) => id.toLowerCase());
    case 'single_select': {
      const { all, archived } = optionKeys(def);
      return z
        .string({ error: 'v:unknown_option' })
        .refine((k) => all.has(k), { message: 'v:unknown_option', abort: true })
        .refine((k) => !archived.has(k) || k === before, { message: 'v:archived_option' });
    }
    case 'multi_select': {
      const { all, archived, order } = optionKeys(def);
      const had = new Set(Array.isArray(before) ? (before as unknown[]) : []);
      return z
        .array(
          z
            .string({ error: 'v:unknown_option' })
            .refine((k) => all.has(k), { message: 'v:unknown_option', abort: true })
            .refine((k) => !archived.has(k) || had.has(k), { message: 'v:archived_option' }),
          { error: 'v:unknown_option' },
        )
        .max(MAX_OPTIONS_PER_FIELD, { message: 'v:too_many_options' })
        .transform((keys) => {
          const unique = [...new Set(keys)].sort((a, b) => order.get(a)! - order.get(b)!);
          return unique.length > 0 ? unique : null;
        });
    }
  }
}

/** A stored value by key, never an inherited one (a field may be called `constructor`). */
function ownValue(o: Readonly<CustomValues> | null, key: string): unknown {
  return o !== null && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** JSON equality, key order ignored: how jsonb compares what we stored with what came back. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as CustomValues)[k], (b as CustomValues)[k]));
}

export interface CustomValuesSchemaOptions {
  /** The record's stored `custom` object on update; null or absent on create. */
  previous?: Readonly<CustomValues> | null;
}

/**
 * A Zod schema for the `custom` object of a write, built from the entity's definitions. Its output
 * is the complete object to store:
 *
 * - Keys not defined are refused (`v:unknown_field`); keys sent replace stored values, keys not
 *   sent are kept, `null` (or an empty text or selection) clears.
 * - Required fields must be filled on create and cannot be cleared later; an update that does not
 *   touch a field added as required afterwards is not blocked by it.
 * - Archived fields are read-only: sending one is allowed only with its unchanged stored value
 *   (forms echo what they loaded); their stored values are kept.
 * - Archived options cannot be newly chosen, but a record keeps the ones it already has.
 * - Stored keys no longer defined at all are kept, never silently dropped.
 */
export function buildCustomValuesSchema(
  definitions: readonly CustomFieldDefinition[],
  options: CustomValuesSchemaOptions = {},
): z.ZodType<CustomValues, unknown> {
  const previous = options.previous ?? null;
  const shape: Record<string, z.ZodType> = {};
  for (const def of definitions) {
    shape[def.key] = def.archived ? z.unknown().optional() : valueSchema(def, ownValue(previous, def.key)).nullable().optional();
  }

  return z
    .strictObject(shape, { error: 'v:custom_object' })
    .superRefine((input: CustomValues, ctx) => {
      for (const def of definitions) {
        const value = ownValue(input, def.key);
        const sent = value !== undefined;
        const before = ownValue(previous, def.key);
        if (def.archived) {
          if (sent && !sameJson(value, before)) ctx.addIssue({ code: 'custom', path: [def.key], message: 'v:read_only' });
          continue;
        }
        if (def.required && ((previous === null && (!sent || value === null)) || (sent && value === null))) {
          ctx.addIssue({ code: 'custom', path: [def.key], message: 'v:required' });
        }
      }
    })
    .transform((input: CustomValues) => {
      const archived = new Set(definitions.filter((d) => d.archived).map((d) => d.key));
      const out: CustomValues = { ...(previous ?? {}) };
      for (const [key, value] of Object.entries(input)) {
        if (archived.has(key) || value === undefined) continue;
        if (value === null) delete out[key];
        else out[key] = value;
      }
      return out;
    });
}

// ── Filters and sorts ───────────────────────────────────────────────────────────────────────────────────

/**
 * The SQL expression ranges and sorts use for a field, over `column` (e.g. `"crm_accounts"."custom"`),
 * with the key as a literal: spelled once here so the queries and the expression indexes match.
 * Keys match CUSTOM_FIELD_KEY_PATTERN, so quoting them needs no escaping.
 */
export function customFieldSqlExpression(column: string, def: Pick<CustomFieldDefinition, 'key' | 'type'>): { text: string; cast: 'numeric' | 'text' } {
  if (!CUSTOM_FIELD_KEY_PATTERN.test(def.key)) throw new Error(`not a field key: ${def.key}`);
  switch (def.type) {
    case 'number':
      return { text: `((${column}->>'${def.key}')::numeric)`, cast: 'numeric' };
    case 'decimal_money':
      return { text: `((${column}->'${def.key}'->>'amount')::numeric)`, cast: 'numeric' };
    default:
      return { text: `((${column}->>'${def.key}') COLLATE "C")`, cast: 'text' };
  }
}

export type CustomFilterOperator = 'eq' | 'in' | 'has_all' | 'gt' | 'gte' | 'lt' | 'lte';

/** What a list may filter a field by; ranges need the field's expression index (see top). */
export function listFilterOperators(def: Pick<CustomFieldDefinition, 'type'>): CustomFilterOperator[] {
  switch (def.type) {
    case 'number':
    case 'decimal_money':
    case 'date':
      return ['eq', 'gt', 'gte', 'lt', 'lte'];
    case 'single_select':
      return ['eq', 'in'];
    case 'multi_select':
      return ['has_all'];
    case 'text':
    case 'user_ref':
      return ['eq'];
  }
}

export type CustomFilterValue = string | number | string[] | { amount: string; currency: Currency | null };

export type FilterCoercion = { ok: true; value: CustomFilterValue } | { ok: false; message: string };

/**
 * Turns a query-string operand into the typed value to compare with:
 * - text → trimmed string; number → number; date → 'YYYY-MM-DD'; user_ref → uuid
 * - decimal_money → { amount, currency | null } from '1234.50' or 'CNY:1234.50'
 * - single_select / multi_select → option keys from 'a' or 'a,b' (archived options allowed: old
 *   records carry them and must stay findable)
 */
export function toFilterValue(def: CustomFieldDefinition, raw: string): FilterCoercion {
  const s = raw.trim();
  if (s === '') return { ok: false, message: 'v:required' };
  switch (def.type) {
    case 'text':
      return s.length > (def.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) ? { ok: false, message: 'v:text_too_long' } : { ok: true, value: s };
    case 'number': {
      if (!DECIMAL_PATTERN.test(s)) return { ok: false, message: 'v:number' };
      const n = Number(s);
      return Math.abs(n) > NUMBER_LIMIT ? { ok: false, message: 'v:number_range' } : { ok: true, value: n };
    }
    case 'decimal_money': {
      const m = /^(?:([A-Z]{3}):)?(.+)$/.exec(s)!;
      const currency = m[1] ?? null;
      const amount = m[2]!;
      if (currency !== null && !isCurrency(currency)) return { ok: false, message: 'v:unknown_currency' };
      if (!DECIMAL_PATTERN.test(amount)) return { ok: false, message: 'v:decimal_string' };
      if (def.currency !== undefined && currency !== null && currency !== def.currency) return { ok: false, message: 'v:currency_not_allowed' };
      return { ok: true, value: { amount, currency: currency as Currency | null } };
    }
    case 'date':
      return IsoDate.safeParse(s).success ? { ok: true, value: s } : { ok: false, message: 'v:date' };
    case 'user_ref':
      return Id.safeParse(s).success ? { ok: true, value: s.toLowerCase() } : { ok: false, message: 'v:uuid' };
    case 'single_select':
    case 'multi_select': {
      const { all } = optionKeys(def);
      const keys = [...new Set(s.split(',').map((k) => k.trim()))];
      if (keys.some((k) => !all.has(k))) return { ok: false, message: 'v:unknown_option' };
      return { ok: true, value: keys };
    }
  }
}
