import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPHQL_LIMITS, graphqlProtection, protectionValidationRules } from './graphql-protection';

const schema = buildSchema(`
  type Node { name: String, child: Node, children(first: Int): [Node] }
  type Query { node: Node }
`);

function errorsFor(document: string, nodeEnv: 'development' | 'production' = 'development'): string[] {
  const protection = graphqlProtection({ NODE_ENV: nodeEnv });
  return validate(schema, parse(document), [...specifiedRules, ...protectionValidationRules(protection)]).map(
    (error) => error.message,
  );
}

function nested(depth: number): string {
  let selection = 'name';
  for (let level = depth; level > 2; level -= 1) selection = `child { ${selection} }`;
  return `{ node { ${selection} } }`;
}

describe('graphqlProtection', () => {
  it('has the shared limits and Apollo switches', () => {
    const dev = graphqlProtection({ NODE_ENV: 'development' });
    expect(dev.limits).toEqual({
      maxDepth: 7,
      maxAliases: 15,
      maxCost: 5000,
      maxTokens: 1000,
      maxDirectives: 50,
    });
    expect(dev).toMatchObject({
      allowBatchedHttpRequests: false,
      csrfPrevention: true,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      parseOptions: { maxTokens: 1000 },
    });
    const prod = graphqlProtection({ NODE_ENV: 'production' });
    expect(prod).toMatchObject({
      introspection: false,
      includeStacktraceInErrorResponses: false,
      production: true,
    });
    expect(graphqlProtection({ NODE_ENV: 'test' }).includeStacktraceInErrorResponses).toBe(false);
  });

  it('limits depth to 7 (fragments add no level)', () => {
    expect(errorsFor(nested(7))).toEqual([]);
    expect(errorsFor(nested(8)).join()).toMatch(/depth limit of 7 exceeded, found 8/);
    expect(errorsFor('{ node { ...A } } fragment A on Node { ... on Node { child { name } } }')).toEqual([]);
  });

  it('limits aliases to 15', () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `a${i}: node { name }`).join(' ')} }`;
    expect(errorsFor(aliases(15))).toEqual([]);
    expect(errorsFor(aliases(16)).join()).toMatch(/aliases limit of 15/i);
  });

  it('multiplies the cost of lists by literal page sizes', () => {
    expect(errorsFor('{ node { children(first: 100) { name child { name } } } }')).toEqual([]);
    expect(errorsFor('{ node { children(first: 1000) { name child { name } } } }').join()).toMatch(
      /Cost limit of 5000/,
    );
  });

  it('refuses introspection only in production', () => {
    expect(errorsFor('{ __schema { queryType { name } } }')).toEqual([]);
    expect(errorsFor('{ __schema { queryType { name } } }', 'production').join()).toMatch(/introspection/i);
  });

  it('accepts tighter overrides and refuses nonsense', () => {
    expect(graphqlProtection({ NODE_ENV: 'test' }, { maxDepth: 5 }).limits.maxDepth).toBe(5);
    expect(() => graphqlProtection({ NODE_ENV: 'test' }, { maxAliases: 0 })).toThrow(/maxAliases/);
    expect(DEFAULT_GRAPHQL_LIMITS.maxDepth).toBe(7);
  });

  it('enforces the token limit in the parser', () => {
    const { parseOptions } = graphqlProtection({ NODE_ENV: 'test' });
    const fields = Array.from({ length: 1000 }, () => 'name').join(' ');
    expect(() => parse(`{ node { ${fields} } }`, parseOptions)).toThrow(/tokens/);
    expect(() => parse(nested(7), parseOptions)).not.toThrow();
  });
});
