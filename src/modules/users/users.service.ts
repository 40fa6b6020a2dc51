import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../platform/auth/passwords.ts';
import { CUSTOMER_ROLES, PARTNER_ROLES, type Role } from '../../platform/auth/permissions.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Ctx } from '../../platform/http/context.ts';
import { recordAudit } from '../audit/index.ts';
import { emailExists, insertUser, partnersWithAgents, type UserRecord } from './users.repo.ts';

const ROLES_BY_KIND: Record<UserRecord['kind'], readonly Role[]> = {
  partner: PARTNER_ROLES,
  customer: CUSTOMER_ROLES,
  operator: ['operator'],
};

export function checkRoles(kind: UserRecord['kind'], roles: readonly string[]): asserts roles is Role[] {
  for (const role of roles) {
    if (!(ROLES_BY_KIND[kind] as readonly string[]).includes(role))
      throw new DomainError('invalid_role', { role, kind });
  }
}

export interface CreateUserInput {
  email: string;
  displayName?: string;
  /** Left out: the account has no password until its holder sets one through a one-time link. */
  password?: string;
  kind: UserRecord['kind'];
  roles: string[];
  partnerId?: string | null;
  tenantId?: string | null;
}

/**
 * Creates a sign-in account. The password is hashed with argon2id; the clear text is never kept.
 * Without a password nobody can sign in as it until a set-password link is used.
 */
export async function createUser(ctx: Ctx, input: CreateUserInput) {
  checkRoles(input.kind, input.roles);
  if (await emailExists(ctx.db, input.email)) throw new DomainError('email_taken', { email: input.email });
  const user = {
    id: randomUUID(),
    email: input.email.toLowerCase(),
    displayName: input.displayName ?? input.email.split('@')[0]!,
    kind: input.kind,
    partnerId: input.partnerId ?? null,
    tenantId: input.tenantId ?? null,
    createdAt: ctx.clock.now(),
    roles: [...new Set(input.roles)].sort(),
  };
  const passwordHash = input.password ? await hashPassword(input.password, ctx.config.argon2) : null;
  await insertUser(ctx.db, { ...user, passwordHash });
  await recordAudit(ctx, {
    action: 'user.created',
    targetType: 'user',
    targetId: user.id,
    partnerId: user.partnerId,
    tenantId: user.tenantId,
    data: { email: user.email, roles: user.roles },
  });
  return user;
}

export function toUserView(
  u: Pick<
    UserRecord,
    'id' | 'email' | 'displayName' | 'roles' | 'partnerId' | 'tenantId' | 'kind' | 'disabled'
  >,
) {
  return {
    ...(u.disabled !== undefined ? { disabled: u.disabled } : {}),
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    kind: u.kind,
    roles: u.roles,
    ...(u.partnerId ? { partnerId: u.partnerId } : {}),
    ...(u.tenantId ? { tenantId: u.tenantId } : {}),
  };
}

/** A sign-in account's view from its stored row and roles. */
export function userRowView(
  u: {
    id: string;
    email: string;
    display_name: string;
    kind: UserRecord['kind'];
    partner_id: string | null;
    tenant_id: string | null;
  },
  roles: string[],
) {
  return toUserView({
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    kind: u.kind,
    roles,
    partnerId: u.partner_id,
    tenantId: u.tenant_id,
  });
}

/**
 * Partners "on the platform" (SPEC §7): with an enabled user who may answer a transfer request
 * (account admin, admin agent or sales agent). Others are recorded, not present: their sources
 * stay `other-party`.
 */
export function partnersOnPlatform(ctx: Pick<Ctx<Db | Trx>, 'db'>, partnerIds: string[]) {
  return partnersWithAgents(ctx.db, [...new Set(partnerIds)]);
}
