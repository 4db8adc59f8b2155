import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphSdl } from '../../src/supergraph/compose-supergraph';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** A fixture subgraph SDL from `test/fixtures/<file>.graphql`, named like the real subgraph it stands in for. */
export function fixtureSubgraph(
  name: string,
  file: string = name,
  url = `http://127.0.0.1:1/${name}`,
): SubgraphSdl {
  const source = join(FIXTURES, `${file}.graphql`);
  return { name, source, sdl: readFileSync(source, 'utf8'), url };
}
