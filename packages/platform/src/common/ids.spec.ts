import { describe, expect, it } from 'vitest';
import { ENTITY_ID, isEntityId } from './ids';

describe('entity ids', () => {
  it('accepts an ObjectId in hex and a UUID, in either case', () => {
    for (const id of [
      '65a1b2c3d4e5f60718293a4b',
      '65A1B2C3D4E5F60718293A4B',
      'f47ac10b-58cc-4372-a567-0e02b2c3d479',
    ])
      expect(isEntityId(id), id).toBe(true);
  });

  it('refuses every other shape and every non-string', () => {
    const bad = [
      '',
      '65a1b2c3d4e5f60718293a4',
      '65a1b2c3d4e5f60718293a4bc',
      '65a1b2c3d4e5f60718293a4g',
      ' 65a1b2c3d4e5f60718293a4b',
      '65a1b2c3d4e5f60718293a4b\n',
      'f47ac10b58cc4372a5670e02b2c3d479',
      'f47ac10b-58cc-4372-a567-0e02b2c3d47',
      '{"$gt":""}',
    ];
    for (const id of bad) expect(isEntityId(id), JSON.stringify(id)).toBe(false);
    for (const value of [null, undefined, 42, {}, ['65a1b2c3d4e5f60718293a4b']])
      expect(isEntityId(value)).toBe(false);
    expect(ENTITY_ID.test('65a1b2c3d4e5f60718293a4b')).toBe(true);
  });
});
