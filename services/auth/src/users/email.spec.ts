import { describe, expect, it } from 'vitest';
import { isValidEmail, normaliseEmail } from './email';

describe('email rules', () => {
  it('normalises by trimming and lower-casing', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it.each(['ada@example.com', 'a.b+tickets@sub.example.co.uk', "o'neil@example.ie"])(
    'accepts %s',
    (email) => {
      expect(isValidEmail(email)).toBe(true);
    },
  );

  it.each([
    '',
    'ada',
    'ada@',
    '@example.com',
    'ada@example',
    'ada example@example.com',
    'ada@@example.com',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });
});
