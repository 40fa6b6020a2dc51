import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { Actor } from '../../platform/http/context.ts';
import { hasAcceptedRelationship } from './relationships.repo.ts';

// The guard runs before the route's params are validated: an id no tenant can have (a NUL, which
// PostgreSQL refuses in text, or any other character outside the Id pattern) names no tenant.
const TENANT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Who may see a tenant: a partner with an accepted relationship, the tenant's own users, and
 * the operator. Everyone else gets 404, so that a tenant's existence stays private.
 */
export async function canSeeTenant(handle: DatabaseHandle, actor: Actor, tenantId: string): Promise<boolean> {
  if (actor.kind === 'operator') return true;
  if (actor.kind === 'customer') return actor.tenantId === tenantId;
  if (!actor.partnerId || !TENANT_ID.test(tenantId)) return false;
  return hasAcceptedRelationship(handle.db, actor.partnerId, tenantId);
}
