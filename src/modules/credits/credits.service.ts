import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertDelegatedAdmin } from '../delegated-admin/delegated-admin.service.ts';
import { recordEvent } from '../outbox/outbox.service.ts';
import { subscriptionChannelOf } from '../subscriptions/subscriptions.service.ts';
import {
  type CreditRequestRow,
  decideCreditRequest,
  findCreditRequest,
  insertCreditRequest,
  listCreditRequestRows,
} from './credits.repo.ts';

export function toCreditRequestView(r: CreditRequestRow) {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    subscriptionId: r.subscription_id,
    filedBy: r.filed_by,
    partnerId: r.partner_id,
    reason: r.reason,
    amount: r.requested_amount,
    status: r.status,
    decidedAmount: r.decided_amount,
    decidedAt: r.decided_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * A credit never exceeds what the subscription's current term cost (seats × unit price): the
 * overlap a duplicate-license credit pays back (SPEC §8) is a part of that term.
 */
function assertWithinTermPrice(
  amount: number | undefined,
  sub: { termPrice: number; currency: string | null },
): void {
  if (amount === undefined || amount <= sub.termPrice) return;
  throw new DomainError('credit_amount_too_high', {
    amount,
    max: sub.termPrice,
    ...(sub.currency ? { currency: sub.currency } : {}),
  });
}

export interface FileCreditInput {
  tenantId: string;
  subscriptionId: string;
  reason: string;
  amount?: number;
}

/**
 * A credit request for a subscription bought direct (the vendor's admin center), routed to the
 * operator's billing support. The customer's admin files it; a partner may file it on the
 * customer's behalf only while it holds delegated admin on the tenant.
 */
export async function fileCreditRequest(ctx: Ctx, input: FileCreditInput) {
  const isPartner = ctx.actor.kind === 'partner';
  if (isPartner) await assertDelegatedAdmin(ctx, input.tenantId, 'file a credit request');
  const sub = await subscriptionChannelOf(ctx, input.tenantId, input.subscriptionId);
  if (!sub) throw new DomainError('credit_subscription_not_found');
  if (sub.channel !== 'direct') throw new DomainError('credit_not_direct', { channel: sub.channel });
  assertWithinTermPrice(input.amount, sub);
  const id = randomUUID();
  await insertCreditRequest(ctx.db, {
    id,
    tenantId: input.tenantId,
    subscriptionId: sub.id,
    filedBy: isPartner ? 'partner' : 'customer',
    partnerId: isPartner ? ctx.actor.partnerId : null,
    userId: ctx.actor.userId,
    reason: input.reason,
    amount: input.amount ?? null,
    now: ctx.clock.now(),
  });
  await recordAudit(ctx, {
    action: 'credit-request.filed',
    targetType: 'credit-request',
    targetId: id,
    tenantId: input.tenantId,
    partnerId: isPartner ? ctx.actor.partnerId : null,
    data: { subscriptionId: sub.id, amount: input.amount ?? null },
  });
  return toCreditRequestView((await findCreditRequest(ctx.db, id))!);
}

type ListInput = { cursor?: string; limit?: number; status?: 'submitted' | 'approved' | 'rejected' };

async function listScoped(ctx: Ctx<Db>, input: ListInput, scope: { tenantId?: string; partnerId?: string }) {
  const limit = input.limit ?? 50;
  const before = decodeTimeCursor(input.cursor);
  const rows = await listCreditRequestRows(ctx.db, {
    ...scope,
    ...(input.status ? { status: input.status } : {}),
    ...(before ? { before } : {}),
    limit,
  });
  return toPage(rows, limit, toCreditRequestView, (r) => [r.created_at.toISOString(), r.id]);
}

/** The customer sees every credit request of its tenant, whoever filed it. */
export function listTenantCreditRequests(ctx: Ctx<Db>, input: ListInput) {
  return listScoped(ctx, input, { tenantId: ctx.actor.tenantId! });
}

/** A partner sees the credit requests it filed for this customer. */
export function listCustomerCreditRequests(ctx: Ctx<Db>, input: ListInput & { tenantId: string }) {
  return listScoped(ctx, input, { tenantId: input.tenantId, partnerId: ctx.actor.partnerId! });
}

/** Billing support's queue: every credit request. */
export function listAllCreditRequests(ctx: Ctx<Db>, input: ListInput) {
  return listScoped(ctx, input, {});
}

/** Billing support approves (with the amount granted, in minor units) or rejects. */
export async function decideCredit(
  ctx: Ctx,
  input: { id: string; decision: 'approved' | 'rejected'; amount?: number },
) {
  const row = await findCreditRequest(ctx.db, input.id);
  if (!row) throw new DomainError('credit_request_not_found');
  if (row.status !== 'submitted') throw new DomainError('credit_request_decided', { status: row.status });
  const amount = input.decision === 'approved' ? (input.amount ?? row.requested_amount) : null;
  if (input.decision === 'approved' && amount === null) throw new DomainError('credit_amount_required');
  if (amount !== null) {
    const sub = await subscriptionChannelOf(ctx, row.tenant_id, row.subscription_id);
    assertWithinTermPrice(amount, sub ?? { termPrice: 0, currency: null });
  }
  const now = ctx.clock.now();
  if (
    !(await decideCreditRequest(ctx.db, row.id, {
      status: input.decision,
      amount,
      userId: ctx.actor.userId,
      now,
    }))
  ) {
    throw new DomainError('conflict');
  }
  await recordAudit(ctx, {
    action: 'credit-request.decided',
    targetType: 'credit-request',
    targetId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    data: { decision: input.decision, amount },
  });
  await recordEvent(ctx, 'credit-request.decided', {
    creditRequestId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    decision: input.decision,
    amount,
  });
  return toCreditRequestView((await findCreditRequest(ctx.db, row.id))!);
}
