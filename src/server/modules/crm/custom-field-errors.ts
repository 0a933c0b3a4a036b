import { defineErrors } from '../../platform/errors.ts';

/** Error codes of custom-field definitions; docs/errors.md lists them with the other `crm.*` codes. */
export const CustomFieldErrors = defineErrors('crm', {
  custom_field_key_taken: { status: 409 },
});
