import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { partnerSystemActor } from '../../platform/http/context.ts';
import { auditMark, auditRewind, auditTrailOf, recordAudit } from './audit.service.ts';

/**
 * Audit rows recorded in a transaction go out together just before COMMIT: none is lost, none
 * outlives a rollback (whole, or to a savepoint), and a read in the same transaction sees them.
 */
let m: ModuleDb;
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

const actor = partnerSystemActor(null, 'audit-test');
const rowsOf = (requestId: string) =>
  m.db
    .selectFrom('audit_events')
    .select(['action', 'target_id'])
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute();

it('writes every row of a transaction, in order, more than one statement holds', async () => {
  const n = 2_345;
  const statementsBefore = await m.as(actor, async (ctx) => {
    for (let i = 0; i < n; i++)
      await recordAudit(
        { ...ctx, requestId: 'audit-many' },
        { action: 'test.recorded', targetType: 'test', targetId: String(i) },
      );
    // Nothing is sent before the unit of work ends.
    return (
      await ctx.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('request_id', '=', 'audit-many')
        .executeTakeFirstOrThrow()
    ).n;
  });
  expect(Number(statementsBefore)).toBe(0);
  const rows = await rowsOf('audit-many');
  expect(rows).toHaveLength(n);
  expect(rows.map((r) => r.target_id)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
});

it('drops the rows of a rolled-back transaction with its change', async () => {
  await expect(
    m.as(actor, async (ctx) => {
      await recordAudit(
        { ...ctx, requestId: 'audit-rollback' },
        { action: 'test.recorded', targetType: 'test' },
      );
      throw new Error('the use case fails');
    }),
  ).rejects.toThrow('the use case fails');
  expect(await rowsOf('audit-rollback')).toEqual([]);
});

it('drops the rows recorded after a savepoint the caller rolls back to, and keeps the rest', async () => {
  await m.as(actor, async (ctx) => {
    const c = { ...ctx, requestId: 'audit-savepoint' };
    await recordAudit(c, { action: 'test.kept', targetType: 'test', targetId: 'before' });
    await sql`savepoint audit_test`.execute(ctx.db);
    const mark = auditMark(c);
    await recordAudit(c, { action: 'test.dropped', targetType: 'test', targetId: 'inside' });
    await sql`rollback to savepoint audit_test`.execute(ctx.db);
    auditRewind(c, mark);
    await recordAudit(c, { action: 'test.kept', targetType: 'test', targetId: 'after' });
  });
  expect(await rowsOf('audit-savepoint')).toEqual([
    { action: 'test.kept', target_id: 'before' },
    { action: 'test.kept', target_id: 'after' },
  ]);
});

it('shows a trail read in the same transaction the rows it recorded', async () => {
  const tenantId = await m.tenant('northwind.demo');
  const trail = await m.as(actor, async (ctx) => {
    await recordAudit(
      { ...ctx, requestId: 'audit-trail' },
      { action: 'test.trail', targetType: 'test-target', targetId: 'x1', tenantId },
    );
    return auditTrailOf(ctx, { tenantId, targetType: 'test-target', targetId: 'x1' });
  });
  expect(trail.map((e) => e.action)).toEqual(['test.trail']);
  expect(await rowsOf('audit-trail')).toHaveLength(1);
});

it('writes at once without a transaction', async () => {
  await recordAudit(
    { ...m.read(actor), requestId: 'audit-read' },
    { action: 'test.now', targetType: 'test' },
  );
  expect(await rowsOf('audit-read')).toHaveLength(1);
});
