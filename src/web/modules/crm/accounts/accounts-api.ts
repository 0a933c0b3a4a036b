import type {
  Account,
  AccountCoverageGaps,
  AccountHierarchy,
  AccountPage,
  AddTeamMemberBody,
  BookGapsPage,
  Contact,
  ContactPage,
  CoverageLink,
  CoverageList,
  CreateAccountBody,
  CreateContactBody,
  CreateCoverageBody,
  CustomerGroupTree,
  GroupRollup,
  ListAccountsQuery,
  RelationshipMap,
  TeamList,
  TeamMember,
  UpdateAccountBody,
  UpdateContactBody,
  UpdateCoverageBody,
  UpdateTeamMemberBody,
} from '../../../../server/modules/crm/account-contract.ts';
import type { OpportunityPage } from '../../../../server/modules/crm/opportunity-contract.ts';
import { api } from '../../../http/api-client.ts';

/** The account side of the CRM API (accounts, teams, contacts, coverage, gaps), typed by the server's contract. */
export type AccountFilters = Partial<Pick<ListAccountsQuery, 'q' | 'kind' | 'status' | 'tier' | 'ownerId' | 'parentId' | 'sort'>>;

const base = '/api/v1/crm';
const seg = encodeURIComponent;

export const accountsApi = {
  list: (filters: AccountFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<AccountPage>(`${base}/accounts`, { ...filters }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Account>(`${base}/accounts/${seg(id)}`, undefined, signal),
  create: (body: Partial<CreateAccountBody>, idempotencyKey?: string) => api.create<Account>(`${base}/accounts`, body, idempotencyKey),
  update: (id: string, body: UpdateAccountBody) => api.patch<Account>(`${base}/accounts/${seg(id)}`, body),
  hierarchy: (id: string, signal?: AbortSignal) => api.get<AccountHierarchy>(`${base}/accounts/${seg(id)}/hierarchy`, undefined, signal),
  rollup: (id: string, signal?: AbortSignal) => api.get<GroupRollup>(`${base}/accounts/${seg(id)}/group-rollup`, undefined, signal),
  customerGroups: (signal?: AbortSignal) => api.get<CustomerGroupTree>(`${base}/customer-groups`, undefined, signal),

  team: (id: string, signal?: AbortSignal) => api.get<TeamList>(`${base}/accounts/${seg(id)}/team`, undefined, signal),
  addTeamMember: (id: string, body: AddTeamMemberBody) => api.post<TeamMember>(`${base}/accounts/${seg(id)}/team`, body),
  updateTeamMember: (id: string, userId: string, body: UpdateTeamMemberBody) =>
    api.patch<TeamMember>(`${base}/accounts/${seg(id)}/team/${seg(userId)}`, body),
  removeTeamMember: (id: string, userId: string) => api.delete<{ ok: true }>(`${base}/accounts/${seg(id)}/team/${seg(userId)}`),

  contacts: (id: string, signal?: AbortSignal) => api.get<ContactPage>(`${base}/accounts/${seg(id)}/contacts`, { limit: 200 }, signal),
  contact: (id: string, signal?: AbortSignal) => api.get<Contact>(`${base}/contacts/${seg(id)}`, undefined, signal),
  createContact: (accountId: string, body: Partial<CreateContactBody>, idempotencyKey?: string) =>
    api.create<Contact>(`${base}/accounts/${seg(accountId)}/contacts`, body, idempotencyKey),
  updateContact: (id: string, body: UpdateContactBody) => api.patch<Contact>(`${base}/contacts/${seg(id)}`, body),

  coverage: (id: string, signal?: AbortSignal) => api.get<CoverageList>(`${base}/accounts/${seg(id)}/coverage`, undefined, signal),
  createCoverage: (accountId: string, body: CreateCoverageBody, idempotencyKey?: string) =>
    api.create<CoverageLink>(`${base}/accounts/${seg(accountId)}/coverage`, body, idempotencyKey),
  updateCoverage: (id: string, body: UpdateCoverageBody) => api.patch<CoverageLink>(`${base}/coverage/${seg(id)}`, body),
  deleteCoverage: (id: string, version: number) => api.delete<{ ok: true }>(`${base}/coverage/${seg(id)}?version=${version}`),
  relationshipMap: (id: string, signal?: AbortSignal) =>
    api.get<RelationshipMap>(`${base}/accounts/${seg(id)}/relationship-map`, undefined, signal),
  accountGaps: (id: string, staleDays: number, signal?: AbortSignal) =>
    api.get<AccountCoverageGaps>(`${base}/accounts/${seg(id)}/coverage-gaps`, { staleDays }, signal),
  bookGaps: (query: { staleDays: number; ownerId?: string | undefined; cursor?: string | undefined; limit?: number }, signal?: AbortSignal) =>
    api.get<BookGapsPage>(`${base}/coverage-gaps`, { ...query }, signal),

  deals: (accountId: string, cursor: string | undefined, signal?: AbortSignal) =>
    api.get<OpportunityPage>(`${base}/opportunities`, { accountId, cursor, limit: 50, sort: '-createdAt' }, signal),
};

export const accountKeys = {
  all: ['crm', 'accounts'] as const,
  list: (filters: AccountFilters) => ['crm', 'accounts', 'list', filters] as const,
  account: (id: string) => ['crm', 'accounts', 'one', id] as const,
  /** Everything shown on one account's page (hierarchy, team, contacts, coverage, map, gaps, deals). */
  accountParts: (id: string) => ['crm', 'account', id] as const,
  part: (id: string, part: string, ...rest: unknown[]) => ['crm', 'account', id, part, ...rest] as const,
  contact: (id: string) => ['crm', 'contact', id] as const,
  customerGroups: ['crm', 'customer-groups'] as const,
  bookGaps: (staleDays: number, ownerId: string | undefined) => ['crm', 'book-gaps', staleDays, ownerId ?? 'all'] as const,
};
