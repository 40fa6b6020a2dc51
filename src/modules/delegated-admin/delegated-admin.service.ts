import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { activeGrants } from './delegated-admin.repo.ts';

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
 */
export async function assertDelegatedAdmin(ctx: Ctx<Db | Trx>, tenantId: string): Promise<void> {
  if (ctx.actor.kind !== 'partner') return;
  if (!(await hasDelegatedAdmin(ctx.db, ctx.actor.partnerId!, tenantId, ctx.clock.now()))) {
    throw new DomainError('delegated_admin_required', { tenantId });
  }
}
