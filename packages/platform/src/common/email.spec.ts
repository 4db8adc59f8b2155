import { describe, expect, it } from 'vitest';
import { isValidEmail, normaliseEmail } from './email';

describe('email rules', () => {
  it('normalises by trimming and lower-casing', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it.each([
    'ada@example.com',
    'a.b+tickets@sub.example.co.uk',
    "o'neil@example.ie",
    `${'a'.repeat(64)}@example.com`,
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    '',
    'ada',
    'ada@',
    '@example.com',
    'ada@example',
    'ada example@example.com',
    'ada@@example.com',
    `${'a'.repeat(250)}@example.com`,
    // RFC 5321: at most 64 octets before the @.
    `${'a'.repeat(65)}@example.com`,
    `${'a'.repeat(40)}.${'b'.repeat(40)}@example.com`,
  ])('refuses %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});
