import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database.ts';

/**
 * The one tenant-scoping expression: the tenants a partner has an accepted reseller
 * relationship with. Other modules' queries use it (`where('tenant_id', 'in', …)`) instead of
 * reading this table themselves.
 */
export function visibleTenantIds(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('relationships')
    .select('relationships.tenant_id')
    .where('relationships.partner_id', '=', partnerId)
    .where('relationships.status', '=', 'accepted');
}

export async function hasAcceptedRelationship(
  db: Db | Trx,
  partnerId: string,
  tenantId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('relationships')
    .select('id')
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return !!row;
}

export async function insertAcceptedRelationship(db: Trx, partnerId: string, tenantId: string, now: Date) {
  const id = randomUUID();
  await db
    .insertInto('relationships')
    .values({
      id,
      partner_id: partnerId,
      tenant_id: tenantId,
      status: 'accepted',
      accepted_at: now,
      created_at: now,
    })
    .execute();
  return id;
}
