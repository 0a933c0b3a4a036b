import type {
  ChangePasswordBody,
  CompanyProfile,
  CreateUserBody,
  ListUsersQuery,
  ManagementChain,
  OrgTree,
  SessionInfo,
  UpdateCompanyProfileBody,
  UpdateMeBody,
  UpdateUserBody,
  User,
  UserPage,
} from '../../../server/modules/org/contract.ts';
import { api } from '../../http/api-client.ts';

/** The org module's endpoints (auth, org chart, people), typed by the server's contract. */
export type UserFilters = Partial<Pick<ListUsersQuery, 'unitId' | 'includeSubunits' | 'role' | 'active' | 'q' | 'sort'>>;

export const orgApi = {
  session: (signal?: AbortSignal) => api.probe<SessionInfo>('/api/v1/auth/session', signal),
  login: (email: string, password: string) =>
    api.post<SessionInfo>('/api/v1/auth/login', { email, password }, { unauthorizedIsAnswer: true }),
  logout: () => api.post<{ ok: true }>('/api/v1/auth/logout', undefined, { unauthorizedIsAnswer: true }),
  updateMe: (body: UpdateMeBody) => api.patch<User>('/api/v1/me', body),
  changePassword: (body: ChangePasswordBody) => api.post<{ ok: true }>('/api/v1/me/password', body),

  orgTree: (asOf?: string, signal?: AbortSignal) => api.get<OrgTree>('/api/v1/org/units', { asOf }, signal),

  listUsers: (filters: UserFilters & { limit?: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<UserPage>('/api/v1/users', { ...filters }, signal),
  user: (id: string, signal?: AbortSignal) => api.get<User>(`/api/v1/users/${encodeURIComponent(id)}`, undefined, signal),
  createUser: (body: Partial<CreateUserBody>, idempotencyKey?: string) => api.create<User>('/api/v1/users', body, idempotencyKey),
  updateUser: (id: string, body: UpdateUserBody) => api.patch<User>(`/api/v1/users/${encodeURIComponent(id)}`, body),
  chain: (id: string, asOf?: string, signal?: AbortSignal) =>
    api.get<ManagementChain>(`/api/v1/users/${encodeURIComponent(id)}/chain`, { asOf }, signal),

  companyProfile: (signal?: AbortSignal) => api.get<CompanyProfile>('/api/v1/org/company-profile', undefined, signal),
  updateCompanyProfile: (body: UpdateCompanyProfileBody) => api.put<CompanyProfile>('/api/v1/org/company-profile', body),
};

export const orgKeys = {
  session: ['session'] as const,
  tree: (asOf?: string) => ['org', 'tree', asOf ?? 'today'] as const,
  users: (filters: UserFilters) => ['org', 'users', filters] as const,
  allUsers: ['org', 'users'] as const,
  user: (id: string) => ['org', 'user', id] as const,
  chain: (id: string, asOf?: string) => ['org', 'chain', id, asOf ?? 'today'] as const,
  companyProfile: ['org', 'company-profile'] as const,
};
