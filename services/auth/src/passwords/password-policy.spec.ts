import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('accepts a 12-character password and a 64-character passphrase', () => {
    expect(passwordProblem('violet-Harbor')).toBeNull();
    const passphrase = 'Tickets-for-the-harbour-concert-2026-are-on-sale-from-monday!!!!';
    expect(passphrase).toHaveLength(64);
    expect(passwordProblem(passphrase)).toBeNull();
  });

  it('accepts exactly the maximum and refuses one more', () => {
    const max = 'abcd'.repeat(PASSWORD_MAX_LENGTH / 4);
    expect(passwordProblem(max)).toBeNull();
    expect(passwordProblem(max + 'e')).toMatch(/at most 256/);
    expect(passwordProblem('Zq9!'.repeat(75))).toMatch(/at most/);
  });

  it('refuses short passwords, counting code points', () => {
    expect(passwordProblem('a'.repeat(PASSWORD_MIN_LENGTH - 1))).toMatch(/at least 12/);
    expect(passwordProblem('🎟️🎟️🎟️')).toMatch(/at least 12/);
  });

  it('refuses very common passwords whatever their case', () => {
    expect(passwordProblem('password1234')).toMatch(/too common/);
    expect(passwordProblem('Password1234')).toMatch(/too common/);
    expect(passwordProblem('QWERTY123456')).toMatch(/too common/);
  });

  it('refuses repetitive passwords and the email address', () => {
    expect(passwordProblem('abababababababab')).toMatch(/repetitive/);
    expect(passwordProblem('someone@example.com', 'someone@example.com')).toMatch(/email/);
  });
});
