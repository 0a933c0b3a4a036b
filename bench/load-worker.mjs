// The load generator, started by bench/http-bench.ts in a worker thread so that it does not share
// the server's event loop (2 cores: one for the server, one for the load). Plain JavaScript so the
// worker needs no TypeScript loader. It posts every response time back because autocannon's own
// histogram has no p95; the percentiles are computed with bench/harness.ts like everywhere else.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** @param {{ url: string, headers: Record<string, string>, connections: number, durationS: number, warmup: boolean }} req */
async function run(req) {
  const samples = [];
  /** @type {Record<string, number>} */
  const statusCodes = {};
  const instance = autocannon({
    url: req.url,
    method: 'GET',
    headers: req.headers,
    connections: req.connections,
    duration: req.durationS,
    timeout: 10,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (!req.warmup) samples.push(responseTime);
  });
  // Inside a worker thread autocannon returns its raw, unaggregated result (it expects to be one of
  // its own workers). Its usual `requests.average` is the mean of the per-second request counts,
  // i.e. completed requests / one-second samples, computed here from the raw fields.
  const result = await instance;
  return {
    req_per_s: result.samples > 0 ? result.totalCompletedRequests / result.samples : 0,
    samplesMs: Float64Array.from(samples),
    requests: result.totalCompletedRequests,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

if (parentPort && workerData?.kind === 'autocannon') {
  const port = parentPort;
  run(workerData.request).then(
    (report) => port.postMessage({ ok: true, report }, [report.samplesMs.buffer]),
    (err) => port.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
}
