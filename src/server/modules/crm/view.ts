import { z } from 'zod';
import type { Locale } from '../../../shared/i18n/resources.ts';
import type { FieldError } from '../../platform/errors.ts';
import { ListAccountsQuery, ListContactsQuery } from './account-contract.ts';
import { type CustomFieldFilterParam, withCustomFieldFilters } from './custom-field-contract.ts';
import { ListOpportunitiesQuery } from './opportunity-contract.ts';
import type { ViewDefinition, ViewEntity } from './view-contract.ts';

/**
 * What a saved view may hold. Its filters and sort are parsed by the entity's own list query
 * schema, as the list route parses its query (with the `cf.*` custom-field parameters), so
 * whatever the list accepts a view accepts, and whatever the list refuses a view refuses: a view
 * can always be opened. Paging parameters are not part of a view. Custom-field keys and operands
 * are then checked against the entity's definitions by the service, with the lists' own code.
 */
export const VIEW_LIST_QUERIES: Record<ViewEntity, z.ZodType> = {
  account: withCustomFieldFilters(ListAccountsQuery),
  contact: withCustomFieldFilters(ListContactsQuery),
  opportunity: withCustomFieldFilters(ListOpportunitiesQuery),
};

/** The list query a valid definition stands for, as far as the service checks it further. */
export interface ParsedViewQuery {
  customFilters?: CustomFieldFilterParam[];
  sort?: string;
}

export type ViewDefinitionCheck = { ok: true; query: ParsedViewQuery } | { ok: false; errors: FieldError[] };

const PAGING_PARAMETERS = new Set(['limit', 'cursor', 'sort']);

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  en: z.locales.en().localeError,
  'zh-CN': z.locales.zhCN().localeError,
};

/** A path of the list's query (`query.cf.size`, `query.sort`) as a path of the view's body. */
export function viewPathOfQueryPath(path: string): string {
  const key = path.replace(/^query\./, '');
  return key === 'sort' ? 'definition.sort' : `definition.filters.${key}`;
}

/** Field errors of a view definition (paths from the request body: `definition.filters.status`), empty when valid. */
export function checkViewDefinition(entity: ViewEntity, definition: ViewDefinition, locale: Locale): FieldError[] {
  const res = parseViewDefinition(entity, definition, locale);
  return res.ok ? [] : res.errors;
}

export function parseViewDefinition(entity: ViewEntity, definition: ViewDefinition, locale: Locale): ViewDefinitionCheck {
  const errors: FieldError[] = [];
  for (const key of Object.keys(definition.filters)) {
    if (PAGING_PARAMETERS.has(key)) errors.push({ path: `definition.filters.${key}`, message: 'v:unknown_field' });
  }
  if (errors.length > 0) return { ok: false, errors };
  const query = { ...definition.filters, ...(definition.sort !== undefined ? { sort: definition.sort } : {}) };
  const res = VIEW_LIST_QUERIES[entity].safeParse(query, { error: zodLocales[locale] });
  if (res.success) return { ok: true, query: res.data as ParsedViewQuery };
  const where = viewPathOfQueryPath;
  for (const issue of res.error.issues) {
    const [first, ...rest] = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) errors.push({ path: where(k), message: 'v:unknown_field' });
    } else {
      errors.push({ path: first === undefined ? 'definition.filters' : [where(first), ...rest].join('.'), message: issue.message });
    }
  }
  return { ok: false, errors };
}

/** A definition as stored: only the parts that were given, so an unchanged view compares equal. */
export function normalizeViewDefinition(definition: ViewDefinition): ViewDefinition {
  return {
    filters: definition.filters,
    ...(definition.sort !== undefined ? { sort: definition.sort } : {}),
    ...(definition.columns !== undefined ? { columns: [...new Set(definition.columns)] } : {}),
  };
}
