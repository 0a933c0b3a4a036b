import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ApiRouter } from '../../platform/http.ts';
import { IdParams } from './account-contract.ts';
import { exportAccounts, exportContacts, exportOpportunities, type ExportFile } from './export-service.ts';
import {
  CommitImportBody,
  CreateImportBody,
  DryRunBody,
  ErrorReportQuery,
  ExportAccountsQuery,
  ExportContactsQuery,
  ExportOpportunitiesQuery,
  IMPORT_BODY_LIMIT,
  ImportJob,
  ImportJobPage,
  ListImportsQuery,
} from './import-contract.ts';
import { commitImport, createImport, dryRunImport, getErrorReport, getImport, listImports } from './import-service.ts';

const tags = ['crm'];

/** A file download: the body is bytes or a stream, not JSON. */
const FileResponse = z.custom<unknown>(() => true, { message: 'file' });

/** RFC 6266: an ASCII fallback and the UTF-8 name, so Chinese file names survive. */
function attachment(reply: FastifyReply, file: { fileName: string; contentType: string }): void {
  const ascii = file.fileName.replace(/[^\x20-\x7E]/g, '_').replace(/["\\]/g, '_');
  void reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
    .header('cache-control', 'no-store');
}

function sendFile(reply: FastifyReply, file: ExportFile) {
  attachment(reply, file);
  return file.body;
}

/** Import jobs (upload, dry run, commit, error report) and list exports. */
export function registerImportRoutes(router: ApiRouter): void {
  router.route({
    method: 'POST',
    url: '/api/v1/crm/imports',
    summary: 'Upload a CSV or XLSX file of accounts, contacts or deals (base64); returns its columns and a suggested mapping',
    tags,
    idempotent: true,
    bodyLimit: IMPORT_BODY_LIMIT,
    body: CreateImportBody,
    response: ImportJob,
    handler: (ctx, { body }) => createImport(ctx, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/imports',
    summary: 'My import jobs, newest first',
    tags,
    query: ListImportsQuery,
    response: ImportJobPage,
    handler: (ctx, { query }) => listImports(ctx, query),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/imports/:id',
    summary: 'One import job: status, dry-run report, progress (processed / total) and result',
    tags,
    params: IdParams,
    response: ImportJob,
    handler: (ctx, { params }) => getImport(ctx, params.id),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/imports/:id/dry-run',
    summary: 'Validate every row with a mapping and a dedupe rule; nothing is written',
    tags,
    params: IdParams,
    body: DryRunBody,
    response: ImportJob,
    handler: (ctx, { params, body }) => dryRunImport(ctx, params.id, body),
  });
  router.route({
    method: 'POST',
    url: '/api/v1/crm/imports/:id/commit',
    summary: 'Start writing the validated rows in batches (one transaction each); poll the job for progress',
    tags,
    params: IdParams,
    body: CommitImportBody,
    status: 202,
    response: ImportJob,
    handler: (ctx, { params, body }) => commitImport(ctx, params.id, body),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/imports/:id/errors',
    summary: "The rows with problems as in the file, with a column saying what is wrong (CSV or XLSX)",
    tags,
    params: IdParams,
    query: ErrorReportQuery,
    response: FileResponse,
    handler: async (ctx, { params, query }, _req, reply) => {
      const file = await getErrorReport(ctx, params.id, query);
      attachment(reply, file);
      return file.body;
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/crm/exports/accounts',
    summary: 'The account list (same filters) as CSV or XLSX; only accounts I can read',
    tags,
    query: ExportAccountsQuery,
    response: FileResponse,
    handler: async (ctx, { query }, _req, reply) => sendFile(reply, await exportAccounts(ctx, ctx.locale, query)),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/exports/contacts',
    summary: 'Contacts of the accounts I can read (or of one account) as CSV or XLSX',
    tags,
    query: ExportContactsQuery,
    response: FileResponse,
    handler: async (ctx, { query }, _req, reply) => sendFile(reply, await exportContacts(ctx, ctx.locale, query)),
  });
  router.route({
    method: 'GET',
    url: '/api/v1/crm/exports/opportunities',
    summary: 'The deal list (same filters) as CSV or XLSX; only deals I can read',
    tags,
    query: ExportOpportunitiesQuery,
    response: FileResponse,
    handler: async (ctx, { query }, _req, reply) => sendFile(reply, await exportOpportunities(ctx, ctx.locale, query)),
  });
}
