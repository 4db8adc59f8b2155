import { buildSchema, parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { DocumentCache } from './document-cache';

const schema = buildSchema('type Query { a: Int } type Subscription { tick(n: Int): Int }');

describe('DocumentCache', () => {
  it('parses, validates and prints the same subscription text once', () => {
    const cache = new DocumentCache();
    const parser = vi.fn(parse);
    const validator = vi.fn((s: typeof schema, d: DocumentNode) => validate(s, d));
    const printer = vi.fn(print);
    const source = 'subscription { tick(n: 1) }';
    for (let i = 0; i < 5; i++) {
      const document = cache.parse(source, parser);
      expect(cache.validate(schema, document, validator)).toEqual([]);
      expect(cache.print(document, printer)).toContain('tick(n: 1)');
    }
    expect(parser).toHaveBeenCalledTimes(1);
    expect(validator).toHaveBeenCalledTimes(1);
    expect(printer).toHaveBeenCalledTimes(1);
  });

  it('keeps a validation per schema, and its errors', () => {
    const cache = new DocumentCache();
    const validator = vi.fn((s: typeof schema, d: DocumentNode) => validate(s, d));
    const document = cache.parse('subscription { nope }', parse);
    expect(cache.validate(schema, document, validator)[0]?.message).toMatch(/nope/);
    expect(cache.validate(schema, document, validator)[0]?.message).toMatch(/nope/);
    expect(validator).toHaveBeenCalledTimes(1);
    const next = buildSchema('type Query { a: Int } type Subscription { nope: Int }');
    expect(cache.validate(next, document, validator)).toEqual([]);
    expect(validator).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries texts (least recently used out), no long ones and no parse errors', () => {
    const cache = new DocumentCache(2, 40);
    const parser = vi.fn(parse);
    const a = 'subscription { tick(n: 1) }';
    const b = 'subscription { tick(n: 2) }';
    const c = 'subscription { tick(n: 3) }';
    cache.parse(a, parser);
    cache.parse(b, parser);
    cache.parse(a, parser); // a is now the most recent
    cache.parse(c, parser); // b goes
    expect(parser).toHaveBeenCalledTimes(3);
    cache.parse(a, parser);
    cache.parse(c, parser);
    expect(parser).toHaveBeenCalledTimes(3);
    cache.parse(b, parser);
    expect(parser).toHaveBeenCalledTimes(4);
    const long = `subscription { ${'x: tick(n: 1) '.repeat(5)} }`;
    cache.parse(long, parser);
    cache.parse(long, parser);
    expect(parser).toHaveBeenCalledTimes(6);
    expect(() => cache.parse('subscription {', parser)).toThrow();
    expect(() => cache.parse('subscription {', parser)).toThrow();
    expect(parser).toHaveBeenCalledTimes(8);
  });
});
