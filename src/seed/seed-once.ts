import type { Db, Trx } from '../platform/db/database.ts';
import type { Ctx } from '../platform/http/context.ts';
import { seedDemo } from './demo.ts';

const SEEDED_KEY = 'demo-seeded';

export async function isSeeded(db: Db | Trx): Promise<boolean> {
  const row = await db
    .selectFrom('platform_settings')
    .select('key')
    .where('key', '=', SEEDED_KEY)
    .executeTakeFirst();
  return !!row;
}

/** Seeds the demo unless a marker says it was done; the marker commits with the data. */
export async function seedDemoOnce(ctx: Ctx) {
  // The marker row is inserted first: a second process seeding at the same time waits on it and then conflicts.
  const claimed = await ctx.db
    .insertInto('platform_settings')
    .values({ key: SEEDED_KEY, value: JSON.stringify({ at: ctx.clock.now().toISOString() }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!claimed) return null;
  return seedDemo(ctx);
}

/** The demo partner's id, for the CLI's `--partner` (null when the demo is not seeded). */
export async function demoPartnerId(db: Db | Trx): Promise<string | null> {
  const row = await db
    .selectFrom('partners')
    .select('id')
    .where('name', '=', 'Contoso Partner España')
    .executeTakeFirst();
  return row?.id ?? null;
}
