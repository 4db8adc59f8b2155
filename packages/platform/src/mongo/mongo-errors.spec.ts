import { describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from './mongo-errors';

describe('isDuplicateKeyError', () => {
  it('recognises only code 11000', () => {
    expect(isDuplicateKeyError(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }))).toBe(true);
    expect(isDuplicateKeyError(Object.assign(new Error('other'), { code: 11600 }))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
    expect(isDuplicateKeyError('E11000')).toBe(false);
  });
});
