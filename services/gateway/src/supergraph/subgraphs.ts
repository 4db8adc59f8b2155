/**
 * The subgraphs the gateway knows about, in composition order. Each service commits its printed subgraph SDL at
 * `services/<name>/schema.graphql`; the gateway composes whichever of those files exist.
 */
export const SUBGRAPH_NAMES = ['auth', 'event', 'ticket', 'checkin', 'pricing'] as const;

export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default local address of each subgraph (ports from the platform's port table). */
export const DEFAULT_SUBGRAPH_URLS: Record<SubgraphName, string> = {
  auth: 'http://127.0.0.1:4001/graphql',
  event: 'http://127.0.0.1:4002/graphql',
  ticket: 'http://127.0.0.1:4003/graphql',
  checkin: 'http://127.0.0.1:4004/graphql',
  pricing: 'http://127.0.0.1:4005/graphql',
};

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(name);
}
