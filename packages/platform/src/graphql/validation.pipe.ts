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

/** The dotted path and first message of the first failing constraint, depth first. */
export function firstValidationFailure(
  errors: readonly ValidationError[],
  parentPath = '',
): { path: string; message: string } | undefined {
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) return { path, message: messages[0]! };
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
