import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

// Everything the app loads comes from its own origin (scripts, styles, the API and its WebSocket); QR codes are
// data: images drawn in the page. The camera stays available to this origin for a future scanner page.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
};

export interface StaticServer {
  server: Server;
  /** Readiness: false once shutdown has begun. */
  setReady(ready: boolean): void;
}

/**
 * Serves a single-page app: files under `root`, `index.html` for every other path without a file extension
 * (client-side routes), `/healthz` and `/readyz` for the probes. GET and HEAD only.
 */
export function createStaticServer(root: string): StaticServer {
  const base = resolve(root);
  const index = join(base, 'index.html');
  let ready = true;

  function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: string) {
    const size = statSync(file).size;
    const immutable = file.startsWith(join(base, 'assets') + sep);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(size),
      // Vite fingerprints everything under assets/; index.html must always be revalidated.
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  /** The file a URL path names, or null when it is outside the root or not a file. */
  function fileOf(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const file = normalize(join(base, decoded));
    if (file !== base && !file.startsWith(base + sep)) return null;
    return existsSync(file) && statSync(file).isFile() ? file : null;
  }

  const server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'Method not allowed');
      return;
    }
    if (pathname === '/healthz') return send(res, 200, '{"status":"ok"}', 'application/json');
    if (pathname === '/readyz') {
      const ok = ready && existsSync(index);
      return send(
        res,
        ok ? 200 : 503,
        JSON.stringify({ status: ok ? 'ok' : 'unavailable' }),
        'application/json',
      );
    }
    const file = fileOf(pathname);
    if (file) return sendFile(req, res, file);
    // A missing asset is a 404; any other path is a client-side route of the app.
    if (extname(pathname)) return send(res, 404, 'Not found');
    if (!existsSync(index)) return send(res, 503, 'The app is not built');
    return sendFile(req, res, index);
  });
  server.keepAliveTimeout = 65_000;
  return { server, setReady: (value) => (ready = value) };
}
