import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_SUBGRAPH_URLS, SUBGRAPH_NAMES, type SubgraphName } from './subgraphs';

/** Repository root, from either `src/supergraph` (tests) or `dist/supergraph` (built CLI). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const SUPERGRAPH_FILE = join(REPO_ROOT, 'services', 'gateway', 'supergraph.graphql');

export interface SubgraphSdl {
  name: string;
  /** Where the SDL came from (for error messages). */
  source: string;
  sdl: string;
  url: string;
}

export class CompositionError extends Error {
  constructor(readonly details: string[]) {
    super(`Supergraph composition failed:\n${details.map((d) => `  - ${d}`).join('\n')}`);
    this.name = 'CompositionError';
  }
}

/** Reads the committed `services/<name>/schema.graphql` of every subgraph that has one. */
export function readCommittedSubgraphs(repoRoot: string = REPO_ROOT): SubgraphSdl[] {
  const found: SubgraphSdl[] = [];
  for (const name of SUBGRAPH_NAMES) {
    const source = join(repoRoot, 'services', name, 'schema.graphql');
    if (!existsSync(source)) continue;
    found.push({
      name,
      source,
      sdl: readFileSync(source, 'utf8'),
      url: DEFAULT_SUBGRAPH_URLS[name as SubgraphName],
    });
  }
  return found;
}

/**
 * Composes subgraph SDLs into a supergraph SDL with Apollo's composition (the same library the gateway's query
 * planner is built on). Throws `CompositionError` listing every problem; never returns a partial supergraph.
 * The URLs written into the supergraph are the local defaults: the gateway replaces them from its config.
 */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  if (subgraphs.length === 0) {
    throw new CompositionError(['no subgraph SDL found (expected services/<name>/schema.graphql)']);
  }
  const services = subgraphs.map((s) => {
    try {
      return { name: s.name, url: s.url, typeDefs: parse(s.sdl) };
    } catch (err) {
      throw new CompositionError([`${s.source}: ${(err as Error).message}`]);
    }
  });
  const result = composeServices(services);
  if (result.errors) {
    throw new CompositionError(result.errors.map((e) => e.message));
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
