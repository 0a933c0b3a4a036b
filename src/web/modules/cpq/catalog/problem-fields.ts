import type { FieldError } from '../../../http/api-problem.ts';

/** An antd form field name: a top-level name or a path into lists (`['bands', 2, 'fromQty']`). */
export type FieldName = string | (string | number)[];

/**
 * Put a problem's field errors (`errors[].path`, dotted, e.g. `bundle.components.1.productId`) on
 * the form fields they belong to. `resolve` maps the path's segments to a field of this form, or
 * null when the form has no such field (those errors are returned for the form's alert).
 * `known` lists every field to clear first, so messages of an earlier attempt do not linger.
 */
export function mapProblemToFields(
  errors: readonly FieldError[],
  resolve: (segments: string[]) => FieldName | null,
): { fields: { name: FieldName; errors: string[] }[]; unmatched: FieldError[] } {
  const byName = new Map<string, { name: FieldName; errors: string[] }>();
  const unmatched: FieldError[] = [];
  for (const error of errors) {
    const segments = error.path.split('.').filter((s) => s !== '');
    if (segments[0] === 'body') segments.shift();
    const name = segments.length > 0 ? resolve(segments) : null;
    if (name === null) {
      unmatched.push(error);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byName.get(key) ?? { name, errors: [] };
    entry.errors.push(error.message);
    byName.set(key, entry);
  }
  return { fields: [...byName.values()], unmatched };
}

/** `'2'` → 2, for list indexes in a path; anything else stays a string. */
export function pathIndex(segment: string | undefined): number | null {
  return segment !== undefined && /^\d+$/.test(segment) ? Number(segment) : null;
}
