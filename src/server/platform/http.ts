import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Locale, localeFromAcceptLanguage } from '../../shared/i18n/resources.ts';
import type { Actor, ServiceContext } from './context.ts';
import type { Db } from './db.ts';
import { AppError, type FieldError, PlatformErrors, getErrorCatalog } from './errors.ts';
import { translate } from './i18n.ts';
import { idempotencyKeys } from './schema.ts';

/**
 * HTTP plumbing shared by every module: one way to declare a route (Zod in, Zod out, recorded for
 * the OpenAPI document), one error handler (RFC 9457 problem+json), request ids, locale,
 * authentication, CSRF and idempotency.
 */

export interface Authenticated {
  actor: Actor;
  /** Present for cookie sessions: unsafe methods must echo it in the X-CSRF-Token header. */
  csrfToken?: string;
}

/** Resolves the principal of a request (cookie session or API token), or null. Supplied by the org module. */
export type Authenticator = (req: FastifyRequest) => Promise<Authenticated | null>;

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    auth: Authenticated | null;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tags: string[];
  /** 'required' (default): 401 without a session or token. 'optional': runs either way. 'none': never looks. */
  auth?: 'required' | 'optional' | 'none';
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Success status: 200 by default, 201 for creations, 204 with no body. */
  status?: 200 | 201 | 202 | 204;
  /** Creating POSTs: honour Idempotency-Key (replay on the same body, 422 on another). */
  idempotent?: boolean;
  /** Largest request body in bytes, when the app default (1 MiB) is too small (file uploads). */
  bodyLimit?: number;
  handler: (
    ctx: RouteContext,
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    req: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<z.input<R> | z.output<R>>;
}

/** What a handler receives: the service context when signed in (`ctx.actor` throws otherwise). */
export interface RouteContext extends Omit<ServiceContext, 'actor'> {
  actor: Actor;
  locale: Locale;
  auth: Authenticated | null;
}

interface RecordedRoute {
  method: Method;
  url: string;
  summary: string;
  tags: string[];
  auth: 'required' | 'optional' | 'none';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  status: number;
  idempotent: boolean;
}

export interface HttpDeps {
  db: Db;
  validateResponses: boolean;
  /** Called after a request that may have published events, so they are delivered promptly. */
  afterWrite?: () => void;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiRouter {
  readonly routes: RecordedRoute[] = [];
  constructor(
    private readonly app: FastifyInstance,
    private readonly deps: HttpDeps,
  ) {}

  route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodType>(
    spec: RouteSpec<P, Q, B, R>,
  ): void {
    const auth = spec.auth ?? 'required';
    const status = spec.status ?? (spec.method === 'POST' && spec.idempotent ? 201 : 200);
    this.routes.push({
      method: spec.method,
      url: spec.url,
      summary: spec.summary,
      tags: spec.tags,
      auth,
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
      response: spec.response,
      status,
      idempotent: spec.idempotent ?? false,
    });
    const deps = this.deps;
    this.app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      handler: async (req, reply) => {
        if (auth === 'required' && !req.auth) throw new AppError(PlatformErrors.unauthenticated);
        if (req.auth && !SAFE_METHODS.has(req.method) && req.auth.csrfToken !== undefined) {
          const sent = req.headers['x-csrf-token'];
          if (typeof sent !== 'string' || !timingSafeEqualString(sent, req.auth.csrfToken)) {
            throw new AppError(PlatformErrors.csrf_failed);
          }
        }
        const locale = req.locale;
        const input = {
          params: spec.params ? parseOrThrow(spec.params, req.params, 'params', locale) : undefined,
          query: spec.query ? parseOrThrow(spec.query, req.query ?? {}, 'query', locale) : undefined,
          body: spec.body ? parseOrThrow(spec.body, req.body, '', locale) : undefined,
        } as { params: z.output<P>; query: z.output<Q>; body: z.output<B> };
        if (!spec.body && req.body !== undefined && req.body !== null && spec.method !== 'GET' && spec.method !== 'DELETE') {
          // A body where none is expected is a client mistake worth saying, not something to ignore.
          if (!(typeof req.body === 'object' && Object.keys(req.body as object).length === 0)) {
            throw validationError([{ path: '', message: 'v:unknown_field' }], locale);
          }
        }
        const ctx: RouteContext = {
          db: deps.db,
          get actor(): Actor {
            if (!req.auth) throw new AppError(PlatformErrors.unauthenticated);
            return req.auth.actor;
          },
          auth: req.auth,
          locale,
          requestId: String(req.id),
          now: new Date(),
        };

        const idemKey = spec.idempotent ? req.headers['idempotency-key'] : undefined;
        if (typeof idemKey === 'string' && idemKey.length > 0) {
          return runIdempotent(deps.db, ctx, req, reply, idemKey, status, async () => {
            const result = await spec.handler(ctx, input, req, reply);
            return serialize(spec.response, result, deps.validateResponses);
          });
        }
        const result = await spec.handler(ctx, input, req, reply);
        if (!SAFE_METHODS.has(req.method)) deps.afterWrite?.();
        if (status === 204) return reply.code(204).send();
        return reply.code(status).send(serialize(spec.response, result, deps.validateResponses));
      },
    });
  }
}

