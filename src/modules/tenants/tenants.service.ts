import { randomUUID } from 'node:crypto';
import { regionMismatch, regionOf } from '../../domain/regions.ts';
import type { Db, TenantRow, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import type { CsvColumn } from '../../platform/http/list.ts';
import { decodePairCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { issuePasswordLink, type PasswordLink } from '../auth/index.ts';
import { findPartner } from '../partners/index.ts';
import { createUser, toUserView } from '../users/index.ts';
import { insertAcceptedRelationship } from './tenant-relationships.repo.ts';
import {
  countTenantRows,
  domainTaken,
  findTenant,
  insertDirectoryUser,
  insertDirectoryUsers,
  insertTenant,
  listTenantRows,
  relationshipOf,
  sortedTenantRows,
  type TenantFilter,
  type TenantSort,
  tenantNameRows,
  tenantSummaryRows,
  upnTaken,
} from './tenants.repo.ts';

type Relationship = { id: string; status: string; acceptedAt: string } | null;

export function toTenantView(t: TenantRow, relationship?: Relationship) {
  return {
    id: t.id,
    companyName: t.company_name,
    defaultDomain: t.default_domain,
    country: t.country,
    region: t.region,
    createdAt: t.created_at.toISOString(),
    ...(relationship !== undefined ? { relationship } : {}),
  };
}

export interface CreateTenantInput {
  companyName: string;
  defaultDomain: string;
  country: string;
  /** Without a password, the admin gets a one-time set-password link (answered, to hand over). */
  admin?: { email: string; password?: string; displayName?: string };
  users?: DirectoryUserInput[];
}

type DirectoryUserInput = {
  userPrincipalName: string;
  displayName: string;
  licenses?: { skuId: string; excludedPlans?: string[] }[];
};

/**
 * Creates a customer tenant with its directory and (optionally) its global admin. An admin given
 * no password sets its own through the one-time link answered as `adminPasswordLink`, so that
 * nobody else ever knows it.
 */
/**
 * The context of the use cases that can create licensed directory users: the licenses module sits
 * above this one in the module graph (it reads the directory), so the caller hands its
 * `updateUserLicenses` in (the routes get it from app.ts).
 */
export type LicensingCtx = Ctx & {
  updateUserLicenses: (
    ctx: Ctx,
    input: {
      tenantId: string;
      userId: string;
      assign: { skuId: string; excludedPlans?: string[] }[];
      remove: string[];
    },
  ) => Promise<{ licenses: { skuId: string; excludedPlans: string[]; hasAccess: boolean }[] }>;
};

export async function createTenant(
  ctx: LicensingCtx,
  input: CreateTenantInput,
): Promise<TenantRow & { adminPasswordLink?: PasswordLink }> {
  const country = input.country.toUpperCase();
  const region = regionOf(country);
  if (!region) throw new DomainError('unknown_country', { country: input.country });
  if (await domainTaken(ctx.db, input.defaultDomain))
    throw new DomainError('domain_taken', { domain: input.defaultDomain });
  const id = randomUUID();
  const now = ctx.clock.now();
  await insertTenant(ctx.db, {
    id,
    companyName: input.companyName,
    defaultDomain: input.defaultDomain,
    country,
    region,
    now,
  });
  await recordAudit(ctx, {
    action: 'tenant.created',
    targetType: 'tenant',
    targetId: id,
    tenantId: id,
    data: { companyName: input.companyName, defaultDomain: input.defaultDomain, country },
  });
  let adminPasswordLink: PasswordLink | undefined;
  if (input.admin) {
    const admin = await createUser(ctx, {
      ...input.admin,
      kind: 'customer',
      roles: ['global-admin'],
      tenantId: id,
    });
    if (!input.admin.password)
      adminPasswordLink = await issuePasswordLink(ctx, { userId: admin.id, purpose: 'set', tenantId: id });
  }
  const users = input.users ?? [];
  if (users.some((u) => u.licenses && u.licenses.length > 0)) {
    for (const u of users) await addDirectoryUser(ctx, { tenantId: id, ...u });
  } else if (users.length > 0) {
    // A new directory without licenses: one statement and one audit row, not one per user.
    const seen = new Set<string>();
    for (const u of users) {
      const key = u.userPrincipalName.toLowerCase();
      if (seen.has(key)) throw new DomainError('user_exists', { userPrincipalName: u.userPrincipalName });
      seen.add(key);
    }
    const rows = users.map((u) => ({
      id: randomUUID(),
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
    }));
    await insertDirectoryUsers(ctx.db, id, rows, now);
    await recordAudit(ctx, {
      action: 'directory-users.created',
      targetType: 'tenant',
      targetId: id,
      tenantId: id,
      data: { users: rows.map((r) => r.id) },
    });
  }
  return { ...(await findTenant(ctx.db, id))!, ...(adminPasswordLink ? { adminPasswordLink } : {}) };
}

/** The tenant's view, with the admin's set-password link when one was made. */
export function toCreatedTenantView(
  t: TenantRow & { adminPasswordLink?: PasswordLink },
  relationship?: Relationship,
) {
  return {
    ...toTenantView(t, relationship),
    ...(t.adminPasswordLink ? { adminPasswordLink: t.adminPasswordLink } : {}),
  };
}

/**
 * A partner creates a brand-new customer: the tenant starts with this partner as its reseller.
 * Its admin never gets a password from the partner: it sets its own through the link answered.
 */
export async function createCustomer(ctx: LicensingCtx, input: CreateTenantInput) {
  const partner = await findPartner(ctx.db, ctx.actor.partnerId!);
  if (!partner) throw new DomainError('partner_not_found');
  const region = regionOf(input.country.toUpperCase());
  if (region && region !== partner.region) {
    throw new DomainError('region_mismatch', regionMismatch(partner.region, region));
  }
  const tenant = await createTenant(ctx, input);
  const now = ctx.clock.now();
  const relId = await insertAcceptedRelationship(ctx.db, partner.id, tenant.id, now);
  await recordAudit(ctx, {
    action: 'relationship.created',
    targetType: 'relationship',
    targetId: relId,
    tenantId: tenant.id,
    partnerId: partner.id,
  });
  return toCreatedTenantView(tenant, { id: relId, status: 'accepted', acceptedAt: now.toISOString() });
}

export async function addDirectoryUser(ctx: LicensingCtx, input: DirectoryUserInput & { tenantId: string }) {
  if (!(await findTenant(ctx.db, input.tenantId))) throw new DomainError('tenant_not_found');
  if (await upnTaken(ctx.db, input.tenantId, input.userPrincipalName)) {
    throw new DomainError('user_exists', { userPrincipalName: input.userPrincipalName });
  }
  const id = randomUUID();
  const { licenses, ...user } = input;
  await insertDirectoryUser(ctx.db, { id, ...user, now: ctx.clock.now() });
  await recordAudit(ctx, {
    action: 'directory-user.created',
    targetType: 'directory-user',
    targetId: id,
    tenantId: input.tenantId,
  });
  const view = {
    id,
    tenantId: input.tenantId,
    userPrincipalName: input.userPrincipalName,
    displayName: input.displayName,
  };
  if (!licenses || licenses.length === 0) return view;
  const licensed = await ctx.updateUserLicenses(ctx, {
    tenantId: input.tenantId,
    userId: id,
    assign: licenses,
    remove: [],
  });
  return {
    ...view,
    licenses: licensed.licenses.map((l) => ({
      skuId: l.skuId,
      excludedPlans: l.excludedPlans,
      hasAccess: l.hasAccess,
    })),
  };
}

export async function listCustomers(
  ctx: Ctx<Db>,
  input: { cursor?: string; limit?: number; search?: string },
) {
  const limit = input.limit ?? 50;
  const after = decodePairCursor(input.cursor);
  const partnerId = ctx.actor.kind === 'partner' ? ctx.actor.partnerId! : undefined;
  const rows = await listTenantRows(ctx.db, {
    ...(partnerId ? { partnerId } : {}),
    ...(input.search ? { search: input.search } : {}),
    ...(after ? { after } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (t) => toTenantView(t),
    (t) => [t.company_name, t.id],
  );
}

/** The customers list's filter (`/api/customers`): the caller's scope, `q` (or `search`), country. */
export function customerFilter(
  ctx: Ctx<Db>,
  input: { search?: string; q?: string; country?: string },
): TenantFilter {
  const partnerId = ctx.actor.kind === 'partner' ? ctx.actor.partnerId! : undefined;
  const search = input.q ?? input.search;
  return {
    ...(partnerId ? { partnerId } : {}),
    ...(search ? { search } : {}),
    ...(input.country ? { country: input.country } : {}),
  };
}

export async function sortedCustomers(
  ctx: Ctx<Db>,
  f: TenantFilter,
  w: { sort: { field: TenantSort; direction: 'asc' | 'desc' }; offset: number; limit: number },
) {
  return (await sortedTenantRows(ctx.db, f, w)).map((t) => toTenantView(t));
}

export function countCustomers(ctx: Ctx<Db>, f: TenantFilter) {
  return countTenantRows(ctx.db, f);
}

export const CUSTOMER_CSV: CsvColumn<ReturnType<typeof toTenantView>>[] = [
  { header: 'tenantId', value: (t) => t.id },
  { header: 'companyName', value: (t) => t.companyName },
  { header: 'defaultDomain', value: (t) => t.defaultDomain },
  { header: 'country', value: (t) => t.country },
  { header: 'region', value: (t) => t.region },
  { header: 'createdAt', value: (t) => t.createdAt },
];

export async function getCustomer(ctx: Ctx<Db>, input: { tenantId: string }) {
  const tenant = await findTenant(ctx.db, input.tenantId);
  if (!tenant) throw new DomainError('tenant_not_found');
  if (ctx.actor.kind !== 'partner') return toTenantView(tenant);
  const rel = await relationshipOf(ctx.db, ctx.actor.partnerId!, tenant.id);
  return toTenantView(
    tenant,
    rel ? { id: rel.id, status: rel.status, acceptedAt: rel.accepted_at.toISOString() } : null,
  );
}

export async function getOwnTenant(ctx: Ctx<Db>) {
  return getCustomer(ctx, { tenantId: ctx.actor.tenantId! });
}

/** The operator adds a sign-in account to a tenant: another global admin, or a plain user. */
export async function addTenantAccount(
  ctx: Ctx,
  input: { tenantId: string; email: string; password: string; displayName?: string; roles: string[] },
) {
  if (!(await findTenant(ctx.db, input.tenantId))) throw new DomainError('tenant_not_found');
  const { tenantId, ...account } = input;
  return toUserView(await createUser(ctx, { ...account, kind: 'customer', tenantId }));
}

/** Batch reader for other modules: tenant id → company name. */
/** A batch of tenants as a bill names them: company name, default domain, country. */
export async function tenantSummaries(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  ids: string[],
): Promise<Map<string, { name: string; domain: string; country: string }>> {
  const rows = await tenantSummaryRows(ctx.db, [...new Set(ids)]);
  return new Map(
    rows.map((r) => [r.id, { name: r.company_name, domain: r.default_domain, country: r.country }]),
  );
}

export async function tenantNames(
  ctx: Pick<Ctx<Db | Trx>, 'db'>,
  ids: string[],
): Promise<Map<string, string>> {
  const rows = await tenantNameRows(ctx.db, [...new Set(ids)]);
  return new Map(rows.map((r) => [r.id, r.company_name]));
}
