import type { z } from 'zod';
import type {
  CelContextList,
  CreateRuleBody,
  ListRulesQuery,
  PublishResult,
  Rule,
  RuleCheck,
  RuleImportBody,
  RuleImportReport,
  RuleSummary,
  SaveDraftBody,
  WhatIfBody,
  WhatIfResult,
} from '../../../../server/modules/pricing/contract.ts';
import type { Page } from '../../../../shared/api.ts';
import { api, buildUrl } from '../../../http/api-client.ts';

/** The pricing-rule API (rules and versions, check, publish, archive, CEL context, what-if, XLSX), typed by the server's contract. */
export type RuleFilters = Partial<Pick<ListRulesQuery, 'status' | 'hasDraft' | 'q'>>;
export type CelContext = z.infer<typeof CelContextList>;
/** What-if input as sent (the server fills the defaults). */
export type WhatIfInput = Omit<WhatIfBody, 'draftRuleIds'> & { draftRuleIds?: string[] };

const base = '/api/v1/pricing';
const seg = encodeURIComponent;

export const pricingApi = {
  rules: (filters: RuleFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<Page<RuleSummary>>(`${base}/rules`, { ...filters }, signal),
  rule: (id: string, signal?: AbortSignal) => api.get<Rule>(`${base}/rules/${seg(id)}`, undefined, signal),
  create: (body: CreateRuleBody, idempotencyKey?: string) => api.create<Rule>(`${base}/rules`, body, idempotencyKey),
  saveDraft: (id: string, body: SaveDraftBody) => api.patch<Rule>(`${base}/rules/${seg(id)}/draft`, body),
  check: (id: string) => api.post<RuleCheck>(`${base}/rules/${seg(id)}/check`),
  publish: (id: string, version: number) => api.post<PublishResult>(`${base}/rules/${seg(id)}/publish`, { version }),
  archive: (id: string, version: number) => api.post<Rule>(`${base}/rules/${seg(id)}/archive`, { version }),
  context: (signal?: AbortSignal) => api.get<CelContext>(`${base}/context`, undefined, signal),
  whatIf: (body: WhatIfInput) => api.post<WhatIfResult>(`${base}/what-if`, body),
  exportUrl: () => buildUrl(`${base}/rules/export.xlsx`),
  importRules: (body: RuleImportBody) => api.post<RuleImportReport>(`${base}/rules/import`, body),
};

export const pricingKeys = {
  all: ['pricing'] as const,
  rules: (filters: RuleFilters) => ['pricing', 'rules', 'list', filters] as const,
  rule: (id: string) => ['pricing', 'rules', 'one', id] as const,
  context: ['pricing', 'context'] as const,
};
