import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureSubgraph } from '../../test/support/fixture-subgraphs';
import { composeSupergraph } from '../supergraph/compose-supergraph';
import { routeSubscription, subscriptionOwners, type SubscriptionOwners } from './subscription-routes';

describe('subscription routing from the supergraph', () => {
  let owners: SubscriptionOwners;

  beforeAll(() => {
    const supergraph = composeSupergraph([
      fixtureSubgraph('auth'),
      fixtureSubgraph('event'),
      fixtureSubgraph('ticket'),
    ]);
    owners = subscriptionOwners(supergraph);
  });

  it('finds the owner of every root Subscription field from the join directives', () => {
    expect(Object.fromEntries(owners)).toEqual({ ticks: 'event', whoAmI: 'event', salesUpdated: 'ticket' });
  });

  it('uses the type-level join__type when the Subscription type lives in one subgraph only', () => {
    const owners1 = subscriptionOwners(
      composeSupergraph([fixtureSubgraph('auth'), fixtureSubgraph('ticket')]),
    );
    expect(Object.fromEntries(owners1)).toEqual({ salesUpdated: 'ticket' });
  });

  it('routes a subscription to the subgraph owning its root field', () => {
    const doc = parse('subscription S($id: ID!) { salesUpdated(eventId: $id) }');
    expect(routeSubscription(owners, doc, 'S')).toEqual({ ok: true, subgraph: 'ticket' });
    expect(routeSubscription(owners, parse('subscription { ticks(count: 2) }'))).toEqual({
      ok: true,
      subgraph: 'event',
    });
  });

  it('follows fragments and inline fragments on the root type', () => {
    const doc = parse(`
      subscription { ...Sales }
      fragment Sales on Subscription { ... on Subscription { salesUpdated(eventId: "e1") } }
    `);
    expect(routeSubscription(owners, doc)).toEqual({ ok: true, subgraph: 'ticket' });
  });

  it('refuses unknown fields, several subgraphs, non-subscriptions and ambiguous documents', () => {
    const unknown = routeSubscription(owners, parse('subscription { nope }'));
    expect(unknown).toEqual({ ok: false, message: 'Unknown subscription field "nope".' });

    const spanning = routeSubscription(
      owners,
      parse('subscription { ticks(count: 1) salesUpdated(eventId: "e") }'),
    );
    expect(spanning).toMatchObject({ ok: false, message: expect.stringContaining('several subgraphs') });

    const query = routeSubscription(owners, parse('query { events { id } }'));
    expect(query).toMatchObject({ ok: false, message: expect.stringContaining('Only subscriptions') });

    const twoOps = parse('subscription A { ticks(count: 1) } subscription B { whoAmI }');
    expect(routeSubscription(owners, twoOps)).toMatchObject({ ok: false });
    expect(routeSubscription(owners, twoOps, 'B')).toEqual({ ok: true, subgraph: 'event' });
    expect(routeSubscription(owners, twoOps, 'C')).toMatchObject({ ok: false });
  });
});
