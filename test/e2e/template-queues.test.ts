import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { TEMPLATE_QUEUES } from '../../src/seed/demo-template.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * The ready-made demo creates the job queues at build time, so a first start only finds them:
 * its list must be every queue a server with workers creates, with the same policy.
 */
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { queue: true });
});
afterAll(async () => t?.close());

it('the demo template creates every queue the server creates, with the same policy', async () => {
  const { rows } = await sql<{ name: string; policy: string }>`select name, policy from pgboss.queue`.execute(
    t.handle.db,
  );
  const server = rows.map((r) => `${r.name}:${r.policy}`).sort();
  const template = TEMPLATE_QUEUES.map(
    ([name, options]) => `${name}:${options?.policy ?? 'standard'}`,
  ).sort();
  expect(server.length).toBeGreaterThan(0);
  expect(template).toEqual(server);
});
