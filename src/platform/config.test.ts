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
