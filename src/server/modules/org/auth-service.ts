import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { isLocale } from '../../../shared/i18n/resources.ts';
import type { Scope } from '../../../shared/roles.ts';
import { assertCan, getPermissionCatalog, scopeFor } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { type Db, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound } from '../../platform/errors.ts';
import type { Authenticated } from '../../platform/http.ts';
import { newId } from '../../platform/ids.ts';
import type { ApiToken, ChangePasswordBody, CreateApiTokenBody, SessionInfo, UpdateMeBody, User } from './contract.ts';
import { OrgErrors } from './errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { isStrongPassword } from './org.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from './password.ts';
import { OrgPermissions } from './permissions.ts';
import { apiTokens, sessions, users } from './schema.ts';
import { invalidatePrincipals, principalGeneration, PRINCIPAL_TTL_MS } from './principal-cache.ts';
import { getSubtreeUnitIds, getUser, toUser } from './service.ts';

export const SESSION_COOKIE = 'tl_session';
export const TOKEN_PREFIX = 'tl_';

export interface AuthSettings {
  sessionTtlHours: number;
  throttle: LoginThrottle;
}

type UserRow = typeof users.$inferSelect;

/** What an Actor needs of a user: the authenticator reads only these columns. */
type PrincipalRow = Pick<UserRow, 'id' | 'roles' | 'unitId' | 'locale' | 'timeZone'>;

async function toActor(db: Db, user: PrincipalRow, via: Actor['via'], sessionId?: string): Promise<Actor> {
  return {
    userId: user.id,
    roles: user.roles,
    unitId: user.unitId,
    subtreeUnitIds: user.unitId ? await getSubtreeUnitIds(db, user.unitId) : [],
    locale: isLocale(user.locale) ? user.locale : 'zh-CN',
    timeZone: user.timeZone,
    via,
    ...(sessionId ? { sessionId } : {}),
  };
}

// A hash to compare against when the email is unknown, so a miss costs the same time as a hit.
let dummyHash: Promise<string> | undefined;

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  info: SessionInfo;
}

