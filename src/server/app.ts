import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { registerPlatformRoutes } from './platform/admin-routes.ts';
import type { Database } from './platform/db.ts';
import { ApiRouter, buildOpenApi, installHttpPlumbing } from './platform/http.ts';
import { OutboxDispatcher } from './platform/outbox.ts';
import { registerModules } from './modules/index.ts';
import { failInterruptedImports } from './modules/crm/import-service.ts';
import { createAuthenticator } from './modules/org/auth-service.ts';
import { LoginThrottle } from './modules/org/login-throttle.ts';
import { getUserNames } from './modules/org/service.ts';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export interface App {
  server: FastifyInstance;
  router: ApiRouter;
  outbox: OutboxDispatcher;
  database: Database;
  close(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  database: Database;
  /** Start the event dispatcher's polling loop (tests drain it by hand instead). */
  startOutbox?: boolean;
  /** Serve the built web app from dist/web. */
  serveWeb?: boolean;
  /** Where structured logs go (stdout by default); tests capture them here. */
  logStream?: NodeJS.WritableStream;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'];

export async function buildApp(opts: BuildOptions): Promise<App> {
  const { config, database } = opts;
  const server = Fastify({
    logger:
      config.LOG_LEVEL === 'silent'
        ? false
        : { level: config.LOG_LEVEL, redact: { paths: REDACT, censor: '[redacted]' }, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    routerOptions: { ignoreTrailingSlash: true },
  });

  const outbox = new OutboxDispatcher(database.db, server.log, config.OUTBOX_POLL_MS);
  await server.register(cookie);
  const serveWeb = !!opts.serveWeb && existsSync(WEB_DIST);
  installHttpPlumbing(server, createAuthenticator(database.db), {
    // The web app routes on the client: a non-API GET that is not a file gets index.html.
    ...(serveWeb ? { onPageNotFound: (_req, reply) => reply.sendFile('index.html') } : {}),
  });

  const router = new ApiRouter(server, {
    db: database.db,
    validateResponses: config.NODE_ENV !== 'production',
    afterWrite: () => outbox.nudge(),
  });
  registerPlatformRoutes(router, { names: getUserNames, drainOutbox: () => outbox.nudge() });
  registerModules(router, {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    throttle: new LoginThrottle(config.LOGIN_MAX_FAILURES, config.LOGIN_WINDOW_MINUTES * 60_000),
    cookieSecure: config.COOKIE_SECURE,
  });

  server.get('/health', async () => ({ status: 'ok' }));
  server.get('/ready', async (_req, reply) => {
    try {
      await database.db.execute(sql`SELECT 1`);
      return { status: 'ready', database: database.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  let openapi: Record<string, unknown> | undefined;
  server.get('/api/docs', async () => (openapi ??= buildOpenApi(router.routes, { title: 'Throughline API', version: '1' })));

  if (serveWeb) {
    await server.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: 'index.html' });
  }

  if (opts.startOutbox) {
    outbox.start();
    // Imports a stopped server left `running`: with the embedded database no other process can be running them.
    await failInterruptedImports(database.db, database.kind === 'pglite' ? { staleBefore: new Date() } : {}).catch((err: unknown) =>
      server.log.error({ err }, 'ending interrupted imports failed'),
    );
  }
  return {
    server,
    router,
    outbox,
    database,
    close: async () => {
      await outbox.stop();
      await server.close();
    },
  };
}
