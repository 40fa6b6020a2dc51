import {
  addDays,
  dueReminder,
  GDAP_REMINDER_DAYS,
  GDAP_REQUEST_TTL_DAYS,
  type GrantStatus,
  grantState,
} from '../../domain/delegated-admin.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { recordEvent } from '../outbox/outbox.service.ts';
import { findPartner } from '../partners/partners.repo.ts';
import { lockAcceptedRelationship } from '../relationships/relationships.repo.ts';
import {
  activateGrant,
  activeGrants,
  declineGrant,
  endGrantsOfPair,
  findGrant,
  type GrantRow,
  grantsEndingWithin,
  grantsOfPair,
  grantsOfTenant,
  insertGrant,
  insertReminder,
  requestedGrantsOfTenant,
} from './delegated-admin.repo.ts';

export async function hasDelegatedAdmin(
  db: Db | Trx,
  partnerId: string,
  tenantId: string,
  now: Date,
): Promise<boolean> {
  return (await activeGrants(db, partnerId, tenantId, now)).length > 0;
}

/**
 * Acting on a customer's behalf (its users, their licenses, a credit request) needs delegated
 * admin. Partners without it get 403 with the reason; the tenant's own admins and the operator pass.
 * `what` names the act, so that the error can say the customer must do it themselves.
 */
export async function assertDelegatedAdmin(
  ctx: Ctx<Db | Trx>,
  tenantId: string,
  what?: string,
): Promise<void> {
  if (ctx.actor.kind !== 'partner') return;
  if (!(await hasDelegatedAdmin(ctx.db, ctx.actor.partnerId!, tenantId, ctx.clock.now()))) {
    throw new DomainError('delegated_admin_required', { tenantId, ...(what ? { what } : {}) });
  }
}

/**
 * For a partner's license writes: the relationship locked first (lockAcceptedRelationship), then
 * the same check. Its removal ends delegated admin under the same lock, so it cannot pass between
 * this check and the write.
 */
export async function holdDelegatedAdmin(ctx: Ctx, tenantId: string, what: string): Promise<void> {
  if (
    ctx.actor.kind === 'partner' &&
    !(await lockAcceptedRelationship(ctx.db, ctx.actor.partnerId!, tenantId))
  ) {
    throw new DomainError('relationship_not_found');
  }
  await assertDelegatedAdmin(ctx, tenantId, what);
}

export function toGrantView(g: GrantRow, now: Date) {
  const { state, expiresAt } = grantState(
    {
      status: g.status as GrantStatus,
      expiresAt: g.expires_at,
      autoExtend: g.auto_extend,
      requestExpiresAt: g.request_expires_at,
    },
    now,
  );
  return {
    id: g.id,
    partnerId: g.partner_id,
    tenantId: g.tenant_id,
    kind: g.kind,
    roles: g.roles,
    durationDays: g.duration_days,
    autoExtend: g.auto_extend,
    status: state,
    requestedAt: g.requested_at.toISOString(),
    approvedAt: g.approved_at?.toISOString() ?? null,
    expiresAt: expiresAt?.toISOString() ?? null,
    requestExpiresAt: g.request_expires_at?.toISOString() ?? null,
    endedAt: g.revoked_at?.toISOString() ?? null,
  };
}
export type GrantView = ReturnType<typeof toGrantView>;

const isLive = (v: GrantView) => v.status === 'active' || v.status === 'requested';

export interface GdapInput {
  roles: string[];
  durationDays: number;
  autoExtend?: boolean;
}

/**
 * The partner asks the customer for GDAP (separately from the relationship, as since October
 * 2023). The customer's global admin approves it from the approval page (`url`) or the API.
 */
export async function requestDelegatedAdmin(ctx: Ctx, input: GdapInput & { tenantId: string }) {
  const now = ctx.clock.now();
  const partnerId = ctx.actor.partnerId!;
  const id = await insertGrant(ctx.db, {
    partnerId,
    tenantId: input.tenantId,
    kind: 'gdap',
    roles: [...new Set(input.roles)],
    durationDays: input.durationDays,
    autoExtend: input.autoExtend ?? false,
    status: 'requested',
    now,
    requestExpiresAt: addDays(now, GDAP_REQUEST_TTL_DAYS),
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.requested',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId,
    data: {
      kind: 'gdap',
      roles: input.roles,
      durationDays: input.durationDays,
      autoExtend: !!input.autoExtend,
    },
  });
  const grant = toGrantView((await findGrant(ctx.db, id))!, now);
  return { ...grant, url: `/tenant/delegated-admin-requests/${id}` };
}

