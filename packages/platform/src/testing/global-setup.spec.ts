import { describe, expect, it } from 'vitest';
import { infraVerdict } from './global-setup';
import type { ProbeResult } from './infra-probe';

const up: ProbeResult[] = [
  { name: 'Kafka', address: '127.0.0.1:19092', ok: true },
  { name: 'MongoDB', address: 'mongodb://127.0.0.1:27018', ok: true },
  { name: 'Redis', address: 'redis://127.0.0.1:6390', ok: true },
];
const redisDown: ProbeResult[] = [up[0], up[1], { ...up[2], ok: false, error: 'ECONNREFUSED' }];

describe('infraVerdict', () => {
  it('passes when every server answers', () => {
    expect(infraVerdict(up, { CI: 'true', TEST_REQUIRE_INFRA: '1' }).action).toBe('ok');
  });

  it('fails on CI naming the missing server, even when TEST_REQUIRE_INFRA=0', () => {
    const verdict = infraVerdict(redisDown, { CI: 'true', TEST_REQUIRE_INFRA: '0' });
    expect(verdict.action).toBe('fail');
    expect(verdict.message).toContain('Redis (redis://127.0.0.1:6390: ECONNREFUSED)');
    expect(verdict.message).not.toContain('Kafka');
  });

  it('locally fails with the make infra-up hint, or only warns when TEST_REQUIRE_INFRA=0', () => {
    const strict = infraVerdict(redisDown, { CI: '', TEST_REQUIRE_INFRA: '1' });
    expect(strict.action).toBe('fail');
    expect(strict.message).toContain('make infra-up');
    expect(infraVerdict(redisDown, { CI: '', TEST_REQUIRE_INFRA: '0' }).action).toBe('warn');
  });

  it('does not require the local stack when the tests target a deployed platform (GATEWAY_URL)', () => {
    const verdict = infraVerdict(redisDown, {
      CI: 'true',
      TEST_REQUIRE_INFRA: '1',
      GATEWAY_URL: 'http://localhost/graphql',
    });
    expect(verdict.action).toBe('warn');
    expect(verdict.message).toContain('GATEWAY_URL');
  });
});