function serialize(schema: z.ZodType, value: unknown, validate: boolean): unknown {
  if (!validate) return value;
  const res = schema.safeParse(value);
  if (!res.success) {
    throw new Error(`response does not match its schema: ${JSON.stringify(res.error.issues.slice(0, 5))}`);
  }
  return value;
}

function timingSafeEqualString(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return ha.equals(hb) && a.length === b.length;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,200}$/;

async function runIdempotent(
  db: Db,
  ctx: RouteContext,
  req: FastifyRequest,
  reply: FastifyReply,
  key: string,
  status: number,
  run: () => Promise<unknown>,
): Promise<FastifyReply> {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw validationError([{ path: 'headers.idempotency-key', message: 'v:idempotency_key' }], ctx.locale);
  }
  const principal = ctx.actor.userId;
  const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
  const hash = createHash('sha256')
    .update(`${route}\n${req.url}\n${canonicalJson(req.body)}`)
    .digest('hex');
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ principal, key, route, requestHash: hash, status: 'in_progress' })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) {
    const [existing] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
    if (!existing || existing.requestHash !== hash) throw new AppError(PlatformErrors.idempotency_key_reused);
    if (existing.status !== 'completed') throw new AppError(PlatformErrors.idempotency_in_progress);
    return reply
      .code(existing.responseStatus ?? 200)
      .header('idempotent-replayed', 'true')
      .send(existing.responseBody);
  }
  let body: unknown;
  try {
    body = await run();
  } catch (err) {
    // The change rolled back, so the key is free again for a corrected retry.
    await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
    throw err;
  }
  await db
    .update(idempotencyKeys)
    .set({ status: 'completed', responseStatus: status, responseBody: body ?? null })
    .where(and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, key)));
  return reply.code(status).send(body);
}

