import { randomUUID } from 'node:crypto';
import { regionOf } from '../../domain/regions.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeKeyCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { endUserAccess, issuePasswordLink } from '../auth/index.ts';
import {
  checkRoles,
  createUser,
  findUser,
  listUsers,
  otherActiveAccountAdmins,
  replaceRoles,
  rolesOf,
  setDisabled,
  toUserView,
  userRowView,
} from '../users/index.ts';
import {
  findIndirectLink,
  findPartner,
  insertPartner,
  listLinkRows,
  listPartnerRows,
  lockPartner,
  partnerNameRows,
  toPartnerView,
  upsertActiveLink,
} from './partners.repo.ts';

export interface CreatePartnerInput {
  name: string;
  country: string;
  kind?: 'direct-bill' | 'indirect-provider' | 'indirect-reseller';
  azureExpertMsp?: boolean;
  admin?: { email: string; password: string; displayName?: string };
}

/** The operator onboards a partner, optionally with its first account admin. */
export async function createPartner(ctx: Ctx, input: CreatePartnerInput) {
  const country = input.country.toUpperCase();
  const region = regionOf(country);
  if (!region) throw new DomainError('unknown_country', { country: input.country });
  const id = randomUUID();
  await insertPartner(ctx.db, {
    id,
    name: input.name,
    country,
    region,
    kind: input.kind ?? 'direct-bill',
    azureExpertMsp: input.azureExpertMsp ?? false,
    now: ctx.clock.now(),
  });
  await recordAudit(ctx, {
    action: 'partner.created',
    targetType: 'partner',
    targetId: id,
    partnerId: id,
    data: { name: input.name, country, ...(input.azureExpertMsp ? { azureExpertMsp: true } : {}) },
  });
  if (input.admin) {
    await createUser(ctx, { ...input.admin, kind: 'partner', roles: ['account-admin'], partnerId: id });
  }
  return toPartnerView((await findPartner(ctx.db, id))!);
}

export async function getOwnPartner(ctx: Ctx<Db>) {
  const p = await findPartner(ctx.db, ctx.actor.partnerId ?? '');
  if (!p) throw new DomainError('partner_not_found');
  return toPartnerView(p);
}

export async function listPartners(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const afterId = decodeKeyCursor(input.cursor);
  const rows = await listPartnerRows(ctx.db, { ...(afterId ? { afterId } : {}), limit });
  return toPage(rows, limit, toPartnerView, (r) => r.id);
}

export async function listPartnerUsers(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const afterId = decodeKeyCursor(input.cursor);
  const rows = await listUsers(ctx.db, {
    partnerId: ctx.actor.partnerId!,
    ...(afterId ? { afterId } : {}),
    limit,
  });
  return toPage(rows, limit, toUserView, (r) => r.id);
}

export async function addPartnerUser(
  ctx: Ctx,
  input: { email: string; password: string; displayName?: string; roles: string[] },
) {
  const u = await createUser(ctx, { ...input, kind: 'partner', partnerId: ctx.actor.partnerId });
  return toUserView(u);
}

/** One of this partner's users; another partner's user does not exist, as far as this partner can tell. */
async function ownUser(ctx: Ctx, userId: string) {
  const user = await findUser(ctx.db, userId);
  if (!user || user.partner_id !== ctx.actor.partnerId) throw new DomainError('user_not_found');
  return user;
}

/**
 * A partner always keeps one enabled account admin: the change that would take away the last one
 * (its role dropped, or it disabled) is refused. The partner's row is locked first, so that two
 * admins demoting each other at once cannot both succeed.
 */
async function keepAnAccountAdmin(ctx: Ctx, user: { id: string; partner_id: string | null }) {
  await lockPartner(ctx.db, user.partner_id!);
  const isAdmin = (await rolesOf(ctx.db, user.id)).includes('account-admin');
  if (isAdmin && (await otherActiveAccountAdmins(ctx.db, user.partner_id!, user.id)) === 0)
    throw new DomainError('last_account_admin');
}

export async function setPartnerUserRoles(ctx: Ctx, input: { userId: string; roles: string[] }) {
  const user = await ownUser(ctx, input.userId);
  checkRoles('partner', input.roles);
  if (!input.roles.includes('account-admin') && !user.disabled_at) await keepAnAccountAdmin(ctx, user);
  const before = await rolesOf(ctx.db, user.id);
  const roles = [...new Set(input.roles)].sort();
  await replaceRoles(ctx.db, user.id, roles);
  await recordAudit(ctx, {
    action: 'user.roles-changed',
    targetType: 'user',
    targetId: user.id,
    data: { before, after: roles },
  });
  return userRowView(user, roles);
}

/**
 * The account admin disables (or enables again) one of the partner's users. Disabling revokes
 * every session, API token and password link of the user at once; enabling gives none back (it
 * signs in again).
 */
export async function setPartnerUserDisabled(ctx: Ctx, input: { userId: string; disabled: boolean }) {
  const user = await ownUser(ctx, input.userId);
  if (input.disabled && !user.disabled_at) {
    await keepAnAccountAdmin(ctx, user);
    const now = systemClock.now();
    await setDisabled(ctx.db, user.id, now);
    const revoked = await endUserAccess(ctx.db, user.id, now);
    await recordAudit(ctx, {
      action: 'user.disabled',
      targetType: 'user',
      targetId: user.id,
      data: { revoked },
    });
  } else if (!input.disabled && user.disabled_at) {
    await setDisabled(ctx.db, user.id, null);
    await recordAudit(ctx, { action: 'user.enabled', targetType: 'user', targetId: user.id });
  } else {
    // Already so: nothing changes, but the request is on the trail like any other.
    await recordAudit(ctx, { action: 'user.unchanged', targetType: 'user', targetId: user.id, data: input });
  }
  return { ...userRowView(user, await rolesOf(ctx.db, user.id)), disabled: input.disabled };
}

/**
 * The account admin resets a user's password: it answers a one-time set-password link to hand
 * over, and never learns or sets the password itself. The old password works until the link is used.
 */
export async function resetPartnerUserPassword(ctx: Ctx, input: { userId: string }) {
  const user = await ownUser(ctx, input.userId);
  if (user.disabled_at) throw new DomainError('user_disabled');
  return issuePasswordLink(ctx, { userId: user.id, purpose: 'set', partnerId: user.partner_id });
}

/** Batch reader for other modules: partner id → name. */
export async function partnerNames(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  ids: string[],
): Promise<Map<string, string>> {
  const rows = await partnerNameRows(ctx.db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Two-tier (SPEC §7): is this reseller actively linked to this provider? */
export async function isIndirectlyLinked(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  providerId: string,
  resellerId: string,
) {
  return (await findIndirectLink(ctx.db, providerId, resellerId))?.status === 'active';
}

/** Links a reseller to its provider (again, if the link was removed); false when already linked. */
export async function linkIndirectReseller(ctx: Ctx, providerId: string, resellerId: string) {
  if (await isIndirectlyLinked(ctx, providerId, resellerId)) return false;
  await upsertActiveLink(ctx.db as Trx, providerId, resellerId, ctx.clock.now());
  return true;
}

/** A provider's links to its resellers, or a reseller's to its providers. */
export function indirectLinks(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  side: { providerId: string } | { resellerId: string },
) {
  return listLinkRows(ctx.db, side);
}
