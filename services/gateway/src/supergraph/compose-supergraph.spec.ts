import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureSubgraph } from '../../test/support/fixture-subgraphs';
import {
  CompositionError,
  composeSupergraph,
  readCommittedSubgraphs,
  SUPERGRAPH_FILE,
} from './compose-supergraph';
import { SUBGRAPH_NAMES } from './subgraphs';

describe('supergraph composition', () => {
  it('composes subgraph SDLs into a supergraph with join directives and every subgraph URL', () => {
    const supergraph = composeSupergraph([fixtureSubgraph('auth'), fixtureSubgraph('event')]);
    expect(supergraph).toContain('@link(url: "https://specs.apollo.dev/join/');
    expect(supergraph).toMatch(/AUTH @join__graph\(name: "auth", url: "http:\/\/127\.0\.0\.1:1\/auth"\)/);
    expect(supergraph).toMatch(/EVENT @join__graph\(name: "event"/);
    expect(supergraph).toContain('type Subscription');
    expect(supergraph.endsWith('\n')).toBe(true);
  });

  it('fails loudly, naming the conflict, when subgraphs do not compose', () => {
    const compose = () =>
      composeSupergraph([fixtureSubgraph('auth'), fixtureSubgraph('event', 'broken-event')]);
    expect(compose).toThrow(CompositionError);
    expect(compose).toThrow(/Account\.id/);
  });

  it('fails when there is no subgraph at all or an SDL does not parse', () => {
    expect(() => composeSupergraph([])).toThrow(/no subgraph SDL found/);
    expect(() =>
      composeSupergraph([{ name: 'auth', source: 'x.graphql', sdl: 'type Query {', url: 'http://a' }]),
    ).toThrow(/x\.graphql/);
  });

  it('the committed supergraph.graphql equals a fresh composition of the committed subgraph SDLs', () => {
    const subgraphs = readCommittedSubgraphs();
    expect(subgraphs.map((s) => s.name)).toEqual(
      SUBGRAPH_NAMES.filter((name) => subgraphs.some((s) => s.name === name)),
    );
    expect(subgraphs.length, 'no services/<name>/schema.graphql committed yet').toBeGreaterThan(0);
    expect(existsSync(SUPERGRAPH_FILE), 'run `npm run compose -w @ticketing/gateway`').toBe(true);
    expect(
      readFileSync(SUPERGRAPH_FILE, 'utf8'),
      'supergraph.graphql is stale: run `npm run compose -w @ticketing/gateway`',
    ).toBe(composeSupergraph(subgraphs));
  });
});
