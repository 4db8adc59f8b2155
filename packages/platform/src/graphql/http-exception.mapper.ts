import { HttpException, HttpStatus } from '@nestjs/common';
import type { GraphQLError } from 'graphql';
import { ErrorCode } from './error-codes';
import { domainError } from './errors';

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.BAD_USER_INPUT,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ErrorCode.BAD_USER_INPUT,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.BAD_USER_INPUT,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.UNAUTHENTICATED,
  [HttpStatus.FORBIDDEN]: ErrorCode.FORBIDDEN,
  [HttpStatus.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [HttpStatus.CONFLICT]: ErrorCode.CONFLICT,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RATE_LIMITED,
};

/** The error code for an HTTP status (anything unmapped, and every 5xx, is INTERNAL_SERVER_ERROR). */
export function errorCodeForHttpStatus(status: number): ErrorCode {
  return CODE_BY_STATUS[status] ?? ErrorCode.INTERNAL_SERVER_ERROR;
}

function firstMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object' && 'message' in response) {
    const message = (response as { message: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  }
  return exception.message;
}

function fieldOf(exception: HttpException): string | null {
  const response = exception.getResponse();
  if (response && typeof response === 'object' && 'field' in response) {
    const field = (response as { field: unknown }).field;
    if (typeof field === 'string') return field;
  }
  return null;
}

/**
 * Turns a Nest HttpException (UnauthorizedException, ForbiddenException, NotFoundException,
 * ConflictException, BadRequestException...) into the same GraphQL error our helpers build. A
 * `field` property in the exception's response object becomes `extensions.field`.
 */
export function graphqlErrorFromHttpException(exception: HttpException): GraphQLError {
  const code = errorCodeForHttpStatus(exception.getStatus());
  const message =
    code === ErrorCode.INTERNAL_SERVER_ERROR ? 'Internal server error' : firstMessage(exception);
  return domainError(code, message, fieldOf(exception));
}
