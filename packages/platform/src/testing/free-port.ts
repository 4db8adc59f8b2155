import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports are drawn below the kernel's ephemeral range. A port the kernel hands out for `listen(0)` comes from
 * the same range as the local ports of outgoing connections, and tests open hundreds of those (Kafka, MongoDB,
 * Redis, HTTP between services): between the moment a port is found free and the moment the service binds it,
 * an outgoing connection could take it and the service would die with EADDRINUSE. Below the range only
 * another listener can take a port, and each candidate is tried before it is handed out.
 */
const FLOOR = 20_000;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > FLOOR + 1_000) return low;
  } catch {
    // Not Linux: fall back to the IANA dynamic range's start.
  }
  return 32_768;
}

const CEILING = ephemeralLow();
/** Ports this process handed out already: never twice, even once the first user has closed it. */
const handedOut = new Set<number>();

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    // No host: the unspecified address, so a port bound on any interface counts as taken.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** A TCP port that was free a moment ago, outside the range the kernel uses for outgoing connections. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = FLOOR + Math.floor(Math.random() * (CEILING - FLOOR));
    if (handedOut.has(port)) continue;
    if (await tryListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port between ${FLOOR} and ${CEILING} after 200 tries`);
}
