import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeSupergraph, readCommittedSubgraphs, REPO_ROOT, SUPERGRAPH_FILE } from './compose-supergraph';

/** `npm run compose -w @ticketing/gateway`: writes services/gateway/supergraph.graphql or exits non-zero. */
function main(): void {
  const subgraphs = readCommittedSubgraphs();
  try {
    const supergraph = composeSupergraph(subgraphs);
    writeFileSync(SUPERGRAPH_FILE, supergraph);
    const names = subgraphs.map((s) => s.name).join(', ');
    process.stdout.write(`supergraph composed from [${names}] → ${relative(REPO_ROOT, SUPERGRAPH_FILE)}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

main();
