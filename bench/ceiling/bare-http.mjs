#!/usr/bin/env node
// Ceiling: what one bare Node HTTP server does on this machine. A node:http server with no framework and no
// GraphQL reads each POST body, parses it as JSON and answers a fixed GraphQL-shaped document; it is driven
// by the same closed-loop generator as the measured paths (bench/events-listing/load.mjs). The server runs in
// a process of its own, so its CPU and memory are not the load generator's.
//
//   node bench/ceiling/bare-http.mjs [--connections 16] [--duration 5] [--warmup 1] [--json <file>]
//
// As a module: `measureBareHttp({ answer, connections, durationMs, warmupMs })`; events-listing passes the
// subgraph's real `events(first: 20)` answer so that both move the same bytes.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../events-listing/load.mjs';
import { cpuMs, peakRssMb } from '../lib/proc-cpu.mjs';

const self = fileURLToPath(import.meta.url);

/** A stand-in for the `events(first: 20)` answer: 20 events with venue and two ticket types each. */
export function sampleAnswer() {
  const edges = Array.from({ length: 20 }, (_, i) => ({
    cursor: Buffer.from(`cursor-${i}`).toString('base64'),
    node: {
      id: `65f0c0ffee${String(i).padStart(14, '0')}`,
      title: `Benchmark Night ${i + 1}`,
      category: 'MUSIC',
      startsAt: new Date(Date.UTC(2030, 0, 1 + i, 20)).toISOString(),
      timeZone: 'Europe/Paris',
      venue: { name: `Hall ${i + 1}`, city: 'Lyon' },
      ticketTypes: [
        { id: `t${i}a`, name: 'Standing', priceMinor: 2500, currency: 'EUR', kind: 'GENERAL_ADMISSION' },
        { id: `t${i}b`, name: 'Seated', priceMinor: 4500, currency: 'EUR', kind: 'GENERAL_ADMISSION' },
      ],
    },
  }));
  return JSON.stringify({ data: { events: { edges, pageInfo: { hasNextPage: false, endCursor: null } } } });
}

/** Server mode: the answer arrives on stdin; the port leaves on stdout as one JSON line. */
async function serve() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const answer = Buffer.concat(chunks);
  const server = createServer((req, res) => {
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(body).toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify(server.address())}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Starts the server process; resolves with `{ url, pid, stop() }`. */
export function startBareHttp(answer = sampleAnswer()) {
  const child = spawn(process.execPath, [self, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(answer);
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`bare HTTP server exited (${code}) before listening`)));
    child.stdout.on('data', (c) => {
      out += c;
      if (!out.includes('\n')) return;
      child.removeAllListeners('exit');
      const { port } = JSON.parse(out.split('\n')[0]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/**
 * One closed-loop measurement of the bare server: runLoad's figures plus CPU ms per request of the server and
 * of the load generator, and the server's peak RSS.
 */
export async function measureBareHttp({
  answer = sampleAnswer(),
  body = JSON.stringify({ query: '{ events(first: 20) { edges { cursor } } }' }),
  connections = 16,
  durationMs = 5_000,
  warmupMs = 1_000,
} = {}) {
  const server = await startBareHttp(answer);
  try {
    // CPU over warm-up and measured window alike, divided by the measured requests: the server does the same
    // work in both, so scale by the whole time the load ran.
    const serverBefore = cpuMs(server.pid);
    const selfBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runLoad({ url: `${server.url}/graphql`, body, connections, durationMs, warmupMs });
    const share = durationMs / (performance.now() - started);
    const selfCpu = process.cpuUsage(selfBefore);
    const perOp = (ms) => (ms * share) / Math.max(1, result.requests);
    return {
      ...result,
      cpuMsPerOp: {
        'bare HTTP server': perOp(cpuMs(server.pid) - serverBefore),
        'load generator': perOp((selfCpu.user + selfCpu.system) / 1000),
      },
      rssMb: { 'bare HTTP server': peakRssMb(server.pid) },
    };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === self) {
  if (process.argv.includes('--serve')) await serve();
  else {
    const arg = (name, fallback, max) => {
      const i = process.argv.indexOf(`--${name}`);
      return Math.min(i === -1 ? fallback : Number(process.argv[i + 1]), max);
    };
    const connections = arg('connections', 16, 256);
    const durationS = arg('duration', 5, 60);
    const warmupS = arg('warmup', 1, 30);
    const r = await measureBareHttp({ connections, durationMs: durationS * 1000, warmupMs: warmupS * 1000 });
    const i = process.argv.indexOf('--json');
    if (i !== -1) writeFileSync(process.argv[i + 1], JSON.stringify(r, null, 2));
    const f = (v) => v.toFixed(2);
    process.stdout.write(
      `bare HTTP server, ${connections} connections, ${durationS} s: ${r.rps.toFixed(0)} rps, p50/p95/p99 ` +
        `${f(r.p50)}/${f(r.p95)}/${f(r.p99)} ms, ${r.errors} errors, server CPU ${f(r.cpuMsPerOp['bare HTTP server'])} ms/request\n`,
    );
  }
}
