import { randomUUID } from 'node:crypto';
import { addDaysUtc } from '../../domain/calendar.ts';
import { regionMismatch } from '../../domain/regions.ts';
import { issueSignedToken, signingSecret } from '../../platform/auth/signing.ts';
import type { Db, PartnerRow, TenantRow } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { decodePairCursor, decodeTimeCursor, toPage } from '../../platform/http/schemas.ts';
import { mailEnabled, sendMail } from '../../platform/mail.ts';
import { recordAudit } from '../audit/index.ts';
import {
  checkedGrantRoles,
  delegatedAdminByPartner,
  endDelegatedAdminWithRelationship,
} from '../delegated-admin/index.ts';
import { recordEvent } from '../outbox/index.ts';
import { findPartner, isIndirectlyLinked, partnersByIds } from '../partners/index.ts';
import { countPartnerSubscriptionsInUse } from '../subscriptions/index.ts';
import {
  acceptedRelationshipsOfTenant,
  findTenant,
  findTenantByDomain,
  hasAcceptedRelationship,
  lockAcceptedRelationship,
  markRelationshipRemoved,
  tenantSummaries,
} from '../tenants/index.ts';
import {
  closeRelationshipRequest,
  findRelationshipRequest,
  insertRelationshipRequest,
  listRelationshipRequestRows,
  type RelationshipRequestRow,
} from './relationships.repo.ts';

export const INVITATION_PURPOSE = 'invitation';

export interface DelegatedAdminAsked {
  roles: string[];
  durationDays: number;
  autoExtend: boolean;
}

/** A partner may only serve tenants of its own region; the error names both, as people read them. */
export function assertSameRegion(partner: PartnerRow, tenant: TenantRow) {
  if (partner.region === tenant.region) return;
  throw new DomainError('region_mismatch', regionMismatch(partner.region, tenant.region));
}

export function requestStatusAt(r: RelationshipRequestRow, now: Date) {
  if (r.status === 'pending' && now.getTime() >= r.expires_at.getTime()) return 'expired' as const;
  return r.status;
}

export function delegatedAdminAsked(r: RelationshipRequestRow): DelegatedAdminAsked | null {
  const d = r.delegated_admin as Partial<DelegatedAdminAsked> | null;
  if (!d) return null;
  return { roles: d.roles ?? [], durationDays: d.durationDays ?? 0, autoExtend: !!d.autoExtend };
}

type Customers = Map<string, { name: string; domain: string }>;

/** The tenant a request shows: the one asked, or a prospect's once accepted (a decline stays private). */
const shownTenantId = (r: RelationshipRequestRow) =>
  r.tenant_id ?? (r.status === 'accepted' ? r.responded_tenant_id : null);

/** The customers the requests are for, by tenant id, to name them (never an id) in the console. */
async function customersOf(ctx: Ctx<Db>, rows: RelationshipRequestRow[]): Promise<Customers> {
  const ids = rows.map(shownTenantId).filter((id): id is string => !!id);
  return ids.length > 0 ? tenantSummaries(ctx, ids) : new Map();
}

export function toRequestView(r: RelationshipRequestRow, now: Date, customers?: Customers) {
  const status = requestStatusAt(r, now);
  const tenantId = shownTenantId(r);
  const customer = tenantId ? customers?.get(tenantId) : undefined;
  return {
    id: r.id,
    status,
    tenantId,
    // The partner typed the domain; the company's name shows once the customer accepted (before, the
    // tenant is not the partner's to see).
    customer: customer
      ? { name: status === 'accepted' ? customer.name : null, domain: customer.domain }
      : null,
    delegatedAdmin: delegatedAdminAsked(r),
    dap: false as const,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    respondedAt: r.responded_at?.toISOString() ?? null,
    relationshipId: r.relationship_id,
    indirectProviderId: r.indirect_provider_id,
  };
}

async function targetTenant(ctx: Ctx, input: { tenantId?: string; domain?: string }) {
  if (!input.tenantId && !input.domain) return null;
  const byId = input.tenantId ? await findTenant(ctx.db, input.tenantId) : undefined;
  const byDomain = input.domain ? await findTenantByDomain(ctx.db, input.domain) : undefined;
  if ((input.tenantId && !byId) || (input.domain && !byDomain)) throw new DomainError('tenant_not_found');
  if (byId && byDomain && byId.id !== byDomain.id) throw new DomainError('relationship_target_mismatch');
  return (byId ?? byDomain)!;
}

/**
 * A partner asks a tenant (known by id or domain) or a prospect (neither) for a reseller
 * relationship: a signed, single-use, expiring invitation link. For a known tenant the region
 * rule is checked now; for a prospect, at acceptance.
 */
