import type { Db } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import type { CsvColumn } from '../../platform/http/list.ts';
import { decodeSerialCursor, toPage } from '../../platform/http/schemas.ts';
import {
  type AuditListFilter,
  type AuditSort,
  countAuditEvents,
  insertAuditEvent,
  listAuditEvents,
  sortedAuditEvents,
} from './audit.repo.ts';

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  tenantId?: string | null;
  partnerId?: string | null;
  data?: Record<string, unknown>;
}

/** Records who did what, where and when, in the caller's transaction: no change without its row. */
export async function recordAudit(ctx: Ctx, input: AuditInput): Promise<void> {
  const a = ctx.actor;
  await insertAuditEvent(ctx.db, {
    at: ctx.clock.now(),
    actor_user_id: a.userId === 'system' ? null : a.userId,
    actor_email: a.email,
    actor_roles: a.roles,
    actor_partner_id: a.partnerId,
    actor_tenant_id: a.tenantId,
    action: input.action,
    target_type: input.targetType,
    target_id: input.targetId ?? null,
    tenant_id: input.tenantId ?? a.tenantId,
    partner_id: input.partnerId ?? a.partnerId,
    request_id: ctx.requestId,
    data: JSON.stringify(input.data ?? {}),
  });
}

/** Partners see their own trail; customers see what was done in their tenant; the operator sees all. */
export function auditFilter(ctx: Ctx<Db>, input: { tenantId?: string; action?: string }): AuditListFilter {
  const a = ctx.actor;
  const scope =
    a.kind === 'partner'
      ? { partnerId: a.partnerId!, ...(input.tenantId ? { tenantId: input.tenantId } : {}) }
      : a.kind === 'customer'
        ? { tenantId: a.tenantId! }
        : input.tenantId
          ? { tenantId: input.tenantId }
          : {};
  return { ...scope, ...(input.action ? { action: input.action } : {}) };
}

export async function sortedAudit(
  ctx: Ctx<Db>,
  f: AuditListFilter,
  w: { sort: { field: AuditSort; direction: 'asc' | 'desc' }; offset: number; limit: number },
) {
  return (await sortedAuditEvents(ctx.db, f, w)).map(toAuditView);
}

export function countAudit(ctx: Ctx<Db>, f: AuditListFilter) {
  return countAuditEvents(ctx.db, f);
}

export const AUDIT_CSV: CsvColumn<ReturnType<typeof toAuditView>>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'actorEmail', value: (e) => e.actor.email },
  { header: 'actorRoles', value: (e) => e.actor.roles.join(' ') },
  { header: 'action', value: (e) => e.action },
  { header: 'targetType', value: (e) => e.targetType },
  { header: 'targetId', value: (e) => e.targetId },
  { header: 'tenantId', value: (e) => e.tenantId },
  { header: 'partnerId', value: (e) => e.partnerId },
  { header: 'requestId', value: (e) => e.requestId },
  { header: 'data', value: (e) => JSON.stringify(e.data) },
];

function toAuditView(r: Awaited<ReturnType<typeof listAuditEvents>>[number]) {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actor: {
      userId: r.actor_user_id,
      email: r.actor_email,
      roles: r.actor_roles,
      partnerId: r.actor_partner_id,
      tenantId: r.actor_tenant_id,
    },
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    tenantId: r.tenant_id,
    partnerId: r.partner_id,
    requestId: r.request_id,
    data: r.data,
  };
}

export async function listAudit(ctx: Ctx<Db>, input: { cursor?: string; limit?: number; tenantId?: string }) {
  const limit = input.limit ?? 50;
  const afterId = decodeSerialCursor(input.cursor);
  const a = ctx.actor;
  // Partners see their own trail; customers see what was done in their tenant; the operator sees all.
  const scope =
    a.kind === 'partner'
      ? { partnerId: a.partnerId!, ...(input.tenantId ? { tenantId: input.tenantId } : {}) }
      : a.kind === 'customer'
        ? { tenantId: a.tenantId! }
        : input.tenantId
          ? { tenantId: input.tenantId }
          : {};
  const rows = await listAuditEvents(ctx.db, {
    ...scope,
    ...(afterId !== undefined ? { afterId } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      actor: {
        userId: r.actor_user_id,
        email: r.actor_email,
        roles: r.actor_roles,
        partnerId: r.actor_partner_id,
        tenantId: r.actor_tenant_id,
      },
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      tenantId: r.tenant_id,
      partnerId: r.partner_id,
      requestId: r.request_id,
      data: r.data,
    }),
    (r) => r.id,
  );
}
