import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { auditTrailOf } from '../audit/index.ts';
import { findSubscription } from './subscriptions.repo.ts';

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (v && typeof v === 'object' ? (v as Data) : {});
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/**
 * A subscription's change history, read from the audit trail (every change writes its row in its
 * transaction): seats, auto-renew, status and offer changes, who made them and when, newest first.
 */
export async function subscriptionHistory(ctx: Ctx<Db>, input: { tenantId: string; id: string }) {
  const row = await findSubscription(ctx.db, input.tenantId, input.id);
  if (!row) throw new DomainError('subscription_not_found');
  const events = await auditTrailOf(ctx, {
    tenantId: input.tenantId,
    targetType: 'subscription',
    targetId: input.id,
  });
  const items = events.map((e) => {
    const data = obj(e.data);
    const change = obj(data.change);
    const from = obj(data.from);
    const kind = e.action.startsWith('subscription.') ? e.action.slice('subscription.'.length) : e.action;
    const quantity = num(change.quantity) ?? (kind === 'recorded' ? num(data.quantity) : undefined);
    return {
      id: e.id,
      at: e.at,
      action: kind,
      actorEmail: e.actorEmail,
      ...(quantity !== undefined
        ? {
            quantity: {
              ...(num(from.quantity) !== undefined ? { from: num(from.quantity)! } : {}),
              to: quantity,
            },
          }
        : {}),
      ...(typeof change.autoRenew === 'boolean' ? { autoRenew: change.autoRenew } : {}),
      ...(typeof change.status === 'string' ? { status: change.status } : {}),
      ...(typeof change.offerId === 'string'
        ? { offer: { from: typeof from.offerId === 'string' ? from.offerId : null, to: change.offerId } }
        : {}),
      ...(num(data.amountRefunded) ? { amountRefunded: num(data.amountRefunded)! } : {}),
      ...(num(data.amountCredited) !== undefined ? { amountCredited: num(data.amountCredited)! } : {}),
      ...(num(data.amountCharged) !== undefined ? { amountCharged: num(data.amountCharged)! } : {}),
    };
  });
  return { items, nextCursor: null };
}
