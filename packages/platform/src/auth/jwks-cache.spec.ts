import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging } from '../logging';
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer';
import { AccessTokenVerifier } from './access-token.verifier';

// A JWKS endpoint in front of the test issuer that can be made to hang (auth service stuck).
let issuer: TestIssuer;
let proxy: Server;
let proxyUrl: string;
let hang = false;
let requests = 0;

beforeAll(async () => {
  configureLogging({ service: 'jwks-spec', level: 'fatal' }); // the failed refreshes are on purpose
  issuer = await createTestIssuer();
  proxy = createServer((_req, res) => {
    requests += 1;
    if (hang) return; // never answers
    void fetch(issuer.jwksUrl)
      .then((r) => r.text())
      .then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await issuer.close();
});

describe('JWKS cache when the auth service hangs', () => {
  it('keeps answering from the stale set at once while the refresh runs in the background', async () => {
    const verifier = new AccessTokenVerifier({
      jwksUrl: proxyUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      cookieSecure: true,
      clockToleranceSec: 5,
      jwksMaxAgeMs: 100,
      jwksCooldownMs: 0,
      jwksTimeoutMs: 1_500,
    });
    const token = await issuer.sign({ id: 'u-1', email: 'u@example.test', role: 'ATTENDEE', name: 'U' });
    await expect(verifier.verify(token)).resolves.toBeDefined();

    hang = true;
    const before = requests;
    await new Promise((resolve) => setTimeout(resolve, 150)); // the set is now stale
    const started = Date.now();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect.poll(() => requests).toBe(before + 1); // the refresh was attempted

    // A kid the stale set does not know still waits for the refresh (and is refused when it fails).
    const unknown = await issuer.sign(
      { id: 'u-1', email: 'u@example.test', role: 'ATTENDEE', name: 'U' },
      { kid: 'not-published' },
    );
    await expect(verifier.verify(unknown)).rejects.toMatchObject({ failure: 'invalid' });
  }, 15_000);
});
