import type { ApiRouter } from '../../platform/http.ts';
import {
  ApiTokenList,
  ApiToken,
  ChainQuery,
  ChangePasswordBody,
  CompanyProfile,
  CreateApiTokenBody,
  CreatedApiToken,
  CreateUnitBody,
  CreateUserBody,
  IdParams,
  ListUsersQuery,
  LoginBody,
  ManagementChain,
  Ok,
  OrgTree,
  OrgTreeQuery,
  OrgUnit,
  SessionInfo,
  TokenParams,
  UpdateCompanyProfileBody,
  UpdateMeBody,
  UpdateUnitBody,
  UpdateUserBody,
  User,
  UserPage,
} from './contract.ts';
import {
  type AuthSettings,
  SESSION_COOKIE,
  changePassword,
  createApiToken,
  getSessionInfo,
  listApiTokens,
  login,
  logout,
  revokeApiToken,
  updateMe,
} from './auth-service.ts';
import {
  createUnit,
  createUser,
  getCompanyProfile,
  getManagementChain,
  getOrgTree,
  getUser,
  listUsers,
  updateCompanyProfile,
  updateUnit,
  updateUser,
} from './service.ts';

const tags = ['org'];

export function registerOrgRoutes(router: ApiRouter, settings: AuthSettings & { cookieSecure: boolean }): void {
  router.route({
    method: 'POST',
    url: '/api/v1/auth/login',
    summary: 'Sign in with email and password; sets the session cookie',
    tags: ['auth'],
    auth: 'none',
    body: LoginBody,
    response: SessionInfo,
    handler: async (ctx, { body }, req, reply) => {
      const result = await login(ctx.db, settings, {
        email: body.email,
        password: body.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        now: ctx.now,
      });
      void reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.cookieSecure,
        expires: result.expiresAt,
      });
      return result.info;
    },
  });

  router.route({
    method: 'POST',
    url: '/api/v1/auth/logout',
    summary: 'Sign out: ends the session',
    tags: ['auth'],
    auth: 'optional',
    response: Ok,
    handler: async (ctx, _input, req, reply) => {
      await logout(ctx.db, req.cookies[SESSION_COOKIE]);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/auth/session',
    summary: 'The signed-in user, their permissions and the CSRF token',
    tags: ['auth'],
    response: SessionInfo,
    handler: (ctx) => getSessionInfo(ctx, ctx.auth?.csrfToken ?? null),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/me',
    summary: 'Change my language or time zone',
    tags: ['auth'],
    body: UpdateMeBody,
    response: User,
    handler: (ctx, { body }) => updateMe(ctx, body),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/me/password',
    summary: 'Change my password (other sessions end)',
    tags: ['auth'],
    body: ChangePasswordBody,
    response: Ok,
    handler: async (ctx, { body }) => {
      await changePassword(ctx, body);
      return { ok: true as const };
    },
  });

  router.route({
    method: 'GET',
    url: '/api/v1/org/units',
    summary: 'The org chart, today or as of a date',
    tags,
    query: OrgTreeQuery,
    response: OrgTree,
    handler: (ctx, { query }) => getOrgTree(ctx, query.asOf),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/org/units',
    summary: 'Create an org unit',
    tags,
    idempotent: true,
    body: CreateUnitBody,
    response: OrgUnit,
    handler: (ctx, { body }) => createUnit(ctx, body),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/org/units/:id',
    summary: 'Rename, move (effective-dated), set the head of, or close an org unit',
    tags,
    params: IdParams,
    body: UpdateUnitBody,
    response: OrgUnit,
    handler: (ctx, { params, body }) => updateUnit(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/org/company-profile',
    summary: 'The company profile printed as the seller on documents, with the company names (the root unit’s)',
    tags,
    response: CompanyProfile,
    handler: (ctx) => getCompanyProfile(ctx),
  });

  router.route({
    method: 'PUT',
    url: '/api/v1/org/company-profile',
    summary: 'Replace the company profile (admins); `version` is the one read',
    tags,
    body: UpdateCompanyProfileBody,
    response: CompanyProfile,
    handler: (ctx, { body }) => updateCompanyProfile(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/users',
    summary: 'People visible to me (by scope), filtered and sorted, cursor-paginated',
    tags,
    query: ListUsersQuery,
    response: UserPage,
    handler: (ctx, { query }) => listUsers(ctx, query),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/users',
    summary: 'Create a user',
    tags,
    idempotent: true,
    body: CreateUserBody,
    response: User,
    handler: (ctx, { body }) => createUser(ctx, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/users/:id',
    summary: 'One user (404 outside my scope)',
    tags,
    params: IdParams,
    response: User,
    handler: (ctx, { params }) => getUser(ctx, params.id),
  });

  router.route({
    method: 'PATCH',
    url: '/api/v1/users/:id',
    summary: 'Update a user: details, roles, placement (effective-dated), active flag',
    tags,
    params: IdParams,
    body: UpdateUserBody,
    response: User,
    handler: (ctx, { params, body }) => updateUser(ctx, params.id, body),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/users/:id/chain',
    summary: "A person's managers and units as of a date",
    tags,
    params: IdParams,
    query: ChainQuery,
    response: ManagementChain,
    handler: (ctx, { params, query }) => getManagementChain(ctx, params.id, query.asOf),
  });

  router.route({
    method: 'GET',
    url: '/api/v1/users/:id/api-tokens',
    summary: "A user's API tokens (never the secrets)",
    tags,
    params: IdParams,
    response: ApiTokenList,
    handler: async (ctx, { params }) => ({ items: await listApiTokens(ctx, params.id) }),
  });

  router.route({
    method: 'POST',
    url: '/api/v1/users/:id/api-tokens',
    summary: 'Issue an API token for a user; the secret is shown once',
    tags,
    idempotent: true,
    params: IdParams,
    body: CreateApiTokenBody,
    response: CreatedApiToken,
    handler: (ctx, { params, body }) => createApiToken(ctx, params.id, body),
  });

  router.route({
    method: 'DELETE',
    url: '/api/v1/users/:id/api-tokens/:tokenId',
    summary: 'Revoke an API token',
    tags,
    params: TokenParams,
    response: ApiToken,
    handler: (ctx, { params }) => revokeApiToken(ctx, params.id, params.tokenId),
  });
}
