import { REGION_NAMES, type Region } from '../../domain/regions.ts';
import { hashToken, signingSecret, verifySignedToken } from '../../platform/auth/signing.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { grantFromInvitation } from '../delegated-admin/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner } from '../partners/index.ts';
import { findTenant, hasAcceptedRelationship, insertAcceptedRelationship } from '../tenants/index.ts';
import {
  closeRelationshipRequest,
  findRelationshipRequestByTokenHash,
  type RelationshipRequestRow,
} from './relationships.repo.ts';
import { assertSameRegion, delegatedAdminAsked, INVITATION_PURPOSE } from './relationships.service.ts';

/** What reading an invitation needs: no signed-in user (the page may be opened before signing in). */
export interface InvitationReader {
  db: Db | Trx;
  clock: Clock;
  config: Config;
}

/**
 * The pending invitation behind a token, or a distinct refusal: `invitation_invalid` (malformed,
 * forged or altered), `invitation_withdrawn`, `invitation_used` (already answered),
 * `invitation_expired`.
 */
async function pendingInvitation(r: InvitationReader, token: string): Promise<RelationshipRequestRow> {
  if (!verifySignedToken(await signingSecret(r.db, r.config), INVITATION_PURPOSE, token)) {
    throw new DomainError('invitation_invalid');
  }
  const row = await findRelationshipRequestByTokenHash(r.db, hashToken(token));
  if (!row) throw new DomainError('invitation_invalid');
  if (row.status === 'withdrawn') throw new DomainError('invitation_withdrawn');
  if (row.status !== 'pending') throw new DomainError('invitation_used');
  if (r.clock.now().getTime() >= row.expires_at.getTime()) {
    throw new DomainError('invitation_expired', { expiredAt: row.expires_at.toISOString() });
  }
  return row;
}

/** Who asks for what, and nothing more (not even which tenant the link was made for). */
export async function viewInvitation(r: InvitationReader, input: { token: string }) {
  const row = await pendingInvitation(r, input.token);
  const partner = (await findPartner(r.db, row.partner_id))!;
  const provider = row.indirect_provider_id ? await findPartner(r.db, row.indirect_provider_id) : undefined;
  return {
    kind: 'reseller-relationship' as const,
    partner: {
      name: partner.name,
      country: partner.country,
      region: partner.region,
      regionName: REGION_NAMES[partner.region as Region] ?? partner.region,
    },
    dap: false as const,
    delegatedAdmin: delegatedAdminAsked(row),
    indirectProvider: provider ? { name: provider.name } : null,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** The invitation, checked for the signed-in global admin's own tenant. */
async function invitationForOwnTenant(ctx: Ctx, token: string) {
  const row = await pendingInvitation(ctx, token);
  const tenantId = ctx.actor.tenantId;
  if (ctx.actor.kind !== 'customer' || !tenantId)
    throw new DomainError('forbidden', { action: 'tenant.manage' });
  if (row.tenant_id !== null && row.tenant_id !== tenantId) throw new DomainError('invitation_wrong_tenant');
  return { row, tenantId };
}

/**
 * The customer's global admin accepts: the relationship starts (and the GDAP asked for, if any).
 * Nothing about the tenant's other partners, channels or subscriptions changes.
 */
export async function acceptInvitation(ctx: Ctx, input: { token: string }) {
  const { row, tenantId } = await invitationForOwnTenant(ctx, input.token);
  const tenant = (await findTenant(ctx.db, tenantId))!;
  const partner = (await findPartner(ctx.db, row.partner_id))!;
  assertSameRegion(partner, tenant);
  if (await hasAcceptedRelationship(ctx.db, partner.id, tenant.id))
    throw new DomainError('relationship_exists');
  const now = ctx.clock.now();
  const relationshipId = await insertAcceptedRelationship(
    ctx.db,
    partner.id,
    tenant.id,
    now,
    row.indirect_provider_id,
  );
  // A reseller's invitation names its provider: accepting relates the provider too (SPEC §7).
  if (
    row.indirect_provider_id &&
    !(await hasAcceptedRelationship(ctx.db, row.indirect_provider_id, tenant.id))
  ) {
    const provider = (await findPartner(ctx.db, row.indirect_provider_id))!;
    assertSameRegion(provider, tenant);
    const providerRelationship = await insertAcceptedRelationship(ctx.db, provider.id, tenant.id, now);
    await recordAudit(ctx, {
      action: 'relationship.accepted',
      targetType: 'relationship',
      targetId: providerRelationship,
      tenantId,
      partnerId: provider.id,
      data: { relationshipRequestId: row.id, indirectResellerId: partner.id },
    });
  }
  const closed = await closeRelationshipRequest(ctx.db, row.id, {
    status: 'accepted',
    now,
    userId: ctx.actor.userId,
    tenantId,
    relationshipId,
  });
  // Two admins answering at once: the second finds it answered.
  if (!closed) throw new DomainError('invitation_used');
  const asked = delegatedAdminAsked(row);
  const grant = asked
    ? await grantFromInvitation(ctx, {
        ...asked,
        partnerId: partner.id,
        tenantId,
        relationshipRequestId: row.id,
      })
    : null;
  const grantId = grant?.id ?? null;
  await recordAudit(ctx, {
    action: 'relationship.accepted',
    targetType: 'relationship',
    targetId: relationshipId,
    tenantId,
    partnerId: partner.id,
    data: { relationshipRequestId: row.id, delegatedAdminGrantId: grantId },
  });
  await recordEvent(ctx, 'relationship.accepted', {
    relationshipId,
    relationshipRequestId: row.id,
    tenantId,
    partnerId: partner.id,
    delegatedAdminGrantId: grantId,
  });
  return {
    relationship: {
      id: relationshipId,
      partnerId: partner.id,
      tenantId,
      status: 'accepted',
      acceptedAt: now.toISOString(),
      removedAt: null,
    },
    delegatedAdmin: grant,
  };
}

export async function declineInvitation(ctx: Ctx, input: { token: string }) {
  const { row, tenantId } = await invitationForOwnTenant(ctx, input.token);
  const now = ctx.clock.now();
  if (
    !(await closeRelationshipRequest(ctx.db, row.id, {
      status: 'declined',
      now,
      userId: ctx.actor.userId,
      tenantId,
    }))
  ) {
    throw new DomainError('invitation_used');
  }
  await recordAudit(ctx, {
    action: 'relationship-request.declined',
    targetType: 'relationship-request',
    targetId: row.id,
    tenantId,
    partnerId: row.partner_id,
  });
  return { status: 'declined' as const };
}
