import { randomUUID } from 'node:crypto';
import { regionOf } from '../../domain/regions.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodeKeyCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findUser, listUsers, replaceRoles, rolesOf } from '../users/users.repo.ts';
import { checkRoles, createUser, toUserView, userRowView } from '../users/users.service.ts';
import { findPartner, insertPartner, listPartnerRows, toPartnerView } from './partners.repo.ts';

export interface CreatePartnerInput {
  name: string;
  country: string;
  kind?: 'direct-bill' | 'indirect-provider' | 'indirect-reseller';
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
    now: ctx.clock.now(),
  });
  await recordAudit(ctx, {
    action: 'partner.created',
    targetType: 'partner',
    targetId: id,
    partnerId: id,
    data: { name: input.name, country },
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

export async function setPartnerUserRoles(ctx: Ctx, input: { userId: string; roles: string[] }) {
  const user = await findUser(ctx.db, input.userId);
  // Another partner's user does not exist, as far as this partner can tell.
  if (!user || user.partner_id !== ctx.actor.partnerId) throw new DomainError('user_not_found');
  checkRoles('partner', input.roles);
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
