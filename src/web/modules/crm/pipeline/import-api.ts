import type { CommitImportBody, CreateImportBody, DryRunBody, ImportJob } from '../../../../server/modules/crm/import-contract.ts';
import { api, buildUrl } from '../../../http/api-client.ts';

/** The CRM import endpoints, typed by the server's contract. */
const base = '/api/v1/crm/imports';
const enc = (value: string) => encodeURIComponent(value);

export const importApi = {
  upload: (body: CreateImportBody, idempotencyKey?: string) => api.create<ImportJob>(base, body, idempotencyKey),
  get: (id: string, signal?: AbortSignal) => api.get<ImportJob>(`${base}/${enc(id)}`, undefined, signal),
  dryRun: (id: string, body: DryRunBody) => api.post<ImportJob>(`${base}/${enc(id)}/dry-run`, body),
  commit: (id: string, body: CommitImportBody) => api.post<ImportJob>(`${base}/${enc(id)}/commit`, body),
  errorReportUrl: (id: string, format: 'csv' | 'xlsx') => buildUrl(`${base}/${enc(id)}/errors`, { format }),
};

export const importKeys = {
  job: (id: string) => ['crm-import', id] as const,
};