export async function requestRelationship(
  ctx: Ctx,
  input: {
    tenantId?: string;
    domain?: string;
    delegatedAdmin?: { roles: string[]; durationDays: number; autoExtend?: boolean };
    indirectProviderId?: string;
  },
) {
  // Roles off the list, or Global Administrator with auto-extend: refused before anything else.
  const roles = input.delegatedAdmin
    ? checkedGrantRoles(input.delegatedAdmin.roles, !!input.delegatedAdmin.autoExtend)
    : [];
  const partner = await findPartner(ctx.db, ctx.actor.partnerId ?? '');
  if (!partner) throw new DomainError('partner_not_found');
  // SPEC §7: an indirect reseller reaches customers through one of its providers, and only so.
  if (partner.kind === 'indirect-reseller' && !input.indirectProviderId)
    throw new DomainError('indirect_provider_required');
  const provider = input.indirectProviderId ? await findPartner(ctx.db, input.indirectProviderId) : undefined;
  if (
    input.indirectProviderId &&
    (partner.kind !== 'indirect-reseller' ||
      !provider ||
      !(await isIndirectlyLinked(ctx, provider.id, partner.id)))
  )
    throw new DomainError('indirect_provider_invalid', { indirectProviderId: input.indirectProviderId });
  const tenant = await targetTenant(ctx, input);
  if (tenant) {
    assertSameRegion(partner, tenant);
    if (provider) assertSameRegion(provider, tenant);
    if (await hasAcceptedRelationship(ctx.db, partner.id, tenant.id))
      throw new DomainError('relationship_exists');
  }
  const now = ctx.clock.now();
  const id = randomUUID();
  const { token, tokenHash } = issueSignedToken(await signingSecret(ctx.db, ctx.config), INVITATION_PURPOSE);
  const asked = input.delegatedAdmin
    ? {
        roles,
        durationDays: input.delegatedAdmin.durationDays,
        autoExtend: !!input.delegatedAdmin.autoExtend,
      }
    : null;
  await insertRelationshipRequest(ctx.db, {
    id,
    partnerId: partner.id,
    tenantId: tenant?.id ?? null,
    tokenHash,
    delegatedAdmin: asked,
    createdByUserId: ctx.actor.userId,
    indirectProviderId: provider?.id ?? null,
    now,
    expiresAt: addDaysUtc(now, ctx.config.invitationTtlDays),
  });
  await recordAudit(ctx, {
    action: 'relationship.requested',
    targetType: 'relationship-request',
    targetId: id,
    tenantId: tenant?.id ?? null,
    partnerId: partner.id,
    data: { prospect: !tenant, delegatedAdmin: asked, indirectProviderId: provider?.id ?? null },
  });
  const row = (await findRelationshipRequest(ctx.db, id))!;
  return { ...toRequestView(row, now, await customersOf(ctx, [row])), url: `/invitations/${token}`, token };
}

export async function listRelationshipRequests(
  ctx: Ctx<Db>,
  input: {
    cursor?: string;
    limit?: number;
    status?: 'pending' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
  },
) {
  const limit = input.limit ?? 50;
  const before = decodeTimeCursor(input.cursor);
  const now = ctx.clock.now();
  const rows = await listRelationshipRequestRows(ctx.db, {
    partnerId: ctx.actor.partnerId!,
    now,
    ...(input.status ? { status: input.status } : {}),
    ...(before ? { before } : {}),
    limit,
  });
  const customers = await customersOf(ctx, rows);
  return toPage(
    rows,
    limit,
    (r) => toRequestView(r, now, customers),
    (r) => [r.created_at.toISOString(), r.id],
  );
}

/** The partner takes back a pending invitation: its link stops working at once. */
export async function withdrawRelationshipRequest(ctx: Ctx, input: { id: string }) {
  const row = await findRelationshipRequest(ctx.db, input.id);
  if (!row || row.partner_id !== ctx.actor.partnerId) throw new DomainError('relationship_request_not_found');
  const now = ctx.clock.now();
  const status = requestStatusAt(row, now);
  if (status !== 'pending') throw new DomainError('relationship_request_not_pending', { status });
  if (
    !(await closeRelationshipRequest(ctx.db, row.id, { status: 'withdrawn', now, userId: ctx.actor.userId }))
  ) {
    throw new DomainError('conflict');
  }
  await recordAudit(ctx, {
    action: 'relationship-request.withdrawn',
    targetType: 'relationship-request',
    targetId: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
  });
  const withdrawn = (await findRelationshipRequest(ctx.db, row.id))!;
  return toRequestView(withdrawn, now, await customersOf(ctx, [withdrawn]));
}

