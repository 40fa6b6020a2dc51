import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../platform/db/database.ts';

/** Active grants of a partner on a tenant at `now` (DAP never expires; GDAP until expires_at). */
export async function activeGrants(db: Db | Trx, partnerId: string, tenantId: string, now: Date) {
  return db
    .selectFrom('delegated_admin_grants')
    .selectAll()
    .where('partner_id', '=', partnerId)
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
}

export async function insertGrant(
  db: Trx,
  g: {
    partnerId: string;
    tenantId: string;
    kind: 'dap' | 'gdap';
    roles?: string[];
    durationDays?: number | null;
    autoExtend?: boolean;
    status: 'requested' | 'active';
    now: Date;
    expiresAt?: Date | null;
  },
) {
  const id = randomUUID();
  await db
    .insertInto('delegated_admin_grants')
    .values({
      id,
      partner_id: g.partnerId,
      tenant_id: g.tenantId,
      kind: g.kind,
      roles: g.roles ?? [],
      duration_days: g.durationDays ?? null,
      auto_extend: g.autoExtend ?? false,
      status: g.status,
      requested_at: g.now,
      approved_at: g.status === 'active' ? g.now : null,
      expires_at: g.expiresAt ?? null,
      created_at: g.now,
    })
    .execute();
  return id;
}
