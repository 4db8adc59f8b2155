import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { resolveClientAddress } from './client-address';

const request = (remoteAddress: string, xff?: string) =>
  ({
    socket: { remoteAddress },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as unknown as IncomingMessage;

describe('client address of a WebSocket upgrade', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientAddress(request('203.0.113.9', '1.2.3.4'), () => false)).toBe('203.0.113.9');
  });

  it('walks back through trusted hops only', () => {
    const oneHop = (_addr: string, i: number) => i < 1;
    expect(resolveClientAddress(request('10.0.0.2', '6.6.6.6, 198.51.100.4'), oneHop)).toBe('198.51.100.4');
    const all = () => true;
    expect(resolveClientAddress(request('10.0.0.2', '6.6.6.6, 198.51.100.4'), all)).toBe('6.6.6.6');
    expect(resolveClientAddress(request('10.0.0.2'), all)).toBe('10.0.0.2');
  });
});
