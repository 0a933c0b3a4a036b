import type { FormInstance } from 'antd';
import type { ApiProblem, FieldError } from './api-problem.ts';

/**
 * Put a problem's field errors (`errors[].path`, e.g. "email" or "roles.0") on the form fields they
 * belong to; returns the errors no field of this form owns, for the form's alert. Fields of the
 * list without an error are cleared, so messages of an earlier attempt do not linger.
 */
export function applyProblemToForm(form: FormInstance, problem: ApiProblem, fields: readonly string[]): FieldError[] {
  const messages = new Map<string, string[]>();
  const unmatched: FieldError[] = [];
  for (const error of problem.errors) {
    const segments = error.path.split('.').filter((s) => s !== '');
    if (segments[0] === 'body') segments.shift();
    const field = segments[0];
    if (field !== undefined && fields.includes(field)) {
      messages.set(field, [...(messages.get(field) ?? []), error.message]);
    } else {
      unmatched.push(error);
    }
  }
  form.setFields(fields.map((name) => ({ name, errors: messages.get(name) ?? [] })));
  return unmatched;
}
