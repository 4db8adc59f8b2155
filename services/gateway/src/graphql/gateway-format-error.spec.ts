import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayFormatError } from './gateway-format-error';

const subgraphError = (extensions: Record<string, unknown>, message = 'Invalid access token') => ({
  message,
  path: ['me'],
  extensions: { serviceName: 'auth', ...extensions },
});

describe('gateway formatError', () => {
  it('keeps the code, message and field a subgraph answered', () => {
    const format = createGatewayFormatError({ production: false });
    const out = format(subgraphError({ code: 'UNAUTHENTICATED', field: null }), new GraphQLError('x'));
    expect(out).toEqual({
      message: 'Invalid access token',
      path: ['me'],
      extensions: { code: 'UNAUTHENTICATED', field: null, serviceName: 'auth' },
    });
  });

  it('in production keeps only public extensions and masks unexpected subgraph errors', () => {
    const format = createGatewayFormatError({ production: true });
    const refused = format(
      subgraphError({ code: 'BAD_USER_INPUT', field: 'password', stacktrace: ['at x'] }, 'Too short'),
      null,
    );
    expect(refused).toEqual({
      message: 'Too short',
      path: ['me'],
      extensions: { code: 'BAD_USER_INPUT', field: 'password' },
    });

    const broken = format(
      subgraphError({ code: 'DOWNSTREAM_SERVICE_ERROR' }, 'connect ECONNREFUSED 10.0.0.3'),
      null,
    );
    expect(broken).toEqual({
      message: 'Internal server error',
      path: ['me'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', field: null },
    });
    const noCode = format(subgraphError({}, 'TypeError: x is undefined'), null);
    expect(noCode.message).toBe('Internal server error');
  });

  it('never passes an unexpected subgraph error through in development either', () => {
    const format = createGatewayFormatError({ production: false });
    const broken = format(
      subgraphError(
        { code: 'DOWNSTREAM_SERVICE_ERROR', stacktrace: ['TypeError: fetch failed', 'at node_modules/x'] },
        'fetch failed: connect ECONNREFUSED 127.0.0.1:4002',
      ),
      null,
    );
    expect(broken.message).toMatch(/^Internal server error/);
    expect(JSON.stringify(broken)).not.toMatch(/ECONNREFUSED|fetch failed|stacktrace|node_modules/);
    // Which subgraph failed is still visible outside production.
    expect(broken.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      field: null,
      serviceName: 'auth',
    });
  });

  it('never lets a stack trace through, in development either (a subgraph refusal or its own error)', () => {
    const format = createGatewayFormatError({ production: false });
    const stacktrace = ['GraphQLError: Not a valid email address', '    at badInput (errors.ts:28:10)'];
    const refused = format(
      subgraphError({ code: 'BAD_USER_INPUT', field: 'email', stacktrace }, 'Not a valid email address'),
      null,
    );
    expect(refused).toEqual({
      message: 'Not a valid email address',
      path: ['me'],
      extensions: { code: 'BAD_USER_INPUT', field: 'email', serviceName: 'auth' },
    });
    const own = format(
      {
        message: 'Cannot query field "evnts" on type "Query". Did you mean "events"?',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace },
      },
      new GraphQLError('x', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
    expect(own.message).toContain('Did you mean');
    expect(own.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', field: null });
  });

  it("leaves the gateway's own errors to the platform formatter", () => {
    const format = createGatewayFormatError({ production: true });
    const out = format(
      {
        message: 'Cannot query field "evnts" on type "Query". Did you mean "events"?',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      new GraphQLError('x', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
    expect(out.message).toBe('Cannot query field "evnts" on type "Query".');
    expect(out.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', field: null });
  });
});
