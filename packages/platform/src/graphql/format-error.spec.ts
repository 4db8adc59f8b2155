import { ConflictException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  buildSchema,
  execute,
  getVariableValues,
  GraphQLError,
  parse,
  Source,
  validate,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { runWithTrace } from '../logging';
import { badInput } from './errors';
import {
  argumentLocationOfValidationError,
  argumentPathOfVariableError,
  correctParserWording,
  createFormatError,
  fieldFromLiteralError,
  fieldFromVariableError,
  stripSuggestions,
} from './format-error';

/** What Apollo hands formatError for an error thrown inside a resolver. */
function fromResolver(thrown: unknown): { formatted: GraphQLFormattedError; error: GraphQLError } {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const error = new GraphQLError(message, {
    path: ['field'],
    originalError: thrown instanceof Error ? thrown : undefined,
    extensions: thrown instanceof GraphQLError ? thrown.extensions : undefined,
  });
  const formatted = {
    message,
    path: ['field'],
    locations: [{ line: 1, column: 3 }],
    extensions: {
      ...error.extensions,
      code: (error.extensions.code as string) ?? 'INTERNAL_SERVER_ERROR',
      stacktrace: ['Error: x', '  at y'],
    },
  };
  return { formatted, error };
}

describe('createFormatError', () => {
  const production = createFormatError({ production: true });
  const development = createFormatError({ production: false });

  it('keeps message, code, field, path and locations of expected errors, and nothing else in production', () => {
    const { formatted, error } = fromResolver(badInput('input.email', 'Invalid email'));
    expect(production(formatted, error)).toEqual({
      message: 'Invalid email',
      path: ['field'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.email' },
    });
  });

  it('names the limit when graphql-js gave up validating a document (hundreds of repeated fields)', () => {
    const error = new GraphQLError('Validation aborted.', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(production(formatted, error)).toEqual({
      message: 'The document has too many fields to check: select each field once, and fewer fields',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', field: null },
    });
  });

  it('never lets a stack trace through, in development either', () => {
    const { formatted, error } = fromResolver(badInput('input.email', 'Invalid email'));
    expect(development(formatted, error)).toEqual({
      message: 'Invalid email',
      path: ['field'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.email' },
    });
  });

  it('hides unexpected errors behind a generic message with the trace id, in every mode', () => {
    const { formatted, error } = fromResolver(
      new TypeError("Cannot read properties of undefined (reading 'secret')"),
    );
    expect(production(formatted, error)).toEqual({
      message: 'Internal server error',
      path: ['field'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR', field: null },
    });
    const dev = development(formatted, error);
    expect(dev.message).toBe('Internal server error');
    expect(dev.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', field: null });

    // A database's message (what FerretDB answered for U+0000) never leaves, even in development.
    const db = fromResolver(
      new Error(
        '[msg_find.go:344 ...] postgresql: ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)',
      ),
    );
    for (const format of [production, development]) {
      const out = runWithTrace('trace-abc123', () => format(db.formatted, db.error));
      expect(out.message).toBe('Internal server error (trace trace-abc123)');
      expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', field: null, traceId: 'trace-abc123' });
      expect(JSON.stringify(out)).not.toMatch(/postgres|SQLSTATE|msg_find/);
    }
  });

  it('answers an unreachable database or Redis with the retryable SERVICE_UNAVAILABLE, its message kept in the log', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    const outages = [
      named('MongoNetworkError', 'connection 4 to 127.0.0.1:27018 closed'),
      named('MongoServerSelectionError', 'connect ECONNREFUSED 127.0.0.1:27018'),
      named('MongoPoolClearedError', 'Connection pool for 127.0.0.1:27018 was cleared'),
      named('MongooseError', 'Operation `orders.findOne()` buffering timed out after 10000ms'),
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit'),
      new Error('Connection is closed.'),
    ];
    for (const thrown of outages) {
      const { formatted, error } = fromResolver(thrown);
      const out = runWithTrace('trace-db', () => production(formatted, error));
      expect(out.extensions, thrown.message).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        field: null,
        retryAfterMs: 1000,
        retryAfter: 1,
        traceId: 'trace-db',
      });
      expect(out.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|buffering|orders/);
    }
    // Other driver errors (a failed query, a duplicate key) are still defects: INTERNAL_SERVER_ERROR.
    for (const thrown of [
      named('MongoServerError', 'E11000 duplicate key error'),
      named('MongooseError', 'Cast to ObjectId failed'),
      new Error('Connection is closed because of a bug'),
    ]) {
      const { formatted, error } = fromResolver(thrown);
      expect(production(formatted, error).extensions?.code, thrown.message).toBe('INTERNAL_SERVER_ERROR');
    }
  });

  it('names the argument path of an inline literal graphql-js refused, as BAD_USER_INPUT', () => {
    const source = new Source(
      'mutation { createEvent(input: { title: "x", when: ["2031", "2031-02-30T10:00:00Z"] }) { id } }',
    );
    const position = source.body.indexOf('"2031-02-30');
    const error = new GraphQLError('Expected value of type "DateTime!", found "2031-02-30T10:00:00Z"; bad', {
      source,
      positions: [position],
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(fieldFromLiteralError(error)).toBe('input.when.1');
    const out = production({ message: error.message, extensions: error.extensions }, error);
    expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.when.1' });
  });

  it('maps Nest HttpExceptions that reached Apollo unfiltered', () => {
    const conflict = fromResolver(new ConflictException({ message: 'Seat taken', field: 'input.seat' }));
    expect(production(conflict.formatted, conflict.error)).toMatchObject({
      message: 'Seat taken',
      extensions: { code: 'CONFLICT', field: 'input.seat' },
    });
    const notFound = fromResolver(new NotFoundException('Event not found'));
    expect(production(notFound.formatted, notFound.error).extensions).toEqual({
      code: 'NOT_FOUND',
      field: null,
    });
    const unavailable = fromResolver(new ServiceUnavailableException('redis down at 10.0.0.3'));
    expect(production(unavailable.formatted, unavailable.error)).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', field: null },
    });
  });

  it('keeps request-level errors (validation, parse) but strips suggestions in production', () => {
    const formatted = {
      message: 'Cannot query field "nme" on type "Event". Did you mean "name"?',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    const error = new GraphQLError(formatted.message);
    expect(production(formatted, error)).toEqual({
      message: 'Cannot query field "nme" on type "Event".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', field: null },
    });
    expect(development(formatted, error).message).toMatch(/Did you mean "name"\?/);
  });
});

describe('stripSuggestions', () => {
  it('removes every graphql-js hint form', () => {
    expect(stripSuggestions('Unknown argument "fist". Did you mean "first" or "last"?')).toBe(
      'Unknown argument "fist".',
    );
    expect(
      stripSuggestions('Value "ADMN" does not exist in "Role" enum. Did you mean the enum value "ADMIN"?'),
    ).toBe('Value "ADMN" does not exist in "Role" enum.');
    expect(stripSuggestions('Unknown type "Evnt". Did you mean "Event", "EventInput", or "Events"?')).toBe(
      'Unknown type "Evnt".',
    );
    expect(stripSuggestions('Plain message.')).toBe('Plain message.');
  });
});

describe('variable coercion errors', () => {
  const production = createFormatError({ production: true });

  /** Apollo Server reports bad variables as a GraphQLError subclass named UserInputError. */
  function userInputError(message: string): GraphQLError {
    const error = new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
    Object.defineProperty(error, 'name', { value: 'UserInputError' });
    return error;
  }

  it('keeps BAD_USER_INPUT and names the offending input field', () => {
    const message =
      'Variable "$input" got invalid value { soldOut: true }; Field "soldOut" is not defined by type "CreateEventInput".';
    const error = userInputError(message);
    const out = production({ message, extensions: { code: 'BAD_USER_INPUT' } }, error);
    expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.soldOut' });
    expect(out.message).toContain('soldOut');
  });

  it('never quotes the refused value back (a password in it would reach the client and every log)', () => {
    const reason = 'Field "isAdmin" is not defined by type "SignUpInput".';
    const message = `Variable "$i" got invalid value { email: "a@b.test", password: "s3cret; at \\"x\\"", isAdmin: true }; ${reason}`;
    // As Apollo hands it over (the inner coercion error as originalError), and without it.
    const withInner = Object.assign(userInputError(message), { originalError: new GraphQLError(reason) });
    for (const error of [withInner, userInputError(message)]) {
      const out = production({ message, extensions: { code: 'BAD_USER_INPUT' } }, error);
      expect(out.message).toBe(`Variable "$i" got an invalid value; ${reason}`);
      expect(out.message).not.toContain('s3cret');
      expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'i.isAdmin' });
    }
    const nested =
      'Variable "$input" got invalid value "abc" at "input.price"; Int cannot represent non-integer value: "abc"';
    expect(
      production({ message: nested, extensions: { code: 'BAD_USER_INPUT' } }, userInputError(nested)),
    ).toMatchObject({
      message:
        'Variable "$input" got an invalid value at "input.price"; Int cannot represent non-integer value: "abc"',
      extensions: { field: 'input.price' },
    });
  });

  it('reads the path graphql-js gives, or falls back to the variable', () => {
    expect(
      fieldFromVariableError(
        'Variable "$input" got invalid value "x" at "input.price"; Int cannot represent it',
      ),
    ).toBe('input.price');
    expect(
      fieldFromVariableError(
        'Variable "$input" got invalid value 1 at "input.seats[2]"; Expected type "String"',
      ),
    ).toBe('input.seats.2');
    expect(
      fieldFromVariableError(
        'Variable "$input" got invalid value {}; Field "email" of required type "String!" was not provided.',
      ),
    ).toBe('input.email');
    expect(fieldFromVariableError('Variable "$id" of required type "ID!" was not provided.')).toBe('id');
    // An unknown or missing field inside the object at `at` is that object's child.
    expect(
      fieldFromVariableError(
        'Variable "$input" got invalid value { lat: 1 } at "input.venue"; Field "lat" is not defined by type "VenueInput".',
      ),
    ).toBe('input.venue.lat');
    expect(
      fieldFromVariableError(
        'Variable "$i" got invalid value {} at "i.venue"; Field "name" of required type "String!" was not provided.',
      ),
    ).toBe('i.venue.name');
    expect(fieldFromVariableError('Cannot query field "x" on type "Query".')).toBeNull();
  });

  it('still treats a thrown error that merely claims BAD_USER_INPUT as unexpected unless it is a GraphQL error', () => {
    const sneaky = Object.assign(new Error('boom'), { extensions: { code: 'BAD_USER_INPUT' } });
    const out = production({ message: 'boom', extensions: { code: 'BAD_USER_INPUT' } }, sneaky);
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(out.message).toBe('Internal server error');
  });
});

const schema = buildSchema(`
  enum Category { MUSIC SPORT }
  input VenueInput { name: String! capacity: Int! }
  input CreateEventInput { title: String! category: Category venue: VenueInput perOrderMax: Int! = 10 tags: [String!] }
  type Event { id: ID! }
  type Query { events(first: Int! = 20): [Event!]! event(id: ID!): Event }
  type Mutation { createEvent(input: CreateEventInput!): Event }
`);

describe('argument paths of graphql-js refusals', () => {
  const validationError = (query: string) => {
    const errors = validate(schema, parse(query));
    expect(errors.length).toBeGreaterThan(0);
    return errors[0]!;
  };

  it.each([
    [
      'input.venue.capacity',
      'mutation { createEvent(input: { title: "t", venue: { name: "n", capacity: 1.5 } }) { id } }',
    ],
    ['input.title', 'mutation { createEvent(input: { title: 5 }) { id } }'],
    ['input.title', 'mutation { createEvent(input: { category: MUSIC }) { id } }'],
    ['input.category', 'mutation { createEvent(input: { title: "t", category: OPERA }) { id } }'],
    ['input.foo', 'mutation { createEvent(input: { title: "t", foo: 1 }) { id } }'],
    ['input.tags.1', 'mutation { createEvent(input: { title: "t", tags: ["a", 2] }) { id } }'],
    ['input.title', 'mutation { createEvent(input: { title: null }) { id } }'],
    ['first', '{ events(first: "5") { id } }'],
    ['id', '{ event { id } }'],
  ])('a refused value at %s is the client input (valueError)', (field, query) => {
    expect(argumentLocationOfValidationError(validationError(query))).toEqual({ field, valueError: true });
  });

  it('names the argument of other mistakes inside one, without calling them bad values', () => {
    expect(argumentLocationOfValidationError(validationError('{ events(frist: 1) { id } }'))).toEqual({
      field: 'frist',
      valueError: false,
    });
    expect(argumentLocationOfValidationError(validationError('{ events { idd } }'))).toBeNull();
  });

  it('finds a literal by its position alone when the error carries no nodes', () => {
    const error = validationError(
      'mutation { createEvent(input: { title: "t", venue: { name: "n", capacity: "x" } }) { id } }',
    );
    const positionOnly = new GraphQLError(error.message, {
      source: error.source,
      positions: error.positions,
    });
    expect(fieldFromLiteralError(positionOnly)).toBe('input.venue.capacity');
  });

  it('names a refused variable by where it is used, not by its own name', () => {
    const document = parse(
      'mutation Make($i: CreateEventInput!, $v: VenueInput!) { a: createEvent(input: $i) { id } b: createEvent(input: { title: "t", venue: $v }) { id } }',
    );
    const operation = document.definitions[0] as OperationDefinitionNode;
    const coerce = (variables: Record<string, unknown>) =>
      getVariableValues(schema, operation.variableDefinitions!, variables).errors ?? [];
    const [missingTitle] = coerce({ i: { title: null }, v: { name: 'n', capacity: 1 } });
    expect(argumentPathOfVariableError(missingTitle!.message, missingTitle)).toBe('input.title');
    const [unknown] = coerce({ i: { title: 't' }, v: { name: 'n', capacity: 1, lat: 1 } });
    expect(argumentPathOfVariableError(unknown!.message, unknown)).toBe('input.venue.lat');
    // Without the document, the variable's own path is all there is.
    expect(argumentPathOfVariableError(unknown!.message)).toBe('v.lat');
  });

  it('maps what graphql-js refuses while executing (Apollo calls it INTERNAL_SERVER_ERROR) to BAD_USER_INPUT', async () => {
    const result = await execute({
      schema,
      document: parse('query($f: Int) { events(first: $f) { id } }'),
      variableValues: { f: null },
      rootValue: { events: () => [] },
    });
    const error = result.errors![0]!;
    const formatted = { ...error.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    expect(createFormatError({ production: true })(formatted, error)).toMatchObject({
      message: 'first must not be null',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
  });

  it('says "more than" where the parser says "more that"', () => {
    expect(
      correctParserWording('Syntax Error: Document contains more that 1000 tokens. Parsing aborted.'),
    ).toBe('Syntax Error: Document contains more than 1000 tokens. Parsing aborted.');
    expect(correctParserWording('Cannot query field "x".')).toBe('Cannot query field "x".');
  });
});