/** The customer's view: every partner it has a relationship with, and the delegated admin each holds. */
export async function listTenantPartners(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const after = decodePairCursor(input.cursor);
  const tenantId = ctx.actor.tenantId!;
  const now = ctx.clock.now();
  // A tenant has few partners: its relationships and their partners in two batch reads, ordered by
  // name and id here, and the page cut after the cursor.
  const relationships = await acceptedRelationshipsOfTenant(ctx.db, tenantId);
  const partners = new Map(
    (
      await partnersByIds(
        ctx.db,
        relationships.map((r) => r.partner_id),
      )
    ).map((p) => [p.id, p]),
  );
  const byName = (x: [string, string], y: [string, string]) =>
    x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
  const rows = relationships
    .flatMap((r) => {
      const p = partners.get(r.partner_id);
      return p ? [{ ...r, name: p.name, country: p.country, region: p.region, kind: p.kind }] : [];
    })
    .sort((x, y) => byName([x.name, x.partner_id], [y.name, y.partner_id]))
    .filter((r) => !after || byName([r.name, r.partner_id], after) > 0)
    .slice(0, limit + 1);
  const grants = await delegatedAdminByPartner(
    ctx.db,
    tenantId,
    rows.map((r) => r.partner_id),
    now,
  );
  return toPage(
    rows,
    limit,
    (r) => {
      const list = grants.get(r.partner_id) ?? [];
      return {
        partner: { id: r.partner_id, name: r.name, country: r.country, region: r.region, kind: r.kind },
        relationship: { id: r.relationship_id, status: r.status, acceptedAt: r.accepted_at.toISOString() },
        delegatedAdmin: { canActOnBehalf: list.some((g) => g.status === 'active'), grants: list },
      };
    },
    (r) => [r.name, r.partner_id],
  );
}

/**
 * Ends a reseller relationship (asked by the partner or the customer), only once no active
 * subscription of that partner remains in the tenant. Its delegated admin ends with it.
 */
export async function removeRelationship(
  ctx: Ctx,
  input: { partnerId: string; tenantId: string; reason?: string },
) {
  // Locked first: an order placed meanwhile either committed (and is counted below) or waits.
  const rel = await lockAcceptedRelationship(ctx.db, input.partnerId, input.tenantId);
  if (!rel) throw new DomainError('relationship_not_found');
  const now = ctx.clock.now();
  const live = await countPartnerSubscriptionsInUse(ctx, input.tenantId, input.partnerId);
  if (live > 0) throw new DomainError('relationship_has_active_subscriptions', { count: live });
  if (!(await markRelationshipRemoved(ctx.db, rel.id, now))) throw new DomainError('conflict');
  const grantIds = await endDelegatedAdminWithRelationship(ctx, input.partnerId, input.tenantId);
  await recordAudit(ctx, {
    action: 'relationship.removed',
    targetType: 'relationship',
    targetId: rel.id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
    data: { removedDelegatedAdmin: grantIds, ...(input.reason ? { reason: input.reason } : {}) },
  });
  await recordEvent(ctx, 'relationship.removed', {
    relationshipId: rel.id,
    tenantId: input.tenantId,
    partnerId: input.partnerId,
  });
  return {
    id: rel.id,
    partnerId: rel.partner_id,
    tenantId: rel.tenant_id,
    status: 'removed',
    acceptedAt: rel.accepted_at.toISOString(),
    removedAt: now.toISOString(),
  };
}

/**
 * E-mails an invitation link, after the invitation has committed (a side effect, never inside the
 * transaction). A mail failure is logged and answered as `false`: the link can still be copied.
 */
export async function emailInvitation(ctx: Ctx<Db>, input: { to: string; url: string; expiresAt: string }) {
  if (!mailEnabled(ctx.config)) return false;
  const base = ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
  const partner = await findPartner(ctx.db, ctx.actor.partnerId ?? '');
  const who = partner?.name ?? 'A partner';
  try {
    await sendMail(ctx.config, {
      to: input.to,
      subject: `${who} asks to become your reseller`,
      text:
        `${who} asks to become a reseller of your organisation.\n\n` +
        'Open this link, signed in as a global admin of your tenant, to see what is asked and accept or decline:\n' +
        `${base}${input.url}\n\nThe link can be used once and expires on ${input.expiresAt}.\n`,
    });
    return true;
  } catch (err) {
    ctx.log.warn({ err }, 'invitation e-mail not sent');
    return false;
  }
}
