import type { AccountPage, ContactPage } from '../../../../server/modules/crm/account-contract.ts';
import type {
  ChangeStageBody,
  CreateForecastSubmissionBody,
  CreateOpportunityBody,
  Forecast,
  ForecastSubmission,
  ForecastSubmissionList,
  ListOpportunitiesQuery,
  OpportunityDetail,
  OpportunityHistory,
  OpportunityPage,
  PipelineAnalytics,
  PipelineList,
  PipelineSummary,
  UpdateOpportunityBody,
} from '../../../../server/modules/crm/opportunity-contract.ts';
import { api, buildUrl } from '../../../http/api-client.ts';

/** The deal side of the CRM API (pipelines, opportunities, summaries, forecast), typed by the server's contract. */
const base = '/api/v1/crm';
const enc = (value: string) => encodeURIComponent(value);

/** The list filters the table, the kanban and the export share (the query string of GET /opportunities). */
export type OpportunityFilters = Partial<
  Pick<ListOpportunitiesQuery, 'ownerId' | 'unitId' | 'includeSubunits' | 'closeFrom' | 'closeTo' | 'pipelineId' | 'q' | 'sort' | 'accountId'>
> & {
  /** Stage keys; sent comma-separated. */
  stages?: string[] | undefined;
};

export function opportunityQuery(filters: OpportunityFilters): Record<string, string | boolean | undefined> {
  const { stages, ...rest } = filters;
  return { ...rest, stage: stages && stages.length > 0 ? stages.join(',') : undefined };
}

export type ExportFormat = 'csv' | 'xlsx';

/** The download address of the opportunities export with the view's filters. */
export function exportUrl(format: ExportFormat, filters: OpportunityFilters): string {
  return buildUrl(`${base}/exports/opportunities`, { format, ...opportunityQuery(filters) });
}

export const pipelineApi = {
  pipelines: (signal?: AbortSignal) => api.get<PipelineList>(`${base}/pipelines`, undefined, signal),
  opportunities: (filters: OpportunityFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) => {
    const { limit, cursor, ...rest } = filters;
    return api.get<OpportunityPage>(`${base}/opportunities`, { ...opportunityQuery(rest), limit, cursor }, signal);
  },
  opportunity: (id: string, signal?: AbortSignal) => api.get<OpportunityDetail>(`${base}/opportunities/${enc(id)}`, undefined, signal),
  history: (id: string, signal?: AbortSignal) => api.get<OpportunityHistory>(`${base}/opportunities/${enc(id)}/stage-history`, undefined, signal),
  create: (body: CreateOpportunityBody, idempotencyKey?: string) => api.create<OpportunityDetail>(`${base}/opportunities`, body, idempotencyKey),
  update: (id: string, body: UpdateOpportunityBody) => api.patch<OpportunityDetail>(`${base}/opportunities/${enc(id)}`, body),
  changeStage: (id: string, body: ChangeStageBody) => api.post<OpportunityDetail>(`${base}/opportunities/${enc(id)}/stage`, body),
  summary: (query: { pipelineId?: string; unitId?: string; closeFrom?: string; closeTo?: string }, signal?: AbortSignal) =>
    api.get<PipelineSummary>(`${base}/pipeline-summary`, query, signal),
  analytics: (query: { pipelineId?: string; from: string; to: string }, signal?: AbortSignal) =>
    api.get<PipelineAnalytics>(`${base}/pipeline-analytics`, query, signal),
  forecast: (query: { period: string; unitId?: string | undefined }, signal?: AbortSignal) => api.get<Forecast>(`${base}/forecast`, query, signal),
  submissions: (query: { period: string; unitId: string }, signal?: AbortSignal) =>
    api.get<ForecastSubmissionList>(`${base}/forecast/submissions`, query, signal),
  submit: (body: CreateForecastSubmissionBody, idempotencyKey?: string) =>
    api.create<ForecastSubmission>(`${base}/forecast/submissions`, body, idempotencyKey),
  accounts: (q: string | undefined, signal?: AbortSignal) => api.get<AccountPage>(`${base}/accounts`, { q, limit: 20 }, signal),
  contacts: (accountId: string, signal?: AbortSignal) => api.get<ContactPage>(`${base}/accounts/${enc(accountId)}/contacts`, { limit: 200 }, signal),
};

export const pipelineKeys = {
  all: ['crm-deals'] as const,
  pipelines: ['crm-deals', 'pipelines'] as const,
  opportunities: (filters: OpportunityFilters) => ['crm-deals', 'opportunities', filters] as const,
  allOpportunities: ['crm-deals', 'opportunities'] as const,
  opportunity: (id: string) => ['crm-deals', 'opportunity', id] as const,
  history: (id: string) => ['crm-deals', 'history', id] as const,
  summary: (q: object) => ['crm-deals', 'summary', q] as const,
  analytics: (q: object) => ['crm-deals', 'analytics', q] as const,
  forecast: (period: string, unitId: string | undefined) => ['crm-deals', 'forecast', period, unitId ?? 'home'] as const,
  submissions: (period: string, unitId: string) => ['crm-deals', 'submissions', period, unitId] as const,
  accounts: (q: string) => ['crm-deals', 'accounts', q] as const,
  contacts: (accountId: string) => ['crm-deals', 'contacts', accountId] as const,
};
