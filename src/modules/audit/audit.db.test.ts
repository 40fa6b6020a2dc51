import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { partnerSystemActor } from '../../platform/http/context.ts';
import { auditMark, auditRewind, auditTrailOf, recordAudit, recordAuditRows } from './audit.service.ts';

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

it('writes a batch sent as one JSON parameter exactly as rows sent one by one', async () => {
  const at = new Date('2026-05-04T03:02:01.234Z');
  const event = (i: number, requestId: string) => ({
    at,
    actor_user_id: i % 2 ? `u-${i}` : null,
    actor_email: i % 3 ? `ana+${i}@example.test` : null,
    ...(i % 4 ? { actor_roles: ['account-admin', `role "${i}"`, 'ñandú, {x}'] } : {}),
    actor_partner_id: 'p-1',
    actor_tenant_id: null,
    action: 'test.batched',
    target_type: 'test',
    target_id: String(i),
    tenant_id: i % 5 ? 't-1' : null,
    partner_id: 'p-1',
    request_id: requestId,
    ...(i % 6
      ? { data: JSON.stringify({ i, text: 'línea "dos"\n€ 𝕿', list: [1, { a: null }], empty: {} }) }
      : {}),
  });
  const n = 12;
  await m.db.transaction().execute(async (trx) => {
    // One statement of 12 rows (the JSON path), and the same events one row at a time.
    await recordAuditRows(
      trx,
      Array.from({ length: n }, (_, i) => event(i, 'audit-json')),
    );
    for (let i = 0; i < n; i++) await recordAuditRows(trx, [event(i, 'audit-values')]);
  });
  const read = (requestId: string) =>
    m.db
      .selectFrom('audit_events')
      .select([
        'at',
        'actor_user_id',
        'actor_email',
        'actor_roles',
        'actor_partner_id',
        'actor_tenant_id',
        'action',
        'target_type',
        'target_id',
        'tenant_id',
        'partner_id',
        'data',
      ])
      .where('request_id', '=', requestId)
      .orderBy('id')
      .execute();
  const batched = await read('audit-json');
  expect(batched).toHaveLength(n);
  expect(batched.map((r) => r.target_id)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  expect(batched).toEqual(await read('audit-values'));
  expect(batched[1]).toMatchObject({
    actor_roles: ['account-admin', 'role "1"', 'ñandú, {x}'],
    data: { i: 1, text: 'línea "dos"\n€ 𝕿', list: [1, { a: null }], empty: {} },
  });
  expect(batched[0]).toMatchObject({ actor_roles: [], data: {} });
});
