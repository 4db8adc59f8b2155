import { type ArgumentsHost, Catch, HttpException, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlContextType } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-codes';
import { graphqlErrorFromHttpException } from './http-exception.mapper';

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UNAUTHENTICATED]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.FORBIDDEN]: HttpStatus.FORBIDDEN,
  [ErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.CONFLICT]: HttpStatus.CONFLICT,
  [ErrorCode.RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.SERVICE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): unknown;
}

/**
 * Global exception filter (registered by createSubgraphModule). In GraphQL resolvers it turns Nest
 * HttpExceptions (Unauthorized, Forbidden, NotFound, Conflict, BadRequest...) into GraphQL errors
 * with our codes and lets GraphQL errors through unchanged. In plain HTTP handlers it answers a
 * GraphQL error as JSON `{ message, code, field }` with a matching status and leaves everything
 * else to Nest's default handling.
 */
@Catch()
export class GraphqlExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') {
      if (exception instanceof HttpException) return graphqlErrorFromHttpException(exception);
      // Other errors keep their identity: formatError decides what the client may see.
      return exception;
    }
    if (host.getType() === 'http' && exception instanceof GraphQLError) {
      const code = String(exception.extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
      const status = STATUS_BY_CODE[code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
      const response = host.switchToHttp().getResponse<JsonResponse>();
      response.status(status).json({
        statusCode: status,
        message: status === HttpStatus.INTERNAL_SERVER_ERROR ? 'Internal server error' : exception.message,
        code,
        field: exception.extensions.field ?? null,
      });
      return undefined;
    }
    if (host.getType() !== 'http') throw exception;
    return super.catch(exception, host);
  }
}