export async function login(
  db: Db,
  settings: AuthSettings,
  input: { email: string; password: string; ip: string; userAgent: string | undefined; now: Date },
): Promise<LoginResult> {
  const throttleKey = `${input.email.toLowerCase()}|${input.ip}`;
  const wait = settings.throttle.retryAfterSeconds(throttleKey, input.now.getTime());
  if (wait > 0) throw new AppError(PlatformErrors.rate_limited, { params: { retryAfter: wait }, extra: { retryAfter: wait } });

  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${input.email})`);
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyPassword(input.password, await (dummyHash ??= hashPassword('not-a-real-password-0')));
  if (!user || !ok || !user.active) {
    settings.throttle.recordFailure(throttleKey, input.now.getTime());
    throw new AppError(OrgErrors.invalid_credentials);
  }
  settings.throttle.reset(throttleKey);

  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(input.now.getTime() + settings.sessionTtlHours * 3600_000);
  await withTx(db, async (tx) => {
    await tx.insert(sessions).values({
      tokenHash: hashToken(token),
      userId: user.id,
      csrfToken,
      expiresAt,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await tx.update(users).set({ lastLoginAt: input.now }).where(eq(users.id, user.id));
    // Sessions that ran out are of no use to anyone: sweep the user's own on each login.
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), sql`${sessions.expiresAt} < ${input.now}`));
    await writeAudit(tx, { actorId: user.id, requestId: null }, { entityType: 'user', entityId: user.id, action: 'login', changes: {} });
  });
  const actor = await toActor(db, user, 'session');
  return { token, csrfToken, expiresAt, info: sessionInfo(toUser({ ...user, lastLoginAt: input.now }), actor, csrfToken) };
}

export function sessionInfo(user: User, actor: Actor, csrfToken: string | null): SessionInfo {
  const permissions: Record<string, Scope> = {};
  for (const action of getPermissionCatalog().keys()) {
    const s = scopeFor(actor, action);
    if (s) permissions[action] = s;
  }
  return { user, csrfToken, permissions };
}

export async function logout(db: Db, sessionToken: string | undefined): Promise<void> {
  if (!sessionToken) return;
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(sessionToken)));
  invalidatePrincipals();
}

/** A principal as the authenticator keeps it between requests (principal-cache.ts). */
interface CachedToken {
  at: number;
  generation: number;
  tokenId: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  actor: Actor;
}

interface CachedSession {
  at: number;
  generation: number;
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
  actor: Actor;
}

/** Entries a cache may hold before the expired ones are swept (and all of them dropped if that is not enough). */
const PRINCIPAL_CACHE_MAX = 10_000;

function remember<T extends { at: number }>(cache: Map<string, T>, key: string, entry: T, nowMs: number, ttlMs: number): void {
  if (cache.size >= PRINCIPAL_CACHE_MAX) {
    for (const [k, e] of cache) if (nowMs - e.at >= ttlMs) cache.delete(k);
    if (cache.size >= PRINCIPAL_CACHE_MAX) cache.clear();
  }
  cache.set(key, entry);
}

export interface AuthenticatorOptions {
  /** The clock, in epoch milliseconds (tests inject one). */
  now?: () => number;
  /** How long a principal is kept (default PRINCIPAL_TTL_MS; 0 turns the cache off). */
  principalTtlMs?: number;
}

/**
 * The authenticator the HTTP layer calls on every /api request: a Bearer API token or the session
 * cookie. An expired or unknown session is no session (401 on routes that need one); an expired
 * session is reported as such so the UI can say so.
 *
 * A token or session that passed is kept for a few seconds with its Actor (principal-cache.ts,
 * decision 0012): within that time a request costs no query. Expiry, revocation and the
 * last-used/last-seen bookkeeping are checked on every request as before; what could change in the
 * database (revoked, logged out, roles, unit, active) is seen at once in this process, because
 * those writes call invalidatePrincipals(), and within the TTL from another process.
 */
export function createAuthenticator(db: Db, opts: AuthenticatorOptions = {}): (req: FastifyRequest) => Promise<Authenticated | null> {
  const clock = opts.now ?? Date.now;
  const ttlMs = opts.principalTtlMs ?? PRINCIPAL_TTL_MS;
  // Every API request that misses the cache runs one of these: prepared once and narrowed to what
  // an Actor needs, they cost a quarter less CPU per request than ad-hoc selects of whole rows
  // (bench users-list, docs/benchmarks.md). Named statements need session pooling (PgBouncer:
  // max_prepared_statements).
  const principal = { id: users.id, roles: users.roles, unitId: users.unitId, locale: users.locale, timeZone: users.timeZone, active: users.active };
  const tokenLookup = db
    .select({
      token: { id: apiTokens.id, revokedAt: apiTokens.revokedAt, expiresAt: apiTokens.expiresAt, lastUsedAt: apiTokens.lastUsedAt },
      user: principal,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, sql.placeholder('hash')))
    .prepare('auth_token_lookup');
  const sessionLookup = db
    .select({
      session: { tokenHash: sessions.tokenHash, csrfToken: sessions.csrfToken, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt },
      user: principal,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, sql.placeholder('hash')))
    .prepare('auth_session_lookup');
  // Keyed by the token's hash (the secret itself is not kept). Each request gets its own copy of the
  // Actor: per-request memos are keyed by the Actor object (crm-access.ts's team accounts), so a
  // shared one would carry them from one request to the next.
  const tokens = new Map<string, CachedToken>();
  const sessionsByHash = new Map<string, CachedSession>();
  const fresh = (e: { at: number; generation: number } | undefined, nowMs: number): boolean =>
    e !== undefined && e.generation === principalGeneration() && nowMs - e.at < ttlMs;

  async function tokenPrincipal(hash: string, nowMs: number, now: Date): Promise<CachedToken> {
    const cached = tokens.get(hash);
    if (cached && fresh(cached, nowMs)) {
      if (cached.expiresAt && cached.expiresAt <= now) {
        tokens.delete(hash);
        throw new AppError(OrgErrors.token_revoked);
      }
      return cached;
    }
    tokens.delete(hash);
    const generation = principalGeneration();
    const [row] = await tokenLookup.execute({ hash });
    if (!row || !row.user.active) throw new AppError(PlatformErrors.unauthenticated);
    if (row.token.revokedAt || (row.token.expiresAt && row.token.expiresAt <= now)) throw new AppError(OrgErrors.token_revoked);
    const entry: CachedToken = {
      at: nowMs,
      generation,
      tokenId: row.token.id,
      expiresAt: row.token.expiresAt,
      lastUsedAt: row.token.lastUsedAt,
      actor: Object.freeze(await toActor(db, row.user, 'token')),
    };
    // A write that committed while this lookup ran bumped the generation: do not keep what it read.
    if (ttlMs > 0 && generation === principalGeneration()) remember(tokens, hash, entry, nowMs, ttlMs);
    return entry;
  }

  /** The session's principal, or null for no (usable) session; throws session_expired where the original did. */
  async function sessionPrincipal(req: FastifyRequest, hash: string, nowMs: number, now: Date): Promise<CachedSession | null> {
    const cached = sessionsByHash.get(hash);
    if (cached && fresh(cached, nowMs) && cached.expiresAt > now) return cached;
    sessionsByHash.delete(hash);
    const generation = principalGeneration();
    const [row] = await sessionLookup.execute({ hash });
    if (!row || !row.user.active) return null;
    if (row.session.expiresAt <= now) {
      await db.delete(sessions).where(eq(sessions.tokenHash, row.session.tokenHash));
      if (isPublicAuthRoute(req)) return null;
      throw new AppError(PlatformErrors.session_expired);
    }
    const entry: CachedSession = {
      at: nowMs,
      generation,
      tokenHash: row.session.tokenHash,
      csrfToken: row.session.csrfToken,
      expiresAt: row.session.expiresAt,
      lastSeenAt: row.session.lastSeenAt,
      actor: Object.freeze(await toActor(db, row.user, 'session', row.session.tokenHash)),
    };
    if (ttlMs > 0 && generation === principalGeneration()) remember(sessionsByHash, hash, entry, nowMs, ttlMs);
    return entry;
  }

  return async (req) => {
    const nowMs = clock();
    const now = new Date(nowMs);
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const p = await tokenPrincipal(hashToken(header.slice(7).trim()), nowMs, now);
      if (!p.lastUsedAt || nowMs - p.lastUsedAt.getTime() > 60_000) {
        p.lastUsedAt = now;
        await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, p.tokenId));
      }
      return { actor: { ...p.actor } };
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (!cookie) return null;
    const p = await sessionPrincipal(req, hashToken(cookie), nowMs, now);
    if (!p) return null;
    if (nowMs - p.lastSeenAt.getTime() > 60_000) {
      p.lastSeenAt = now;
      await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, p.tokenHash));
    }
    return { actor: { ...p.actor }, csrfToken: p.csrfToken };
  };
}

function isPublicAuthRoute(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/v1/auth/login') || req.url.startsWith('/api/v1/auth/logout');
}

export async function getSessionInfo(ctx: ServiceContext, csrfToken: string | null): Promise<SessionInfo> {
  const [row] = await ctx.db.select().from(users).where(eq(users.id, ctx.actor.userId));
  if (!row) throw new AppError(PlatformErrors.unauthenticated);
  return sessionInfo(toUser(row), ctx.actor, csrfToken);
}

export async function updateMe(ctx: ServiceContext, body: UpdateMeBody): Promise<User> {
  const user = await withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.id, ctx.actor.userId));
    if (!before) throw new AppError(PlatformErrors.unauthenticated);
    const [after] = await tx
      .update(users)
      .set({
        ...(body.locale ? { locale: body.locale } : {}),
        ...(body.timeZone ? { timeZone: body.timeZone } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(eq(users.id, before.id))
      .returning();
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'user',
      entityId: before.id,
      action: 'update_preferences',
      changes: diffRecords(before, after!),
    });
    return toUser(after!);
  });
  // The Actor carries the locale and time zone.
  invalidatePrincipals();
  return user;
}

export async function changePassword(ctx: ServiceContext, body: ChangePasswordBody): Promise<void> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, ctx.actor.userId));
  if (!user) throw new AppError(PlatformErrors.unauthenticated);
  if (!(await verifyPassword(body.currentPassword, user.passwordHash))) {
    throw new AppError(OrgErrors.wrong_password, { errors: [{ path: 'currentPassword', message: 'v:wrong_password' }] });
  }
  if (!isStrongPassword(body.newPassword, user.email)) {
    throw new AppError(OrgErrors.password_too_weak, { errors: [{ path: 'newPassword', message: 'v:password_weak' }] });
  }
  const passwordHash = await hashPassword(body.newPassword);
  await withTx(ctx.db, async (tx) => {
    await tx.update(users).set({ passwordHash, version: user.version + 1, updatedAt: ctx.now }).where(eq(users.id, user.id));
    // Every other session of this user ends; the current one stays signed in.
    await tx.execute(
      sql`DELETE FROM sessions WHERE user_id = ${user.id} AND token_hash <> ${ctx.actor.sessionId ?? ''}`,
    );
    await writeAudit(tx, { actorId: user.id, requestId: ctx.requestId }, {
      entityType: 'user',
      entityId: user.id,
      action: 'change_password',
      changes: { passwordHash: ['[redacted]', '[redacted]'] },
    });
  });
  invalidatePrincipals();
}

// ---------------------------------------------------------------------------------------------
// API tokens: issued by an admin for a user (machine clients act as that user, within their scope).

function toApiToken(row: typeof apiTokens.$inferSelect): ApiToken {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export async function listApiTokens(ctx: ServiceContext, userId: string): Promise<ApiToken[]> {
  await getUser(ctx, userId);
  assertCan(ctx.actor, OrgPermissions['users.tokens']);
  const rows = await ctx.db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
  return rows.map(toApiToken);
}

export async function createApiToken(ctx: ServiceContext, userId: string, body: CreateApiTokenBody): Promise<ApiToken & { token: string }> {
  await getUser(ctx, userId);
  assertCan(ctx.actor, OrgPermissions['users.tokens']);
  const token = newToken(TOKEN_PREFIX);
  return withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        id: newId(),
        userId,
        name: body.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, 10),
        createdBy: ctx.actor.userId,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
      })
      .returning();
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'api_token',
      entityId: row!.id,
      action: 'create',
      changes: { userId: [null, userId], name: [null, body.name] },
    });
    return { ...toApiToken(row!), token };
  });
}

export async function revokeApiToken(ctx: ServiceContext, userId: string, tokenId: string): Promise<ApiToken> {
  await getUser(ctx, userId);
  assertCan(ctx.actor, OrgPermissions['users.tokens']);
  const revoked = await withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: ctx.now })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx.select().from(apiTokens).where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)));
      if (!existing) throw notFound('api token');
      return toApiToken(existing);
    }
    await writeAudit(tx, { actorId: ctx.actor.userId, requestId: ctx.requestId }, {
      entityType: 'api_token',
      entityId: tokenId,
      action: 'revoke',
      changes: { revokedAt: [null, ctx.now.toISOString()] },
    });
    return toApiToken(row);
  });
  invalidatePrincipals();
  return revoked;
}

/** Delete sessions that ran out (called periodically). */
export async function sweepExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(sessions).where(sql`${sessions.expiresAt} < ${now}`);
}