/** JSON with sorted keys, so the same body in another key order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  en: z.locales.en().localeError,
  'zh-CN': z.locales.zhCN().localeError,
};

/** Parse request input, or throw a 400 listing every field with a message in the user's language. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string, locale: Locale): z.output<S> {
  const res = schema.safeParse(value, { error: zodLocales[locale] });
  if (res.success) return res.data;
  const errors: FieldError[] = [];
  for (const issue of res.error.issues) {
    const base = [where, ...issue.path.map(String)].filter((s) => s !== '');
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) errors.push({ path: [...base, k].join('.'), message: 'v:unknown_field' });
    } else {
      errors.push({ path: base.join('.'), message: issue.message });
    }
  }
  throw validationError(errors, locale);
}

export function validationError(errors: FieldError[], _locale?: Locale): AppError {
  return new AppError(PlatformErrors.validation, { errors, params: { count: errors.length } });
}

/** Translate `v:key` messages from the validation catalogue; other messages are already localized. */
function localizeFieldMessage(message: string, locale: Locale): string {
  if (!message.startsWith('v:')) return message;
  return translate(locale, 'validation', message.slice(2)) ?? message.slice(2);
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function toProblem(err: AppError, locale: Locale, requestId: string): ProblemDocument {
  const title = translate(locale, 'errors', `${err.code}.title`) ?? err.code;
  const detail =
    err.options.detail ?? translate(locale, 'errors', `${err.code}.detail`, { requestId, ...(err.options.params ?? {}) });
  return {
    ...(err.options.extra ?? {}),
    type: `urn:throughline:problem:${err.code}`,
    title,
    status: err.status,
    ...(detail !== undefined ? { detail } : {}),
    code: err.code,
    requestId,
    ...(err.options.errors
      ? { errors: err.options.errors.map((e) => ({ path: e.path, message: localizeFieldMessage(e.message, locale) })) }
      : {}),
  };
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  detail?: string;
  table?: string;
}

/** Database errors that are the client's doing, mapped to their problem; everything else stays a 500. */
function fromDatabaseError(err: unknown): AppError | undefined {
  const e = (err as { cause?: PgErrorLike }).cause ?? (err as PgErrorLike);
  switch (e?.code) {
    case '23505':
      return new AppError(PlatformErrors.unique_violation, {
        ...(e.constraint ? { extra: { constraint: e.constraint } } : {}),
      });
    case '23503':
      // Deleting a referenced row → 409; inserting a dangling reference → 422.
      return e.detail?.includes('is still referenced')
        ? new AppError(PlatformErrors.reference_in_use)
        : new AppError(PlatformErrors.reference_invalid, { ...(e.constraint ? { extra: { constraint: e.constraint } } : {}) });
    default:
      return undefined;
  }
}

/** Install request ids, locale, authentication and the one error handler. */
export function installHttpPlumbing(
  app: FastifyInstance,
  authenticate: Authenticator,
  opts: { onPageNotFound?: (req: FastifyRequest, reply: FastifyReply) => unknown } = {},
): void {
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
    req.locale = localeFromAcceptLanguage(req.headers['accept-language']);
    if (req.url.startsWith('/api/')) {
      req.auth = await authenticate(req);
      // A signed-in user's own language setting wins over the browser's.
      if (req.auth) req.locale = req.auth.actor.locale;
    }
  });

  app.setNotFoundHandler((req, reply) => {
    if (!req.url.startsWith('/api/')) {
      if (opts.onPageNotFound && req.method === 'GET') return opts.onPageNotFound(req, reply);
      return reply.code(404).type('text/plain').send('Not found');
    }
    const err = new AppError(PlatformErrors.route_not_found, { detail: `${req.method} ${req.url.split('?')[0]}` });
    return reply.code(404).type('application/problem+json').send(toProblem(err, req.locale, String(req.id)));
  });

  app.setErrorHandler((error, req, reply) => {
    const fe = error as { code?: string; statusCode?: number };
    let appErr: AppError | undefined;
    if (error instanceof AppError) appErr = error;
    else if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && fe.statusCode === 400))
      appErr = new AppError(PlatformErrors.malformed_json);
    else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') appErr = new AppError(PlatformErrors.payload_too_large);
    else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') appErr = new AppError(PlatformErrors.unsupported_media_type);
    else if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') appErr = new AppError(PlatformErrors.malformed_json);
    else if (fe.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') appErr = new AppError(PlatformErrors.malformed_json);
    else appErr = fromDatabaseError(error);

    if (!appErr) {
      req.log.error({ err: error }, 'unhandled error');
      appErr = new AppError(PlatformErrors.internal);
    } else if (appErr.status >= 500) {
      req.log.error({ err: error }, 'server error');
    }
    const problem = toProblem(appErr, req.locale, String(req.id));
    if (appErr.code === PlatformErrors.rate_limited && typeof problem['retryAfter'] === 'number') {
      void reply.header('retry-after', String(problem['retryAfter']));
    }
    return reply.code(appErr.status).type('application/problem+json').send(problem);
  });
}

/** The OpenAPI 3.1 document of every route declared through an ApiRouter. */
export function buildOpenApi(routes: readonly RecordedRoute[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const toSchema = (s: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  for (const r of routes) {
    const oaPath = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    if (r.idempotent) {
      parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 8, maxLength: 200 } });
    }
    const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    const responses: Record<string, unknown> = {
      [String(r.status)]:
        r.status === 204
          ? { description: 'No content' }
          : { description: 'OK', content: { 'application/json': { schema: toSchema(r.response, 'output') } } },
      default: { description: 'Problem (RFC 9457)', content: problem },
    };
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: r.tags,
      operationId: `${r.method.toLowerCase()}${oaPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters,
      responses,
      ...(r.auth === 'required' ? { security: [{ session: [] }, { token: [] }] } : {}),
    };
    if (r.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } };
    (paths[oaPath] ??= {})[r.method.toLowerCase()] = op;
  }
  const codes = [...getErrorCatalog().keys()].sort();
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'tl_session', description: 'Browser session; unsafe methods need X-CSRF-Token.' },
        token: { type: 'http', scheme: 'bearer', description: 'API token issued by an admin.' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'requestId'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string', enum: codes },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
