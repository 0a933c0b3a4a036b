import { defineErrors } from '../../platform/errors.ts';

/** Error codes of CRM import and export (docs/errors.md lists them with the other `crm.*` codes). */
export const ImportErrors = defineErrors('crm', {
  import_encoding: { status: 422 },
  import_file_invalid: { status: 422 },
  import_mapping_invalid: { status: 422 },
  import_not_ready: { status: 409 },
  /** Not returned by a route: the error of a job whose server stopped while it ran. */
  import_interrupted: { status: 409 },
});
