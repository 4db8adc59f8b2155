// A small closed-loop HTTP load generator: `connections` workers each send one request, wait for the
// whole response, record its latency and send the next, for `durationMs` after a warm-up. Loopback only.
import http from 'node:http';

/** Percentile of an ascending array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function once(agent, url, body, headers) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          let ok = res.statusCode === 200;
          if (ok) {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              ok = !parsed.errors && parsed.data != null;
            } catch {
              ok = false;
            }
          }
          resolve({ ms, ok });
        });
      },
    );
    req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, ok: false }));
    req.end(body);
  });
}

/**
 * Runs the load and returns { requests, errors, rps, p50, p95, p99, max, mean } (latencies in ms).
 * Only requests that complete inside the measured window count.
 */
export async function runLoad({
  url,
  body,
  headers = {},
  connections = 16,
  durationMs = 10_000,
  warmupMs = 2_000,
}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const { ms, ok } = await once(agent, target, body, headers);
      if (!measuring) continue;
      if (ok) latencies.push(ms);
      else errors += 1;
    }
  };
  const workers = Array.from({ length: connections }, worker);
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((s, v) => s + v, 0) / (latencies.length || 1);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsedS,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    mean,
  };
}
