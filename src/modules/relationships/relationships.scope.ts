import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { Actor } from '../../platform/http/context.ts';
import { hasAcceptedRelationship } from './relationships.repo.ts';

/**
 * Who may see a tenant: a partner with an accepted relationship, the tenant's own users, and
 * the operator. Everyone else gets 404, so that a tenant's existence stays private.
 */
export async function canSeeTenant(handle: DatabaseHandle, actor: Actor, tenantId: string): Promise<boolean> {
  if (actor.kind === 'operator') return true;
  if (actor.kind === 'customer') return actor.tenantId === tenantId;
  if (!actor.partnerId) return false;
  return hasAcceptedRelationship(handle.db, actor.partnerId, tenantId);
}
