import { z } from 'zod';
import { Id, QueryBool, Timestamp, Version } from '../../../shared/api.ts';
import {
  CUSTOM_FIELD_DEFINITION_SHAPE,
  CUSTOM_FIELD_ENTITIES,
  CUSTOM_FIELD_KEY_PATTERN,
  CUSTOM_FIELD_TYPES,
  CustomFieldOption,
  checkDefinitionRules,
} from './custom-fields.ts';

/**
 * The API of custom-field definitions, and the query shape every CRM list shares for filtering and
 * sorting by custom fields. Shared by server and web. What a value may be is custom-fields.ts.
 *
 * List queries (accounts, an account's contacts, opportunities):
 *
 *   cf.<key>=<value>          equality. Selects: `cf.size=large,xl` is any of them (single select)
 *                             or all of them (multi select). Money: `cf.budget=CNY:1000.00` or
 *                             `cf.budget=1000` (any currency).
 *   cf.<key>.gt|gte|lt|lte=v  ranges, for number, decimal_money and date fields.
 *   sort=cf.<key> | -cf.<key> ascending / descending by the field; records without a value last.
 *
 * The key and the operand are checked against the entity's definitions by the service: an unknown
 * key or a bad operand is a 400 with the path `query.cf.<key>` (or `query.sort`).
 */

export { CUSTOM_FIELD_ENTITIES, CUSTOM_FIELD_TYPES };
export const CustomFieldEntity = z.enum(CUSTOM_FIELD_ENTITIES);
export type CustomFieldEntity = z.infer<typeof CustomFieldEntity>;
export const CustomFieldType = z.enum(CUSTOM_FIELD_TYPES);

