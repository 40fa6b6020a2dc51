import { afterAll, beforeAll, expect, it } from 'vitest';
import { customerActor, type ModuleDb, openModuleDb } from '../../../test/fixtures/module-db.ts';
import { isDomainError } from '../../platform/errors.ts';
import { fileCreditRequests } from './credits.service.ts';

/**
 * A batch of credit requests (a set-based apply's `file-credit-request` steps) against a real
 * database (the demo): each checked on its own, the accepted ones inserted together, a refused
 * one leaving nothing behind.
 */
let m: ModuleDb;
beforeAll(async () => {
  m = await openModuleDb();
});
afterAll(() => m?.close());

it('files the accepted requests in one go and nothing for a refused one', async () => {
  const subs = await m.db
    .selectFrom('subscriptions')
    .select(['id', 'tenant_id', 'channel'])
    .orderBy('id')
    .execute();
  const direct = subs.filter((s) => s.channel === 'direct');
  const other = subs.find((s) => s.channel !== 'direct');
  // The demo has direct subscriptions and some of another channel.
  expect(direct.length).toBeGreaterThan(0);
  expect(other).toBeDefined();
  const tenantId = direct[0]!.tenant_id;
  const before = await m.db
    .selectFrom('credit_requests')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .execute();

  const filed = await m.as(customerActor(tenantId), (ctx) =>
    fileCreditRequests(ctx, [
      { tenantId, subscriptionId: direct[0]!.id, reason: 'paid twice', amount: 1 },
      { tenantId: other!.tenant_id, subscriptionId: other!.id, reason: 'not direct' },
      { tenantId, subscriptionId: 'no-such-subscription', reason: 'gone' },
      // Another tenant's subscription is not found from this one.
      ...direct
        .filter((s) => s.tenant_id !== tenantId)
        .slice(0, 1)
        .map((s) => ({ tenantId, subscriptionId: s.id, reason: 'elsewhere' })),
    ]),
  );
  expect(isDomainError(filed[0])).toBe(false);
  expect(isDomainError(filed[1]) && filed[1].code).toBe('credit_not_direct');
  expect(isDomainError(filed[2]) && filed[2].code).toBe('credit_subscription_not_found');
  for (const f of filed.slice(3)) expect(isDomainError(f) && f.code).toBe('credit_subscription_not_found');

  const after = await m.db
    .selectFrom('credit_requests')
    .select(['id', 'subscription_id', 'requested_amount', 'status'])
    .where('tenant_id', '=', tenantId)
    .execute();
  expect(after).toHaveLength(before.length + 1);
  const row = after.find((r) => !before.some((b) => b.id === r.id))!;
  expect(row).toMatchObject({ subscription_id: direct[0]!.id, requested_amount: 1, status: 'submitted' });
  expect(isDomainError(filed[0]) ? null : filed[0]!.id).toBe(row.id);
});