/** Grants GDAP at once: the customer approved it by accepting the invitation that asked for it. */
export async function grantFromInvitation(
  ctx: Ctx,
  input: GdapInput & { partnerId: string; tenantId: string; relationshipRequestId: string },
) {
  const now = ctx.clock.now();
  const id = await insertGrant(ctx.db, {
    partnerId: input.partnerId,
    tenantId: input.tenantId,
    kind: 'gdap',
    roles: [...new Set(input.roles)],
    durationDays: input.durationDays,
    autoExtend: input.autoExtend ?? false,
    status: 'active',
    now,
    expiresAt: addDays(now, input.durationDays),
    relationshipRequestId: input.relationshipRequestId,
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    data: { kind: 'gdap', roles: input.roles, durationDays: input.durationDays, via: 'invitation' },
  });
  return toGrantView((await findGrant(ctx.db, id))!, now);
}

/** The operator records a legacy full DAP (no expiry) for a partner that already serves the tenant. */
export async function grantLegacyDap(ctx: Ctx, input: { tenantId: string; partnerId: string }) {
  if (!(await findPartner(ctx.db, input.partnerId))) throw new DomainError('partner_not_found');
  if (!(await lockAcceptedRelationship(ctx.db, input.partnerId, input.tenantId))) {
    throw new DomainError('relationship_not_found');
  }
  const now = ctx.clock.now();
  const id = await insertGrant(ctx.db, {
    partnerId: input.partnerId,
    tenantId: input.tenantId,
    kind: 'dap',
    status: 'active',
    now,
  });
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    data: { kind: 'dap' },
  });
  return toGrantView((await findGrant(ctx.db, id))!, now);
}

