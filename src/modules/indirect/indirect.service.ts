import { randomUUID } from 'node:crypto';
import { addDaysUtc } from '../../domain/calendar.ts';
import {
  hashToken,
  issueSignedToken,
  signingSecret,
  verifySignedToken,
} from '../../platform/auth/signing.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { findPartner, indirectLinks, linkIndirectReseller, partnerNames } from '../partners/index.ts';
import { soldForResellers } from '../subscriptions/index.ts';
import {
  insertIndirectInvitation,
  lockIndirectInvitationByHash,
  markIndirectInvitationAccepted,
} from './indirect.repo.ts';

const PURPOSE = 'indirect-invitation';

async function actingPartner(ctx: Ctx<Db | Trx>) {
  const partner = await findPartner(ctx.db, ctx.actor.partnerId ?? '');
  if (!partner) throw new DomainError('partner_not_found');
  return partner;
}

/** An indirect provider makes a single-use link for a reseller's account admin to accept. */
export async function inviteReseller(ctx: Ctx) {
  const provider = await actingPartner(ctx);
  if (provider.kind !== 'indirect-provider')
    throw new DomainError('not_indirect_provider', { kind: provider.kind });
  const id = randomUUID();
  const now = ctx.clock.now();
  const { token, tokenHash } = issueSignedToken(await signingSecret(ctx.db, ctx.config), PURPOSE);
  const expiresAt = addDaysUtc(now, ctx.config.invitationTtlDays);
  await insertIndirectInvitation(ctx.db, {
    id,
    providerId: provider.id,
    tokenHash,
    userId: ctx.actor.userId,
    now,
    expiresAt,
  });
  await recordAudit(ctx, {
    action: 'indirect-invitation.created',
    targetType: 'indirect-invitation',
    targetId: id,
    partnerId: provider.id,
  });
  return { id, token, url: `/indirect-invitations/${token}`, expiresAt: expiresAt.toISOString() };
}

/** The reseller's account admin accepts: the two partners are linked (again, if the link was removed). */
export async function acceptResellerInvitation(ctx: Ctx, input: { token: string }) {
  if (!verifySignedToken(await signingSecret(ctx.db, ctx.config), PURPOSE, input.token))
    throw new DomainError('invitation_invalid');
  const row = await lockIndirectInvitationByHash(ctx.db as Trx, hashToken(input.token));
  if (!row) throw new DomainError('invitation_invalid');
  if (row.status !== 'pending') throw new DomainError('invitation_used');
  const now = ctx.clock.now();
  if (now.getTime() >= row.expires_at.getTime())
    throw new DomainError('invitation_expired', { expiredAt: row.expires_at.toISOString() });
  const reseller = await actingPartner(ctx);
  if (reseller.kind !== 'indirect-reseller')
    throw new DomainError('not_indirect_reseller', { kind: reseller.kind });
  const provider = (await findPartner(ctx.db, row.provider_id))!;
  if (provider.region !== reseller.region)
    throw new DomainError('region_mismatch', {
      partnerRegion: reseller.region,
      tenantRegion: provider.region,
    });
  if (!(await linkIndirectReseller(ctx, provider.id, reseller.id)))
    throw new DomainError('indirect_link_exists');
  await markIndirectInvitationAccepted(ctx.db as Trx, {
    id: row.id,
    resellerId: reseller.id,
    userId: ctx.actor.userId,
    now,
  });
  // The reseller's trail holds what its admin did; one row naming the provider serves the provider's.
  await recordAudit(ctx, {
    action: 'indirect-link.created',
    targetType: 'indirect-link',
    targetId: `${provider.id}:${reseller.id}`,
    partnerId: provider.id,
    data: { providerId: provider.id, resellerId: reseller.id },
  });
  return {
    providerId: provider.id,
    providerName: provider.name,
    resellerId: reseller.id,
    status: 'active' as const,
  };
}

/** The provider's resellers, each with what the provider sold for it (subscriptions and seats). */
export async function listIndirectResellers(ctx: Ctx<Db>) {
  const providerId = ctx.actor.partnerId!;
  const links = await indirectLinks(ctx, { providerId });
  const [names, sold] = await Promise.all([
    partnerNames(
      ctx,
      links.map((l) => l.reseller_id),
    ),
    soldForResellers(ctx, providerId),
  ]);
  return {
    items: links.map((l) => ({
      resellerId: l.reseller_id,
      name: names.get(l.reseller_id) ?? l.reseller_id,
      status: l.status,
      linkedAt: l.created_at.toISOString(),
      sold: sold.get(l.reseller_id) ?? { subscriptions: 0, seats: 0, customers: 0 },
    })),
    nextCursor: null,
  };
}

/** The reseller's providers: who transacts for it. */
export async function listIndirectProviders(ctx: Ctx<Db>) {
  const links = await indirectLinks(ctx, { resellerId: ctx.actor.partnerId! });
  const names = await partnerNames(
    ctx,
    links.map((l) => l.provider_id),
  );
  return {
    items: links.map((l) => ({
      providerId: l.provider_id,
      name: names.get(l.provider_id) ?? l.provider_id,
      status: l.status,
      linkedAt: l.created_at.toISOString(),
    })),
    nextCursor: null,
  };
}
