import { z } from 'zod';
import { Id, PageQuery, Timestamp, Version, pageSchema } from '../../../shared/api.ts';
import { ListAccountsQuery } from './account-contract.ts';
import { withCustomFieldFilters } from './custom-field-contract.ts';
import { ListOpportunitiesQuery } from './opportunity-contract.ts';
import { CONTACT_LEVELS, CONTACT_STATUSES } from './coverage.ts';

/**
 * The API of CRM imports (upload → dry run → commit, with a downloadable error report) and
 * exports, shared by server and web.
 *
 * Import flow:
 *   1. POST /api/v1/crm/imports {entity, fileName, contentBase64} → job `uploaded` with the columns,
 *      a sample, and a suggested column → field mapping.
 *   2. POST /api/v1/crm/imports/:id/dry-run {version, mapping, dedupe} → job `validated` with a report
 *      listing every problem of every row (nothing is written).
 *   3. POST /api/v1/crm/imports/:id/commit {version, skipInvalid?, confirmSimilar?} → job `running`;
 *      rows are written in batches (one transaction each) and the job ends `completed` or `failed`.
 *      Poll GET /api/v1/crm/imports/:id for `processed` / `total`.
 *
 * Commit rules: a job with invalid rows is refused (409 crm.import_not_ready) unless `skipInvalid`
 * is true (then those rows are left out and listed in the error report); a job whose dry run warned
 * about similar account names (to a stored account, or to a name an earlier row of the file writes)
 * is refused unless `confirmSimilar` is true, which then lets exactly the warned rows through. The dry
 * run checks what the services would refuse at commit (references, stages, rates, similar names),
 * so a commit fails only on what changed since (a USCC or a similar name registered meanwhile).
 * A `failed` job may be dry-run again and committed: with dedupe `skip` the rows its committed
 * batches wrote count as duplicates. A job whose server stopped mid-commit ends `failed` with
 * `result.error.code` crm.import_interrupted (on the next server start or read of the job) and is
 * resumed the same way.
 * The report's `errors` holds every finding: `error` (the row is invalid), `warning` (similar account
 * name, needs `confirmSimilar`) and `info` (a duplicate that will be skipped or will update a record).
 */

export const IMPORT_ENTITIES = ['account', 'contact', 'opportunity'] as const;
export const ImportEntity = z.enum(IMPORT_ENTITIES);
export type ImportEntity = z.infer<typeof ImportEntity>;

export const IMPORT_STATUSES = ['uploaded', 'validated', 'running', 'completed', 'failed'] as const;
export const ImportStatus = z.enum(IMPORT_STATUSES);
export type ImportStatus = z.infer<typeof ImportStatus>;

/**
 * What to do with a row that matches an existing record or an earlier row of the file:
 * `skip` leaves it out, `update` writes the mapped columns onto the existing record (a repeat of an
 * earlier row of the file is left out), `fail` makes it an invalid row.
 */
export const DEDUPE_MODES = ['skip', 'update', 'fail'] as const;
export const DedupeMode = z.enum(DEDUPE_MODES);
export type DedupeMode = z.infer<typeof DedupeMode>;

export const FILE_FORMATS = ['csv', 'xlsx'] as const;
export const FileFormat = z.enum(FILE_FORMATS);
export type FileFormat = z.infer<typeof FileFormat>;

/** At most this many data rows per file. */
export const MAX_IMPORT_ROWS = 50_000;
/** The largest file accepted (bytes, before base64). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** The upload route's body limit: the base64 of the largest file plus the JSON around it. */
export const IMPORT_BODY_LIMIT = 15 * 1024 * 1024;

export const ImportFieldInfo = z.object({
  field: z.string(),
  required: z.boolean(),
  labels: z.object({ zh: z.string(), en: z.string() }),
});
export type ImportFieldInfo = z.infer<typeof ImportFieldInfo>;

/** field → column header of the file. */
export const ImportMapping = z.record(z.string().max(100), z.string().max(200));
export type ImportMapping = z.infer<typeof ImportMapping>;

