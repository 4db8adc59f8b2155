import { describe, expect, it } from 'vitest';
import { passKeyFrom, signAdmissionPass, verifyAdmissionPass } from './admission-pass';

const key = passKeyFrom(undefined, 'm'.repeat(40));
const now = 1_800_000_000_000;
const claims = { eventId: 'e1', userId: 'u1', passId: 'p.1', expiresAt: new Date(now + 60_000) };
const expected = { eventId: 'e1', userId: 'u1' };

describe('admission pass', () => {
  it('round-trips for its event and buyer before it expires', () => {
    const pass = signAdmissionPass(key, claims);
    expect(pass).toMatch(/^P1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyAdmissionPass(key, pass, expected, now)).toEqual({ ok: true, claims });
  });

  it('refuses another event, another buyer, and expiry', () => {
    const pass = signAdmissionPass(key, claims);
    expect(verifyAdmissionPass(key, pass, { ...expected, eventId: 'e2' }, now)).toEqual({
      ok: false,
      problem: 'WRONG_EVENT',
    });
    expect(verifyAdmissionPass(key, pass, { ...expected, userId: 'u2' }, now)).toEqual({
      ok: false,
      problem: 'WRONG_USER',
    });
    expect(verifyAdmissionPass(key, pass, expected, now + 60_000)).toEqual({ ok: false, problem: 'EXPIRED' });
  });

  it('refuses a forged payload, a foreign key, and junk', () => {
    const pass = signAdmissionPass(key, claims);
    const [prefix, , signature] = pass.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ e: 'e1', u: 'u2', p: 'p.1', x: now + 60_000 }),
    ).toString('base64url');
    expect(verifyAdmissionPass(key, `${prefix}.${forgedPayload}.${signature}`, expected, now)).toMatchObject({
      ok: false,
      problem: 'BAD_SIGNATURE',
    });
    const other = signAdmissionPass(passKeyFrom(undefined, 'n'.repeat(40)), claims);
    expect(verifyAdmissionPass(key, other, expected, now)).toMatchObject({ problem: 'BAD_SIGNATURE' });
    const explicit = signAdmissionPass(passKeyFrom('x'.repeat(32), 'm'.repeat(40)), claims);
    expect(verifyAdmissionPass(key, explicit, expected, now)).toMatchObject({ problem: 'BAD_SIGNATURE' });
    for (const junk of [
      '',
      'P1',
      'P1..',
      `${pass}.x`,
      `P2.${pass.slice(3)}`,
      pass.replace(/.$/, '+'),
      'x'.repeat(600),
    ]) {
      expect(verifyAdmissionPass(key, junk, expected, now)).toMatchObject({ ok: false });
    }
  });
});
