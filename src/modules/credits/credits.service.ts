import { randomUUID } from 'node:crypto';
import { addDaysUtc } from '../../domain/calendar.ts';
import { CREDIT_WINDOW_DAYS, duplicateCredit, isWithinCreditWindow } from '../../domain/refunds.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { recordCreditLine } from '../billing/index.ts';
import { assertDelegatedAdmin } from '../delegated-admin/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { subscriptionChannelOf, subscriptionChannelsOfTenants } from '../subscriptions/index.ts';
import { tenantNames } from '../tenants/index.ts';
import {
  type CreditRequestRow,
  decideCreditRequest,
  findCreditRequest,
  insertCreditRequests,
  listCreditRequestRows,
  type NewCreditRequest,
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
    newSubscriptionId: r.new_subscription_id,
    currency: r.currency,
    status: r.status,
    decidedAmount: r.decided_amount,
    decidedAt: r.decided_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * A credit never exceeds what the subscription's current term cost (seats × unit price): the
 * overlap a duplicate-license credit pays back (SPEC §8) is a part of that term. When the new
 * purchase is known, the bound is the credit computed for the days paid twice.
 */
function assertWithinBound(
  amount: number | undefined,
  bound: { max: number; currency: string | null; overlap: boolean },
): void {
  if (amount === undefined || amount <= bound.max) return;
  throw new DomainError('credit_amount_too_high', {
    amount,
    max: bound.max,
    ...(bound.overlap ? { bound: 'overlap' } : {}),
    ...(bound.currency ? { currency: bound.currency } : {}),
  });
}

type CreditSubscription = NonNullable<Awaited<ReturnType<typeof subscriptionChannelOf>>>;

/**
 * The credit owed for licenses paid twice (SPEC §3.5, §4): from the partner subscription's purchase
 * to the source's end of billing, for the seats held in both, at the source's price, in its currency.
 * Refused after 120 days from that purchase.
 */
function duplicateCreditOf(
  ctx: Ctx,
  source: CreditSubscription,
  newId: string,
  bought: CreditSubscription | undefined,
) {
  if (!bought) throw new DomainError('credit_subscription_not_found', { subscriptionId: newId });
  if (bought.channel !== 'partner')
    throw new DomainError('credit_new_subscription_invalid', { channel: bought.channel });
  if (!isWithinCreditWindow(bought.purchasedAt, ctx.clock.now())) {
    throw new DomainError('credit_window_closed', {
      days: CREDIT_WINDOW_DAYS,
      purchasedAt: bought.purchasedAt.toISOString(),
      closedOn: addDaysUtc(bought.purchasedAt, CREDIT_WINDOW_DAYS).toISOString(),
    });
  }
  const amount = duplicateCredit({
    unitPrice: source.unitPrice,
    quantity: Math.min(source.quantity, bought.quantity),
    termStart: source.termStart,
    termEnd: source.termEnd,
    newPurchaseAt: bought.purchasedAt,
    sourceBilledUntil: source.cancelledAt ?? source.termEnd,
  });
  return { id: bought.id, amount };
}

export interface FileCreditInput {
  tenantId: string;
  subscriptionId: string;
  reason: string;
  amount?: number;
  /** The partner subscription whose purchase made these licenses duplicate. */
  newSubscriptionId?: string;
}

/**
 * A credit request for a subscription bought direct (the vendor's admin center), routed to the
 * operator's billing support. The customer's admin files it; a partner may file it on the
 * customer's behalf only while it holds delegated admin on the tenant. Naming the new purchase
 * makes it a duplicate-license credit: its amount is computed (or bounded by the computed one).
 */
export async function fileCreditRequest(ctx: Ctx, input: FileCreditInput) {
  const [filed] = await fileCreditRequests(ctx, [input]);
  if (isDomainError(filed)) throw filed;
  return toCreditRequestView(filed!);
}

/**
 * Many credit requests at once (a batch of transitions' `file-credit-request` steps): per request
 * the rules of `fileCreditRequest`; the subscriptions read in one statement, the accepted requests
 * inserted in one. Answers per request its row as stored, or its refusal (nothing written for it).
 */
export async function fileCreditRequests(
  ctx: Ctx,
  inputs: FileCreditInput[],
): Promise<(CreditRequestRow | DomainError)[]> {
  const isPartner = ctx.actor.kind === 'partner';
  const subs = await subscriptionChannelsOfTenants(
    ctx,
    inputs.flatMap((i) => [
      { tenantId: i.tenantId, id: i.subscriptionId },
      ...(i.newSubscriptionId ? [{ tenantId: i.tenantId, id: i.newSubscriptionId }] : []),
    ]),
  );
  const rows: NewCreditRequest[] = [];
  const out: (NewCreditRequest | DomainError)[] = [];
  for (const input of inputs) {
    try {
      if (isPartner) await assertDelegatedAdmin(ctx, input.tenantId, 'file a credit request', 'credits.file');
      const sub = subs.get(`${input.tenantId}|${input.subscriptionId}`);
      if (!sub) throw new DomainError('credit_subscription_not_found');
      if (sub.channel !== 'direct') throw new DomainError('credit_not_direct', { channel: sub.channel });
      const computed = input.newSubscriptionId
        ? duplicateCreditOf(
            ctx,
            sub,
            input.newSubscriptionId,
            subs.get(`${input.tenantId}|${input.newSubscriptionId}`),
          )
        : null;
      assertWithinBound(input.amount, {
        max: computed?.amount ?? sub.termPrice,
        currency: sub.currency,
        overlap: !!computed,
      });
      const row: NewCreditRequest = {
        id: randomUUID(),
        tenantId: input.tenantId,
        subscriptionId: sub.id,
        newSubscriptionId: computed?.id ?? null,
        currency: sub.currency,
        filedBy: isPartner ? 'partner' : 'customer',
        partnerId: isPartner ? ctx.actor.partnerId : null,
        userId: ctx.actor.userId,
        reason: input.reason,
        amount: input.amount ?? computed?.amount ?? null,
        now: ctx.clock.now(),
      };
      rows.push(row);
      out.push(row);
    } catch (err) {
      if (!isDomainError(err)) throw err;
      out.push(err);
    }
  }
  const stored = new Map((await insertCreditRequests(ctx.db, rows)).map((r) => [r.id, r]));
  for (const r of rows)
    await recordAudit(ctx, {
      action: 'credit-request.filed',
      targetType: 'credit-request',
      targetId: r.id,
      tenantId: r.tenantId,
      partnerId: r.partnerId,
      data: { subscriptionId: r.subscriptionId, newSubscriptionId: r.newSubscriptionId, amount: r.amount },
    });
  return out.map((r) => (isDomainError(r) ? r : stored.get(r.id)!));
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
  // The customer by name, for the console's queue (never an id where people read).
  const names = await tenantNames(
    ctx,
    rows.map((r) => r.tenant_id),
  );
  return toPage(
    rows,
    limit,
    (r) => ({ ...toCreditRequestView(r), customerName: names.get(r.tenant_id) ?? null }),
    (r) => [r.created_at.toISOString(), r.id],
  );
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
    assertWithinBound(amount, { max: sub?.termPrice ?? 0, currency: sub?.currency ?? null, overlap: false });
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
  if (input.decision === 'approved' && amount !== null) await billCredit(ctx, row, amount, now);
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

/**
 * An approved credit is a negative billing line for the partner that bought the new subscription
 * (or filed the request), in the request's currency, written with the decision. A credit no partner
 * is on (the customer filed it about a subscription no partner sold) is the customer's, not billed.
 */
async function billCredit(ctx: Ctx, row: CreditRequestRow, amount: number, now: Date) {
  const bought = row.new_subscription_id
    ? await subscriptionChannelOf(ctx, row.tenant_id, row.new_subscription_id)
    : undefined;
  const partnerId = (bought?.channel === 'partner' ? bought.partner_id : null) ?? row.partner_id;
  const source = await subscriptionChannelOf(ctx, row.tenant_id, row.subscription_id);
  const currency = row.currency ?? bought?.currency ?? source?.currency ?? null;
  if (!partnerId || !currency) return;
  await recordCreditLine(ctx, {
    sourceKey: `credit:${row.id}`,
    tenantId: row.tenant_id,
    partnerId,
    subscriptionId: row.new_subscription_id ?? row.subscription_id,
    amount,
    currency,
    // Partner Center's reason for a credit billing support grants on a duplicate license.
    reasonCode: row.new_subscription_id ? 'DuplicateLicense' : 'CustomerSatisfaction',
    referenceId: row.id,
    at: now,
  });
}
