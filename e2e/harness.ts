import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

/**
 * Browser tests against the real thing: the server (`npx tsx src/server/main.ts`) on a fresh data
 * directory and free port, seeded with the demo company, and Debian's Chromium via playwright-core.
 * One harness per test file; a new browser context (own cookies, own locale) per test.
 */
export const ROOT = path.resolve(import.meta.dirname, '..');
export const DEMO_PASSWORD = 'Throughline2026';
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const WEB_INDEX = path.join(ROOT, 'dist/web/index.html');

export interface Harness {
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context and page with the given browser language. */
  newPage(locale: string): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Build dist/web when it is missing or older than the web sources (E2E_SKIP_BUILD=1 skips the age check). */
export function ensureWebBundle(): void {
  const missing = !existsSync(WEB_INDEX);
  const stale =
    !missing &&
    process.env['E2E_SKIP_BUILD'] !== '1' &&
    Math.max(newestMtime(path.join(ROOT, 'src/web')), newestMtime(path.join(ROOT, 'src/shared'))) > statSync(WEB_INDEX).mtimeMs;
  if (!missing && !stale) return;
  // NODE_ENV=production: under vitest it is 'test', which would give a development build of React.
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForReady(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // npx → tsx → node: signal the whole process group the child leads.
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startHarness(): Promise<Harness> {
  ensureWebBundle();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'throughline-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn('npx', ['tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let browser: Browser | undefined;
  try {
    await waitForReady(baseUrl, child, () => log);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    });
  } catch (err) {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const b = browser;
  const contexts: BrowserContext[] = [];

  return {
    baseUrl,
    browser: b,
    async newPage(locale) {
      const context = await b.newContext({ locale, baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      return { context, page };
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await b.close().catch(() => undefined);
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sign in through the login page and wait for the app shell. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('app-layout').waitFor();
}

/** Call the API as the page's signed-in user (same cookies), with the CSRF token for unsafe methods. */
export async function apiAs<T>(page: Page, method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const request = page.context().request;
  let headers: Record<string, string> = {};
  if (method !== 'GET') {
    const session = await request.get('/api/v1/auth/session');
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    headers = { 'x-csrf-token': csrfToken, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  }
  const res = await request.fetch(url, { method, headers, ...(body !== undefined ? { data: JSON.stringify(body) } : {}) });
  return { status: res.status(), body: (await res.json()) as T };
}
