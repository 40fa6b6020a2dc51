import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/fixtures/databases.ts';
import { fixedClock } from '../platform/clock.ts';
import { loadConfig } from '../platform/config.ts';
import { openContext } from '../platform/context.ts';
import { adoptTemplateData, markTemplateData, TEMPLATE_DATA_MARKER } from '../platform/db/template.ts';
import { systemActor } from '../platform/http/context.ts';
import { createLogger } from '../platform/log.ts';
import { seedDemoOnce } from './seed-once.ts';

/**
 * The ready-made demo is seeded when the template is built, maybe weeks before a first start:
 * opening a copy moves every date to the present, once, so the demo's starting point holds
 * (Fabrikam's Business Standard still ends within 60 days).
 */
const DAY = 86_400_000;
let t: TestDatabase;
const builtAt = new Date(Date.now() - 40 * DAY);

beforeAll(async () => {
  t = await openTestDatabase();
  const src = {
    db: t.handle.db,
    clock: fixedClock(builtAt),
    actor: systemActor(),
    requestId: 'test-demo-template',
    log: createLogger('silent'),
    config: loadConfig({}),
  };
  // As the template's build does: the marker after the seed has committed (with its audit rows).
  await openContext(src, (ctx) => seedDemoOnce(ctx));
  await markTemplateData(t.handle.db, builtAt);
});
afterAll(() => t.drop());

async function fabrikamTermEnd() {
  const row = await t.handle.db
    .selectFrom('subscriptions as s')
    .innerJoin('tenants as t', 't.id', 's.tenant_id')
    .select(['s.term_end', 's.created_at'])
    .where('t.default_domain', '=', 'fabrikam.demo')
    .executeTakeFirstOrThrow();
  return row;
}

it('moves every date of the template data by the time since it was built, once', async () => {
  const before = await fabrikamTermEnd();
  expect(before.term_end.getTime() - Date.now()).toBeLessThan(10 * DAY); // 45 days after 40 days ago
  const audits = await t.handle.db.selectFrom('audit_events').select('at').execute();
  expect(audits.length).toBeGreaterThan(0);

  const now = new Date();
  expect(await adoptTemplateData(t.handle.db, now)).toBe(true);
  const after = await fabrikamTermEnd();
  const shift = now.getTime() - builtAt.getTime();
  expect(after.term_end.getTime() - before.term_end.getTime()).toBe(shift);
  expect(after.created_at.getTime()).toBe(now.getTime());
  expect(after.term_end.getTime() - now.getTime()).toBe(45 * DAY);
  const moved = await t.handle.db.selectFrom('audit_events').select('at').execute();
  expect(moved.length).toBeGreaterThan(0); // the seed audits what it creates: not a check of nothing
  for (const a of moved) expect(a.at.getTime()).toBe(now.getTime());
  expect(
    await t.handle.db
      .selectFrom('platform_settings')
      .select('key')
      .where('key', '=', TEMPLATE_DATA_MARKER)
      .executeTakeFirst(),
  ).toBeUndefined();

  // A second open finds no marker and moves nothing.
  expect(await adoptTemplateData(t.handle.db, new Date(now.getTime() + DAY))).toBe(false);
  expect((await fabrikamTermEnd()).term_end.getTime()).toBe(after.term_end.getTime());
});
