import type { Expression } from 'kysely';
import type { DatabaseHandle } from '../../platform/db/connect.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Actor } from '../../platform/http/context.ts';
import { acceptedRelationship, hasAcceptedRelationship } from './tenant-relationships.repo.ts';

// The guard runs before the route's params are validated: an id no tenant can have (a NUL, which
// PostgreSQL refuses in text, or any other character outside the Id pattern) names no tenant.
const TENANT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Who may see a tenant: a partner with an accepted relationship, the tenant's own users, and
 * the operator. Everyone else gets 404, so that a tenant's existence stays private.
 * `partnerSees` is the partner's answer when the caller already asked it (see below): then no
 * statement runs here.
 */
export async function canSeeTenant(
  handle: DatabaseHandle,
  actor: Actor,
  tenantId: string,
  partnerSees?: boolean,
): Promise<boolean> {
  if (actor.kind === 'operator') return true;
  if (actor.kind === 'customer') return actor.tenantId === tenantId;
  if (!actor.partnerId || !TENANT_ID.test(tenantId)) return false;
  return partnerSees ?? hasAcceptedRelationship(handle.db, actor.partnerId, tenantId);
}

/**
 * The partner's part of the same rule as a subquery over the signing-in user's partner id (rows
 * when it may see the tenant), so the request guard asks it in its one sign-in statement instead
 * of a round trip of its own; null for an id no tenant can have (never sent to the database).
 */
canSeeTenant.partnerSeesTenant = (db: Db, partnerId: Expression<string | null>, tenantId: string) =>
  TENANT_ID.test(tenantId) ? acceptedRelationship(db, partnerId, tenantId) : null;
