import { describe, expect, it } from 'vitest';
import { hashPassword } from './auth/passwords.ts';
import { loadConfig } from './config.ts';

// The test fixtures hash with a cheap argon2 cost (test/fixtures/app.ts, server-process.ts) to keep
// the suite fast; production must keep OWASP's argon2id minimum. This pins it.
describe('password hashing cost in production', () => {
  it("defaults to OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane", () => {
    expect(loadConfig({}).argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('stores hashes made at that cost (the parameters are in the encoded hash)', async () => {
    const hash = await hashPassword('correct-horse-battery', loadConfig({}).argon2);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });
});

describe('webhook URLs and the metrics token', () => {
  it('asks for https:// webhooks where the clock is locked (a real install), not on demo and test installs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/traslado' }).webhookHttpsOnly).toBe(true);
    expect(loadConfig({}).webhookHttpsOnly).toBe(false);
    expect(loadConfig({ TRASLADO_CLOCK: 'locked' }).webhookHttpsOnly).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', TRASLADO_CLOCK: 'unlocked' }).webhookHttpsOnly).toBe(
      false,
    );
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/x', TRASLADO_WEBHOOK_HTTPS_ONLY: 'false' }).webhookHttpsOnly,
    ).toBe(false);
    expect(loadConfig({ TRASLADO_WEBHOOK_HTTPS_ONLY: 'true' }).webhookHttpsOnly).toBe(true);
  });

  it('reads /metrics with no token unless one is set', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ TRASLADO_METRICS_TOKEN: 's3cret' }).metricsToken).toBe('s3cret');
  });
});
