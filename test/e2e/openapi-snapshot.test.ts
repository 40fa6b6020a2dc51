import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

it('serves the OpenAPI document committed in openapi.json (run npm run docs:openapi after a contract change)', async () => {
  const committed = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));
  const served = (await t.call({ url: '/openapi.json' })).body;
  expect(served).toEqual(committed);
});

it('builds every response serialiser (each is built on its first use, not at start)', async () => {
  // A few were built by the call above; the rest, one per route and status, build now, without error.
  expect(t.buildSerializers()).toBeGreaterThan(t.routes.length);
  expect(t.buildSerializers()).toBe(0);
});