/** The customer's pending GDAP requests. */
export async function listDelegatedAdminRequests(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const after = decodeTimeCursor(input.cursor);
  const now = ctx.clock.now();
  const rows = await requestedGrantsOfTenant(ctx.db, {
    tenantId: ctx.actor.tenantId!,
    now,
    ...(after ? { after } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (g) => toGrantView(g, now),
    (g) => [g.created_at.toISOString(), g.id],
  );
}

/** A pending request of the actor's own tenant, or 404; refused when answered or lapsed. */
async function pendingRequestOfOwnTenant(ctx: Ctx, id: string) {
  const g = await findGrant(ctx.db, id);
  if (!g || g.tenant_id !== ctx.actor.tenantId) throw new DomainError('delegated_admin_request_not_found');
  const view = toGrantView(g, ctx.clock.now());
  if (g.status === 'requested' && view.status === 'expired')
    throw new DomainError('delegated_admin_request_expired');
  if (g.status !== 'requested')
    throw new DomainError('delegated_admin_request_not_pending', { status: view.status });
  return g;
}

export async function approveDelegatedAdminRequest(ctx: Ctx, input: { id: string }) {
  const g = await pendingRequestOfOwnTenant(ctx, input.id);
  const now = ctx.clock.now();
  const expiresAt = g.kind === 'gdap' && g.duration_days ? addDays(now, g.duration_days) : null;
  if (!(await activateGrant(ctx.db, g.id, now, expiresAt))) throw new DomainError('conflict');
  await recordAudit(ctx, {
    action: 'delegated-admin.granted',
    targetType: 'delegated-admin',
    targetId: g.id,
    tenantId: g.tenant_id,
    partnerId: g.partner_id,
    data: { kind: g.kind, roles: g.roles, durationDays: g.duration_days, via: 'request' },
  });
  return toGrantView((await findGrant(ctx.db, g.id))!, now);
}

export async function declineDelegatedAdminRequest(ctx: Ctx, input: { id: string }) {
  const g = await pendingRequestOfOwnTenant(ctx, input.id);
  const now = ctx.clock.now();
  if (!(await declineGrant(ctx.db, g.id, now))) throw new DomainError('conflict');
  await recordAudit(ctx, {
    action: 'delegated-admin.declined',
    targetType: 'delegated-admin',
    targetId: g.id,
    tenantId: g.tenant_id,
    partnerId: g.partner_id,
  });
  return toGrantView((await findGrant(ctx.db, g.id))!, now);
}

/**
 * The customer revokes a partner's delegated admin (DAP, GDAP and pending requests alike). The
 * relationship and every subscription stay as they are.
 */
export async function revokeDelegatedAdmin(ctx: Ctx, input: { partnerId: string }) {
  const tenantId = ctx.actor.tenantId!;
  const now = ctx.clock.now();
  const live = (await grantsOfPair(ctx.db, input.partnerId, tenantId)).filter((g) =>
    isLive(toGrantView(g, now)),
  );
  if (live.length === 0) throw new DomainError('delegated_admin_not_found');
  const ended = await endGrantsOfPair(ctx.db, input.partnerId, tenantId, 'revoked', now);
  const ids = ended.map((g) => g.id);
  await recordAudit(ctx, {
    action: 'delegated-admin.revoked',
    targetType: 'delegated-admin',
    targetId: ids[0] ?? null,
    tenantId,
    partnerId: input.partnerId,
    data: { grantIds: ids },
  });
  await recordEvent(ctx, 'delegated-admin.revoked', {
    tenantId,
    partnerId: input.partnerId,
    grantIds: ids,
    reason: 'revoked-by-customer',
  });
  return { partnerId: input.partnerId, tenantId, revokedGrantIds: ids };
}

/** With the relationship gone, its delegated admin goes too (called by the relationships module). */
export async function endDelegatedAdminWithRelationship(ctx: Ctx, partnerId: string, tenantId: string) {
  const ended = await endGrantsOfPair(ctx.db, partnerId, tenantId, 'removed', ctx.clock.now());
  if (ended.length === 0) return [];
  const ids = ended.map((g) => g.id);
  await recordAudit(ctx, {
    action: 'delegated-admin.removed',
    targetType: 'delegated-admin',
    targetId: ids[0] ?? null,
    tenantId,
    partnerId,
    data: { grantIds: ids, reason: 'relationship-removed' },
  });
  await recordEvent(ctx, 'delegated-admin.revoked', {
    tenantId,
    partnerId,
    grantIds: ids,
    reason: 'relationship-removed',
  });
  return ids;
}

/** The partner's own view of its delegated admin on a tenant. */
export async function getPartnerDelegatedAdmin(ctx: Ctx<Db>, input: { tenantId: string }) {
  const now = ctx.clock.now();
  const partnerId = ctx.actor.partnerId!;
  const grants = (await grantsOfPair(ctx.db, partnerId, input.tenantId)).map((g) => toGrantView(g, now));
  return {
    tenantId: input.tenantId,
    partnerId,
    canActOnBehalf: grants.some((g) => g.status === 'active'),
    grants,
  };
}

/** Per partner, the grants a tenant gave (live and past), for the tenant's partners page. */
export async function delegatedAdminByPartner(
  db: Db | Trx,
  tenantId: string,
  partnerIds: string[],
  now: Date,
) {
  const byPartner = new Map<string, GrantView[]>();
  for (const g of await grantsOfTenant(db, tenantId, partnerIds)) {
    const list = byPartner.get(g.partner_id) ?? [];
    list.push(toGrantView(g, now));
    byPartner.set(g.partner_id, list);
  }
  return byPartner;
}

/**
 * Sends the GDAP expiry reminders due now (30, 7 and 1 days before the end): an outbox event for
 * the partner and the customer (webhooks carry it on) and an audit row, each exactly once per
 * grant, end and threshold, however many processes sweep and however the clock jumps.
 */
export async function sendDueReminders(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const grants = await grantsEndingWithin(ctx.db, now, Math.max(...GDAP_REMINDER_DAYS));
  let sent = 0;
  for (const g of grants) {
    const days = dueReminder(
      { status: g.status as GrantStatus, expiresAt: g.expires_at, autoExtend: g.auto_extend },
      now,
    );
    if (days === null || !g.expires_at) continue;
    if (!(await insertReminder(ctx.db, { grantId: g.id, expiresAt: g.expires_at, daysBefore: days, now })))
      continue;
    const data = {
      grantId: g.id,
      partnerId: g.partner_id,
      tenantId: g.tenant_id,
      roles: g.roles,
      expiresAt: g.expires_at.toISOString(),
      daysBefore: days,
    };
    await recordEvent(ctx, 'delegated-admin.expiry-reminder', data);
    await recordAudit(ctx, {
      action: 'delegated-admin.expiry-reminder',
      targetType: 'delegated-admin',
      targetId: g.id,
      tenantId: g.tenant_id,
      partnerId: g.partner_id,
      data,
    });
    sent++;
  }
  return sent;
}
