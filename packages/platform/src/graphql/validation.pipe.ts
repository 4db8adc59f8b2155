import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { badInput } from './errors';

/** Raised by the pipe's exceptionFactory; `transform` turns it into BAD_USER_INPUT with the full path. */
class InputValidationFailure extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** `perBuyerMax` → `Per buyer max`: a property name as words, for a sentence a person reads. */
function words(property: string): string {
  const spaced = property.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** class-validator's default sentences, and how a person would say them (`$1` is the property). */
const PLAIN_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(\w+) must be longer than or equal to (\d+) characters?$/, '$1 must be at least $2 characters long'],
  [/^(\w+) must be shorter than or equal to (\d+) characters?$/, '$1 must be at most $2 characters long'],
  [/^(\w+) must not be less than (-?[\d.]+)$/, '$1 must be at least $2'],
  [/^(\w+) must not be greater than (-?[\d.]+)$/, '$1 must be at most $2'],
  [/^(\w+) must contain at least 1 elements?$/, '$1 must have at least one entry'],
  [/^(\w+) must contain at least (\d+) elements?$/, '$1 must have at least $2 entries'],
  [/^(\w+) must contain no more than (\d+) elements?$/, '$1 must have at most $2 entries'],
  [/^(\w+) must be an integer number$/, '$1 must be a whole number'],
  [/^(\w+) must be one of the following values: (.*)$/, '$1 must be one of: $2'],
  [/^(\w+) must match .* regular expression$/, '$1 is not in the expected format'],
  [/^(\w+) should not be empty$/, '$1 is required'],
];

/**
 * A default class-validator message in plain words (`title must be longer than or equal to 3 characters` →
 * `Title must be at least 3 characters long`); a message a DTO wrote itself is kept as it is.
 */
export function plainValidationMessage(message: string): string {
  for (const [pattern, replacement] of PLAIN_WORDS) {
    const match = pattern.exec(message);
    if (!match) continue;
    return replacement.replace(/\$(\d)/g, (_, i: string) =>
      i === '1' ? words(match[1]!) : (match[Number(i)] ?? ''),
    );
  }
  return message;
}

/** The dotted path and first message of the first failing constraint, depth first. */
export function firstValidationFailure(
  errors: readonly ValidationError[],
  parentPath = '',
): { path: string; message: string } | undefined {
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) return { path, message: plainValidationMessage(messages[0]!) };
    const nested = firstValidationFailure(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Nest's ValidationPipe for GraphQL inputs: strips nothing silently (unknown properties are
 * refused), transforms plain objects into their DTO classes, and reports the first bad field as
 * `BAD_USER_INPUT` with `extensions.field` set to the argument path (`input.email`).
 */
class GraphqlValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof InputValidationFailure)) throw error;
      const field = [metadata.data, error.path].filter((part) => typeof part === 'string' && part).join('.');
      throw badInput(field || 'input', error.message);
    }
  }
}

/** The global pipe every subgraph installs (createSubgraphModule registers it as APP_PIPE). */
export function validationPipe(
  overrides: Omit<ValidationPipeOptions, 'exceptionFactory'> = {},
): ValidationPipe {
  return new GraphqlValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    ...overrides,
    exceptionFactory: (errors: ValidationError[]) => {
      const failure = firstValidationFailure(errors) ?? { path: '', message: 'Invalid input' };
      return new InputValidationFailure(failure.path, failure.message);
    },
  });
}
