import { describe, expect, it } from 'vitest';
import { forwardedHeaders, readSetCookies } from './forwarded-headers';

describe('headers forwarded to subgraphs', () => {
  it('forwards cookie, authorization, trace id and the resolved client address, and nothing else', () => {
    const out = forwardedHeaders({
      headers: {
        cookie: 'at=a; rt=r',
        authorization: 'Bearer x.y.z',
        'x-trace-id': 'trace-1234',
        'x-forwarded-for': '6.6.6.6',
        host: 'gateway',
        'x-internal-admin': 'yes',
      },
      clientAddress: '10.0.0.7',
    });
    expect(out).toEqual({
      cookie: 'at=a; rt=r',
      authorization: 'Bearer x.y.z',
      'x-trace-id': 'trace-1234',
      'x-forwarded-for': '10.0.0.7',
    });
  });

  it('prefers the trace id the platform assigned, and makes one when the client sent none or a bad one', () => {
    expect(
      forwardedHeaders({ headers: { 'x-trace-id': 'client-trace' }, traceId: 'assigned-1' })['x-trace-id'],
    ).toBe('assigned-1');
    const made = forwardedHeaders({ headers: {} })['x-trace-id'];
    expect(made).toMatch(/^[0-9a-f]{32}$/);
    const injected = forwardedHeaders({ headers: { 'x-trace-id': 'bad\nvalue with spaces' } })['x-trace-id'];
    expect(injected).toMatch(/^[0-9a-f]{32}$/);
    expect(forwardedHeaders({ headers: {} })['x-trace-id']).not.toBe(made);
  });
});

describe('Set-Cookie values from subgraph responses', () => {
  const cookies = [
    'at=aaa; Path=/; HttpOnly; SameSite=Lax; Expires=Wed, 25 Nov 2026 10:00:00 GMT',
    'rt=bbb; Path=/; HttpOnly; SameSite=Lax',
  ];

  it('keeps several values separate (fetch Headers)', () => {
    const headers = new Headers();
    for (const c of cookies) headers.append('set-cookie', c);
    expect(readSetCookies(headers)).toEqual(cookies);
  });

  it('reads node-fetch style raw() headers and a single plain header', () => {
    expect(readSetCookies({ get: () => null, raw: () => ({ 'set-cookie': cookies }) })).toEqual(cookies);
    expect(readSetCookies({ get: () => cookies[1] })).toEqual([cookies[1]]);
    expect(readSetCookies({ get: () => null })).toEqual([]);
  });
});