export const ImportRowError = z.object({
  /** 1-based row number as in the file (the header is row 1). */
  row: z.number().int(),
  /** The column header, or null for a problem of the whole row. */
  column: z.string().nullable(),
  field: z.string().nullable(),
  /**
   * `error` makes the row invalid; `warning` (a similar account name) needs `confirmSimilar` at
   * commit; `info` says what happens to a duplicate (skipped, or the existing record updated).
   */
  severity: z.enum(['error', 'warning', 'info']),
  code: z.string(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportReport = z.object({
  valid: z.number().int(),
  invalid: z.number().int(),
  duplicates: z.number().int(),
  warnings: z.number().int(),
  /** What the commit will do with the valid rows. */
  toCreate: z.number().int(),
  toUpdate: z.number().int(),
  toSkip: z.number().int(),
  errors: z.array(ImportRowError),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const ImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  skipped: z.number().int(),
  /** Rows (data rows, 0-based count) written before the failure, in whole batches. */
  committedRows: z.number().int(),
  error: z
    .object({ code: z.string(), message: z.string(), row: z.number().int().nullable(), batch: z.number().int() })
    .nullable(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportJob = z.object({
  id: Id,
  entity: ImportEntity,
  status: ImportStatus,
  fileName: z.string(),
  format: FileFormat,
  /** `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, `gb18030`, or `xlsx`. */
  encoding: z.string(),
  columns: z.array(z.string()),
  /** The first five data rows. */
  sample: z.array(z.array(z.string())),
  rowCount: z.number().int(),
  suggestedMapping: z.record(z.string(), z.string()),
  fields: z.array(ImportFieldInfo),
  mapping: z.record(z.string(), z.string()).nullable(),
  dedupe: DedupeMode.nullable(),
  report: ImportReport.nullable(),
  result: ImportResult.nullable(),
  processed: z.number().int(),
  total: z.number().int(),
  ownerId: Id,
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

/** The list leaves out the per-row report to stay small; GET one job for it. */
export const ImportJobSummary = ImportJob.omit({ report: true, sample: true });
export type ImportJobSummary = z.infer<typeof ImportJobSummary>;
export const ImportJobPage = pageSchema(ImportJobSummary);
export type ImportJobPage = z.infer<typeof ImportJobPage>;

export const CreateImportBody = z.strictObject({
  entity: ImportEntity,
  fileName: z.string().trim().min(1).max(255),
  contentBase64: z.string().min(1).max(IMPORT_BODY_LIMIT),
});
export type CreateImportBody = z.infer<typeof CreateImportBody>;

export const DryRunBody = z.strictObject({
  version: Version,
  mapping: ImportMapping,
  dedupe: DedupeMode.default('skip'),
});
export type DryRunBody = z.infer<typeof DryRunBody>;

export const CommitImportBody = z.strictObject({
  version: Version,
  /** Leave out the rows the dry run found invalid (otherwise a job with invalid rows is refused). */
  skipInvalid: z.boolean().default(false),
  /** Create accounts whose names are similar to existing ones (the dry run's warnings). */
  confirmSimilar: z.boolean().default(false),
});
export type CommitImportBody = z.infer<typeof CommitImportBody>;

export const ListImportsQuery = PageQuery.strict();
export type ListImportsQuery = z.infer<typeof ListImportsQuery>;

export const ErrorReportQuery = z.strictObject({ format: FileFormat.default('csv') });
export type ErrorReportQuery = z.infer<typeof ErrorReportQuery>;

// ── Export ──────────────────────────────────────────────────────────────────────────────────────

/** Comma-separated column keys; unknown keys are a 400 naming them. */
const ColumnList = z
  .string()
  .max(2000)
  .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter((x) => x !== ''))])
  .pipe(z.array(z.string().max(100)).min(1).max(100));

const exportFields = { format: FileFormat.default('csv'), columns: ColumnList.optional() };

/**
 * The account list's filters (without paging), its custom-field filters and sorts (`cf.<key>[.<op>]=…`,
 * `sort=[-]cf.<key>`), plus the file format and columns. Any other parameter is a 400 naming it.
 */
export const ExportAccountsQuery = withCustomFieldFilters(ListAccountsQuery.omit({ limit: true, cursor: true }).extend(exportFields));
export type ExportAccountsQuery = z.infer<typeof ExportAccountsQuery>;

/** The deal list's filters, custom-field filters and sorts (as the list takes them), the format and columns. */
export const ExportOpportunitiesQuery = withCustomFieldFilters(ListOpportunitiesQuery.omit({ limit: true, cursor: true }).extend(exportFields));
export type ExportOpportunitiesQuery = z.infer<typeof ExportOpportunitiesQuery>;

/** Contacts of every visible account, or of one (`accountId`), with the filters of an account's contact list. */
export const ExportContactsQuery = z.strictObject({
  accountId: Id.optional(),
  level: z.enum(CONTACT_LEVELS).optional(),
  status: z.enum(CONTACT_STATUSES).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  ...exportFields,
});
export type ExportContactsQuery = z.infer<typeof ExportContactsQuery>;