export const CustomFieldDefinitionDto = z.object({
  id: Id,
  entity: CustomFieldEntity,
  key: z.string(),
  type: CustomFieldType,
  label: z.object({ zh: z.string(), en: z.string() }),
  required: z.boolean(),
  options: z.array(z.object({ key: z.string(), label: z.object({ zh: z.string(), en: z.string() }), archived: z.boolean() })).optional(),
  maxLength: z.number().int().optional(),
  currency: z.string().optional(),
  /** Sorting by it is served by expression indexes (decision 0010). */
  sortable: z.boolean(),
  /** Order in forms and list columns, ascending. */
  position: z.number().int(),
  /** Archived fields are hidden from forms and refused in writes and filters; their stored values stay. */
  archivedAt: Timestamp.nullable(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CustomFieldDefinitionDto = z.infer<typeof CustomFieldDefinitionDto>;

export const CustomFieldDefinitionList = z.object({ items: z.array(CustomFieldDefinitionDto) });
export type CustomFieldDefinitionList = z.infer<typeof CustomFieldDefinitionList>;

export const ListCustomFieldsQuery = z.strictObject({
  entity: CustomFieldEntity.optional(),
  includeArchived: QueryBool.optional(),
});
export type ListCustomFieldsQuery = z.infer<typeof ListCustomFieldsQuery>;

const Position = z.number({ error: 'v:number' }).int({ message: 'v:number' }).min(0, { message: 'v:number_range' }).max(10_000, { message: 'v:number_range' });

const { archived: _archived, ...createShape } = CUSTOM_FIELD_DEFINITION_SHAPE;
void _archived;

export const CreateCustomFieldBody = z
  .strictObject({
    ...createShape,
    /** Default: after the entity's last field. */
    position: Position.optional(),
  })
  .superRefine(checkDefinitionRules);
export type CreateCustomFieldBody = z.infer<typeof CreateCustomFieldBody>;

/**
 * Labels, `required`, the text limit, options and position change; options may be added,
 * relabelled and archived but never removed. Entity, key, type and currency may be sent unchanged
 * (forms echo them); a different value is refused (400 `v:immutable`): stored values would change meaning.
 */
export const UpdateCustomFieldBody = z.strictObject({
  version: Version,
  entity: CustomFieldEntity.optional(),
  key: z.string().max(40).optional(),
  type: CustomFieldType.optional(),
  currency: z.string().max(3).nullable().optional(),
  label: CUSTOM_FIELD_DEFINITION_SHAPE.label.optional(),
  required: z.boolean({ error: 'v:boolean' }).optional(),
  options: z.array(CustomFieldOption).optional(),
  maxLength: CUSTOM_FIELD_DEFINITION_SHAPE.maxLength.nullable().optional(),
  sortable: CUSTOM_FIELD_DEFINITION_SHAPE.sortable,
  position: Position.optional(),
});
export type UpdateCustomFieldBody = z.infer<typeof UpdateCustomFieldBody>;

export const CustomFieldVersionBody = z.strictObject({ version: Version });
export type CustomFieldVersionBody = z.infer<typeof CustomFieldVersionBody>;

export const CustomFieldIdParams = z.strictObject({ id: Id });

/**
 * A record's `custom` object in a create or update: field key → value (null clears). Its shape
 * depends on the definitions, so the service checks it (400 with `custom.<key>` paths).
 */
export const CustomValuesBody = z.record(z.string().max(40), z.unknown());

// ── List queries ────────────────────────────────────────────────────────────────────────────────

export const CUSTOM_FILTER_OPERATORS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const;
export type CustomFilterParamOperator = (typeof CUSTOM_FILTER_OPERATORS)[number];

/** One `cf.<key>[.<op>]=<value>` parameter of a list query, before the definitions are known. */
export interface CustomFieldFilterParam {
  key: string;
  op: CustomFilterParamOperator;
  value: string;
}

const FILTER_PARAM = new RegExp(`^cf\\.(${CUSTOM_FIELD_KEY_PATTERN.source.slice(1, -1)})(?:\\.(gt|gte|lt|lte))?$`);

/** `sort=cf.<key>` or `sort=-cf.<key>`. */
export const CustomFieldSort = z.string().regex(new RegExp(`^-?cf\\.${CUSTOM_FIELD_KEY_PATTERN.source.slice(1, -1)}$`), { message: 'v:unknown_option' });

/** A parsed custom-field sort: the key and the direction. */
export function parseCustomFieldSort(sort: string): { key: string; descending: boolean } | null {
  const m = /^(-?)cf\.(.+)$/.exec(sort);
  return m ? { key: m[2]!, descending: m[1] === '-' } : null;
}

/** What withCustomFieldFilters adds to a list query: the custom filters, and a sort that may be custom. */
export interface CustomFieldListParams {
  sort?: string;
  customFilters: CustomFieldFilterParam[];
}

/**
 * A list query that also takes `cf.*` parameters and `sort=[-]cf.<key>`: the known parameters are
 * checked by `base`, the `cf.*` ones collected into `customFilters`, anything else is refused like an
 * unknown field. `base` stays a plain object schema for others to extend (exports reuse it).
 */
export function withCustomFieldFilters<T extends z.core.$ZodLooseShape>(
  base: z.ZodObject<T>,
): z.ZodType<Omit<z.output<z.ZodObject<T>>, 'sort'> & CustomFieldListParams> {
  const baseSort = (base.shape as Record<string, z.ZodType | undefined>)['sort'];
  const sort = baseSort ? z.union([baseSort, CustomFieldSort]) : CustomFieldSort.optional();
  const extended = base.extend({ sort } as never) as unknown as z.ZodObject<z.core.$ZodLooseShape>;
  const known = new Set(Object.keys(extended.shape));
  const schema = extended.catchall(z.string().max(1000)).transform((input, ctx) => {
    const out: Record<string, unknown> = {};
    const customFilters: CustomFieldFilterParam[] = [];
    for (const [name, value] of Object.entries(input)) {
      if (known.has(name)) {
        out[name] = value;
        continue;
      }
      const m = FILTER_PARAM.exec(name);
      if (!m || typeof value !== 'string') {
        ctx.issues.push({ code: 'custom', path: [name], message: 'v:unknown_field', input: value });
        continue;
      }
      customFilters.push({ key: m[1]!, op: (m[2] ?? 'eq') as CustomFilterParamOperator, value });
    }
    return { ...out, customFilters };
  });
  return schema as unknown as z.ZodType<Omit<z.output<z.ZodObject<T>>, 'sort'> & CustomFieldListParams>;
}
