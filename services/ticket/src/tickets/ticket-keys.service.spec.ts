import { ConfigError, loadConfig } from '@ticketing/platform';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Model } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { ticketConfigSchema } from '../config';
import { keyIdOf, signTicketToken, verifyTicketToken } from './qr/ticket-token';
import type { SigningKeyDoc } from './schemas/signing-key.schema';
import { TicketKeysService } from './ticket-keys.service';

const ed25519 = () => generateKeyPairSync('ed25519');
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();
const claims = {
  ticketId: '6745a4d5c2d4e8b9a0f1e511',
  eventId: '6745a2b3c2d4e8b9a0f1d301',
  holderId: '6745a1f0c2d4e8b9a0f1c202',
  generation: 1,
};

/** The problem loadConfig reports for TICKET_PREVIOUS_PUBLIC_KEYS, or undefined when it accepts the value. */
function previousKeysProblem(value: string): string | undefined {
  try {
    loadConfig(ticketConfigSchema, { TICKET_PREVIOUS_PUBLIC_KEYS: value });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.variable)).toEqual(['TICKET_PREVIOUS_PUBLIC_KEYS']);
    return problems[0]!.problem;
  }
}

/** A service with TICKET_SIGNING_KEY set (so it never touches MongoDB), initialised. */
async function keysService(env: Record<string, string>): Promise<TicketKeysService> {
  const config = loadConfig(ticketConfigSchema, env);
  const service = new TicketKeysService(config, {} as Model<SigningKeyDoc>);
  await service.onModuleInit();
  return service;
}

describe('TICKET_PREVIOUS_PUBLIC_KEYS', () => {
  it('is empty when unset or blank', () => {
    expect(loadConfig(ticketConfigSchema, {}).TICKET_PREVIOUS_PUBLIC_KEYS).toEqual([]);
    expect(
      loadConfig(ticketConfigSchema, { TICKET_PREVIOUS_PUBLIC_KEYS: '  \n' }).TICKET_PREVIOUS_PUBLIC_KEYS,
    ).toEqual([]);
  });

  it('takes concatenated PEM public keys and a JSON array of public JWKs', () => {
    const [a, b] = [ed25519().publicKey, ed25519().publicKey];
    const fromPem = loadConfig(ticketConfigSchema, {
      TICKET_PREVIOUS_PUBLIC_KEYS: `${pem(a)}\n${pem(b)}`,
    }).TICKET_PREVIOUS_PUBLIC_KEYS;
    expect(fromPem.map(keyIdOf)).toEqual([keyIdOf(a), keyIdOf(b)]);
    const jwks = [a, b].map((k) => ({ ...k.export({ format: 'jwk' }), kid: 'ignored', use: 'sig' }));
    const fromJson = loadConfig(ticketConfigSchema, {
      TICKET_PREVIOUS_PUBLIC_KEYS: JSON.stringify(jwks),
    }).TICKET_PREVIOUS_PUBLIC_KEYS;
    expect(fromJson.map(keyIdOf)).toEqual([keyIdOf(a), keyIdOf(b)]);
  });

  it('fails validation, naming the variable and never echoing it, for anything else', () => {
    const ok = ed25519();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const privatePem = ok.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const cases: Array<[string, string, RegExp]> = [
      ['junk', 'not a key at all', /expected PEM public key blocks .* or a JSON array/],
      ['truncated PEM', pem(ok.publicKey).slice(0, 60), /expected PEM public key blocks/],
      [
        'broken PEM body',
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
        /key 1 is not a valid PEM public key/,
      ],
      ['text around the PEM', `${pem(ok.publicKey)}\nsurplus`, /expected PEM public key blocks/],
      ['an RSA key second', `${pem(ok.publicKey)}${pem(rsa)}`, /key 2 is an rsa key, expected Ed25519/],
      ['a private PEM', privatePem, /private key: give public keys only/],
      ['bad JSON', '[{"kty":', /not valid JSON/],
      ['a JSON object', JSON.stringify(ok.publicKey.export({ format: 'jwk' })), /JSON array/],
      ['a JSON string entry', '["x"]', /key 1 is not a JWK object/],
      [
        'a private JWK',
        JSON.stringify([ok.privateKey.export({ format: 'jwk' })]),
        /key 1 is a private JWK: give public keys only/,
      ],
      ['a P-256 JWK', JSON.stringify([ec.export({ format: 'jwk' })]), /key 1 is an ec key, expected Ed25519/],
      ['an incomplete JWK', '[{"kty":"OKP","crv":"Ed25519"}]', /key 1 is not a valid public JWK/],
    ];
    for (const [name, value, expected] of cases) {
      const problem = previousKeysProblem(value);
      expect(problem, name).toMatch(expected);
      expect(problem, name).not.toContain(value.trim().slice(0, 40));
    }
  });
});

describe('TicketKeysService', () => {
  it('publishes the current key first, then the previous ones, and signs with the current key only', async () => {
    const current = ed25519();
    const previous = [ed25519(), ed25519()];
    const service = await keysService({
      TICKET_SIGNING_KEY: current.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      // The current key listed again, and a previous key twice, are published once.
      TICKET_PREVIOUS_PUBLIC_KEYS: [previous[0]!, previous[1]!, current, previous[0]!]
        .map((k) => pem(k.publicKey))
        .join(''),
    });
    const kids = [current, ...previous].map((k) => keyIdOf(k.publicKey));
    expect(service.keyId).toBe(kids[0]);
    const published = service.publicKeys();
    expect(published.map((k) => k.kid)).toEqual(kids);
    for (const [i, key] of published.entries()) {
      expect(key).toEqual({
        ...[current, ...previous][i]!.publicKey.export({ format: 'jwk' }),
        kid: kids[i],
        alg: 'EdDSA',
        use: 'sig',
      });
      expect(key.d).toBeUndefined();
    }

    const token = service.sign(claims);
    expect(verifyTicketToken(token, new Map([[kids[0]!, current.publicKey]]))).toEqual({
      ...claims,
      keyId: kids[0],
    });
    for (const [i, old] of previous.entries())
      expect(verifyTicketToken(token, new Map([[kids[0]!, old.publicKey]])), `previous ${i}`).toBeNull();

    // The service's own check accepts tokens of a previous key, not of a key it does not publish.
    const byPrevious = signTicketToken(claims, previous[1]!.privateKey, kids[2]!);
    expect(service.verify(byPrevious)).toEqual({ ...claims, keyId: kids[2] });
    expect(service.verify(token)).toEqual({ ...claims, keyId: kids[0] });
    const stranger = ed25519();
    expect(
      service.verify(signTicketToken(claims, stranger.privateKey, keyIdOf(stranger.publicKey))),
    ).toBeNull();
  });

  it('publishes the current key alone without previous keys', async () => {
    const current = ed25519();
    const service = await keysService({
      TICKET_SIGNING_KEY: JSON.stringify(current.privateKey.export({ format: 'jwk' })),
    });
    expect(service.publicKeys().map((k) => k.kid)).toEqual([keyIdOf(current.publicKey)]);
  });
});
