import { burnPasswordCheck, verifyPassword } from '../../platform/auth/passwords.ts';
import {
  createSession,
  listApiTokenRows,
  revokeApiTokenRow,
  revokeSession,
} from '../../platform/auth/sessions.ts';
import { type Ctx, openContext } from '../../platform/context.ts';
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/errors.ts';
import { decodeKeyCursor, toPage } from '../../platform/http/schemas.ts';
import { recordAudit } from '../audit/index.ts';
import { findUser, findUserForLogin, rolesOf, userRowView } from '../users/index.ts';
import { ANONYMOUS, type PublicCtx, withinSignInBudget } from './accounts.service.ts';

/**
 * The sign-in use case: the attempt takes one from the e-mail's budget before any password is
 * checked (one atomic statement, outside the sign-in transaction, so a failure stays counted);
 * over the budget it is refused unchecked with `too_many_login_attempts`. A success starts the
 * count again.
 */
export async function signIn(src: PublicCtx, input: { email: string; password: string }) {
  return withinSignInBudget(src.db, src.config, input.email, () =>
    openContext({ ...src, actor: ANONYMOUS }, (ctx) => login(ctx, input)),
  );
}

/**
 * Signs in with e-mail and password. A wrong e-mail, a wrong password, an account without a
 * password yet and a disabled account answer the same `invalid_credentials` after the same
 * argon2 work, so none is revealed.
 */
export async function login(ctx: Omit<Ctx, 'actor'>, input: { email: string; password: string }) {
  const user = await findUserForLogin(ctx.db, input.email);
  if (!user?.password_hash || user.disabled_at) {
    await burnPasswordCheck(input.password, ctx.config.argon2);
    throw new DomainError('invalid_credentials');
  }
  if (!(await verifyPassword(user.password_hash, input.password)))
    throw new DomainError('invalid_credentials');
  const roles = await rolesOf(ctx.db, user.id);
  const now = new Date();
  const session = await createSession(ctx.db, {
    userId: user.id,
    kind: 'session',
    now,
    expiresAt: new Date(now.getTime() + ctx.config.sessionTtlHours * 3_600_000),
  });
  const view = userRowView(user, roles);
  await recordAudit(
    {
      ...ctx,
      actor: {
        userId: user.id,
        email: user.email,
        kind: user.kind,
        roles: roles as Ctx['actor']['roles'],
        partnerId: user.partner_id,
        tenantId: user.tenant_id,
        sessionId: session.id,
      },
    },
    { action: 'session.created', targetType: 'session', targetId: session.id },
  );
  return {
    token: session.token,
    expiresAt: session.expiresAt.toISOString(),
    user: view,
    sessionId: session.id,
  };
}

export async function logout(ctx: Ctx) {
  await revokeSession(ctx.db, ctx.actor.sessionId, new Date());
  await recordAudit(ctx, { action: 'session.revoked', targetType: 'session', targetId: ctx.actor.sessionId });
}

export async function me(ctx: Ctx<Db>) {
  const roles = await rolesOf(ctx.db, ctx.actor.userId);
  // The account's own row through the users face (auth names no users table).
  const user = await findUser(ctx.db, ctx.actor.userId);
  if (!user) throw new DomainError('unauthenticated');
  return userRowView(user, roles);
}

/**
 * API tokens are for scripts: long-lived sessions with a name, listed and revoked by their owner.
 * Made only from a signed-in session, never by another token (a leaked token cannot mint
 * successors that outlive its revocation), and never longer-lived than TRASLADO_API_TOKEN_MAX_DAYS.
 */
export async function createApiToken(ctx: Ctx, input: { name: string; expiresInDays?: number }) {
  if (ctx.actor.credential !== 'session') throw new DomainError('api_token_needs_session');
  const max = ctx.config.apiTokenMaxDays;
  if (input.expiresInDays !== undefined && input.expiresInDays > max)
    throw new DomainError('api_token_lifetime_too_long', {
      maxDays: max,
      expiresInDays: input.expiresInDays,
    });
  const now = new Date();
  const days = Math.min(input.expiresInDays ?? ctx.config.apiTokenTtlDays, max);
  const s = await createSession(ctx.db, {
    userId: ctx.actor.userId,
    kind: 'api-token',
    name: input.name,
    now,
    expiresAt: new Date(now.getTime() + days * 86_400_000),
  });
  await recordAudit(ctx, {
    action: 'api-token.created',
    targetType: 'api-token',
    targetId: s.id,
    data: { name: input.name },
  });
  return {
    id: s.id,
    name: input.name,
    token: s.token,
    createdAt: now.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    lastUsedAt: null,
  };
}

export async function listApiTokens(ctx: Ctx<Db>, input: { cursor?: string; limit?: number }) {
  const limit = input.limit ?? 50;
  const after = decodeKeyCursor(input.cursor);
  const rows = await listApiTokenRows(ctx.db, {
    userId: ctx.actor.userId,
    ...(after ? { after } : {}),
    limit,
  });
  return toPage(
    rows,
    limit,
    (r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
    }),
    (r) => r.id,
  );
}

export async function revokeApiToken(ctx: Ctx, input: { tokenId: string }) {
  const revoked = await revokeApiTokenRow(ctx.db, {
    userId: ctx.actor.userId,
    tokenId: input.tokenId,
    now: new Date(),
  });
  if (!revoked) throw new DomainError('api_token_not_found');
  await recordAudit(ctx, { action: 'api-token.revoked', targetType: 'api-token', targetId: input.tokenId });
}
