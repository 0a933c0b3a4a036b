import type { Benchmark } from './harness.ts';
import { getJson, loadSettings, measureCases, withBenchServer } from './http-bench.ts';

/**
 * GET /health: the floor of the HTTP stack (Fastify, the platform's request hooks, JSON), with no
 * database work. Every other route's figures read against this one.
 */
export const databases = ['pg', 'pglite'] as const;

const health: Benchmark = async (ctx) =>
  withBenchServer(ctx, 'health', {}, async ({ baseUrl, label, data }) => {
    const url = `${baseUrl}/health`;
    const body = await getJson<{ status: string }>(url);
    if (body.status !== 'ok') throw new Error(`/health answered ${JSON.stringify(body)}`);
    const { health } = await measureCases({ health: { url } }, loadSettings(ctx));
    return { database: label, data, metrics: health.metrics };
  });

export default health;
