import { Type } from 'class-transformer';
import { IsEmail, IsInt, Length, Min, ValidateNested } from 'class-validator';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { plainValidationMessage, validationPipe } from './validation.pipe';

class SeatInput {
  @IsInt() @Min(1) row!: number;
}

class OrderInput {
  @IsEmail() email!: string;
  @Length(1, 20) name!: string;
  @ValidateNested({ each: true }) @Type(() => SeatInput) seats!: SeatInput[];
}

const pipe = validationPipe();
const metadata = { type: 'body' as const, metatype: OrderInput, data: 'input' };

async function failure(value: unknown): Promise<GraphQLError> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected the pipe to reject');
}

describe('validationPipe', () => {
  it('transforms valid input into its class', async () => {
    const result = await pipe.transform({ email: 'a@b.test', name: 'Ann', seats: [{ row: 2 }] }, metadata);
    expect(result).toBeInstanceOf(OrderInput);
    expect((result as OrderInput).seats[0]).toBeInstanceOf(SeatInput);
  });

  it('names the first bad field with the argument path', async () => {
    const error = await failure({ email: 'nope', name: 'Ann', seats: [] });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect(error.message).toBe('email must be an email');
  });

  it('follows nested arrays', async () => {
    const error = await failure({ email: 'a@b.test', name: 'Ann', seats: [{ row: 1 }, { row: 0 }] });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.seats.1.row' });
    expect(error.message).toBe('Row must be at least 1');
  });

  it("says class-validator's default sentences in plain words, and keeps a DTO's own", async () => {
    const error = await failure({ email: 'a@b.test', name: 'x'.repeat(21), seats: [] });
    expect(error.message).toBe('Name must be at most 20 characters long');
    expect(plainValidationMessage('title must be longer than or equal to 3 characters')).toBe(
      'Title must be at least 3 characters long',
    );
    expect(plainValidationMessage('perBuyerMax must not be greater than 1000')).toBe(
      'Per buyer max must be at most 1000',
    );
    expect(plainValidationMessage('sections must contain at least 1 elements')).toBe(
      'Sections must have at least one entry',
    );
    expect(plainValidationMessage('currency must match /^[A-Z]{3}$/ regular expression')).toBe(
      'Currency is not in the expected format',
    );
    expect(plainValidationMessage('gateId must be 1-64 letters, digits, spaces, _ or -')).toBe(
      'gateId must be 1-64 letters, digits, spaces, _ or -',
    );
  });

  it('refuses unknown properties instead of dropping them', async () => {
    const error = await failure({ email: 'a@b.test', name: 'Ann', seats: [], role: 'ADMIN' });
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.role' });
    expect(error.message).toMatch(/should not exist/);
  });

  it('leaves primitives alone', async () => {
    expect(await pipe.transform('evt-1', { type: 'body', metatype: String, data: 'id' })).toBe('evt-1');
  });
});
