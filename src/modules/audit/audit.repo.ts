import type { Db, NewAuditEvent, Trx } from '../../platform/db/database.ts';

export async function insertAuditEvent(db: Trx | Db, event: NewAuditEvent) {
  await db.insertInto('audit_events').values(event).execute();
}

export interface AuditFilter {
  /** Partner view: what this partner's users did, or what was done to this partner. */
  partnerId?: string;
  /** Customer view: what was done in this tenant. */
  tenantId?: string;
  afterId?: number;
  limit: number;
}

export async function listAuditEvents(db: Db | Trx, f: AuditFilter) {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.partnerId) {
    const pid = f.partnerId;
    q = q.where((eb) => eb.or([eb('actor_partner_id', '=', pid), eb('partner_id', '=', pid)]));
  }
  if (f.tenantId) q = q.where('tenant_id', '=', f.tenantId);
  if (f.afterId !== undefined) q = q.where('id', '<', f.afterId);
  return q.execute();
}

/** One target's events in a tenant, newest first (a subscription's change history). */
export async function targetAuditEvents(
  db: Db | Trx,
  f: { tenantId: string; targetType: string; targetId: string; partnerId?: string; limit: number },
) {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .where('tenant_id', '=', f.tenantId)
    .where('target_type', '=', f.targetType)
    .where('target_id', '=', f.targetId)
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.partnerId) {
    const pid = f.partnerId;
    q = q.where((eb) => eb.or([eb('actor_partner_id', '=', pid), eb('partner_id', '=', pid)]));
  }
  return q.execute();
}
