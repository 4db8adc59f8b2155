import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWebConfig } from './config.js';
import { createStaticServer } from './server/static-server.js';

// Production entry of the web image: the Vite build (dist/public) behind a small static server on PORT (8080),
// run as the unprivileged `node` user. Development uses the Vite dev server instead (make dev).

function log(level: string, msg: string, extra: Record<string, unknown> = {}) {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'web', msg, ...extra })}\n`,
  );
}

function main() {
  const config = loadWebConfig();
  const root = config.STATIC_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'public');
  const { server, setReady } = createStaticServer(root);
  server.listen(config.PORT, () => log('info', `web listening on http://0.0.0.0:${config.PORT}`, { root }));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    setReady(false);
    log('info', `${signal}: shutting down`);
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
    setTimeout(() => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
    }, config.SHUTDOWN_DELAY_MS);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  main();
} catch (err) {
  log('fatal', err instanceof Error ? err.message : String(err));
  process.exit(1);
}
