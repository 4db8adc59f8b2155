import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, signTicketToken, verifyTicketToken } from './ticket-token';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = keyIdOf(publicKey);
const keys = new Map([[kid, publicKey]]);
const claims = {
  ticketId: '6745a4d5c2d4e8b9a0f1e511',
  eventId: '6745a2b3c2d4e8b9a0f1d301',
  holderId: '6745a1f0c2d4e8b9a0f1c202',
  generation: 3,
};
const token = signTicketToken(claims, privateKey, kid);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';

describe('ticket QR token', () => {
  it('is compact and verifies with the public key alone', () => {
    expect(token).toMatch(/^T1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(token.length).toBeLessThan(300);
    expect(verifyTicketToken(token, keys)).toEqual({ ...claims, keyId: kid });
  });

  it('fails verification after ANY single-byte change', () => {
    let tried = 0;
    for (let i = 0; i < token.length; i++) {
      for (const replacement of ALPHABET) {
        if (replacement === token[i]) continue;
        const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(verifyTicketToken(tampered, keys), `position ${i} → ${replacement}`).toBeNull();
        tried += 1;
      }
    }
    // Dropping or adding a byte anywhere fails too.
    for (let i = 0; i < token.length; i++)
      expect(verifyTicketToken(token.slice(0, i) + token.slice(i + 1), keys)).toBeNull();
    expect(verifyTicketToken(`${token}A`, keys)).toBeNull();
    expect(tried).toBeGreaterThan(token.length * 60);
  });

  it('fails with a foreign key, even one registered under the same key id', () => {
    const foreign = generateKeyPairSync('ed25519');
    const forged = signTicketToken(claims, foreign.privateKey, kid);
    expect(verifyTicketToken(forged, keys)).toBeNull();
    expect(verifyTicketToken(token, new Map([[kid, foreign.publicKey]]))).toBeNull();
    expect(verifyTicketToken(token, new Map())).toBeNull();
  });

  it('refuses garbage without throwing', () => {
    for (const junk of ['', 'T1', 'T1..', 'T2.e30.AAAA', 'T1.e30.' + 'A'.repeat(86), 'x'.repeat(5000)]) {
      expect(verifyTicketToken(junk, keys)).toBeNull();
    }
  });
});
