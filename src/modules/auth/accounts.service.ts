import { randomUUID } from 'node:crypto';
import { clearFailures, reserveAttempt } from '../../platform/auth/login-throttle.ts';
import { hashPassword, verifyPassword } from '../../platform/auth/passwords.ts';
import { revokeUserSessions } from '../../platform/auth/sessions.ts';
import {
  hashToken,
  issueSignedToken,
  signingSecret,
  verifySignedToken,
} from '../../platform/auth/signing.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import { type Actor, type ContextSource, type Ctx, openContext } from '../../platform/context.ts';
import type { Db, Trx } from '../../platform/db/database.ts';
import { DomainError, isDomainError } from '../../platform/errors.ts';
import { mailEnabled, sendMail } from '../../platform/mail.ts';
import { recordAudit } from '../audit/index.ts';
import { findUser, findUserForLogin, rolesOf, setPasswordHash } from '../users/index.ts';
import { insertPasswordLink, lockPasswordLink, spendPasswordLinks } from './password-links.repo.ts';

/**
 * Passwords people run themselves: change (knowing the current one), reset by an e-mailed link,
 * set through a link an admin handed over (a new account, a reset by the partner's account
 * admin), and sign out everywhere. A link is signed, single-use, expires, and is stored hashed;
 * using it revokes every session and API token of its user.
 */
export const PASSWORD_LINK_PURPOSE = 'password';
/** Reset e-mails per address within the sign-in window: enough for a lost mail, not a mail bomb. */
const RESET_MAILS_PER_WINDOW = 3;
const RESET_SCOPE = 'reset ';

export interface PasswordLink {
  url: string;
  token: string;
  expiresAt: string;
}

/**
 * Work done for someone not signed in (sign-in, reset, set-password): what a request has besides
 * a user. Its transactions open through `openContext` as `ANONYMOUS`; the use case names the user
 * it acts for once it knows them.
 */
export type PublicCtx = Omit<ContextSource, 'actor'>;

/** Who acts before anyone is known. */
export const ANONYMOUS: Actor = {
  userId: 'system',
  email: 'anonymous',
  kind: 'operator',
  roles: [],
  partnerId: null,
  tenantId: null,
  sessionId: 'none',
};

function actorOfUser(
  u: { id: string; email: string; kind: Actor['kind']; partner_id: string | null; tenant_id: string | null },
  roles: string[],
): Actor {
  return {
    userId: u.id,
    email: u.email,
    kind: u.kind,
    roles: roles as Actor['roles'],
    partnerId: u.partner_id,
    tenantId: u.tenant_id,
    sessionId: 'none',
  };
}

/** Links expire on wall-clock time, like sessions: moving the demo clock does not revive one. */
export async function issuePasswordLink(
  ctx: Ctx,
  input: { userId: string; purpose: 'reset' | 'set'; tenantId?: string | null; partnerId?: string | null },
): Promise<PasswordLink> {
  const { token, tokenHash } = issueSignedToken(
    await signingSecret(ctx.db, ctx.config),
    PASSWORD_LINK_PURPOSE,
  );
  const now = systemClock.now();
  const ttlMs =
    input.purpose === 'reset'
      ? ctx.config.passwordResetTtlMinutes * 60_000
      : ctx.config.passwordSetTtlHours * 3_600_000;
  const expiresAt = new Date(now.getTime() + ttlMs);
  const id = randomUUID();
  await insertPasswordLink(ctx.db, {
    id,
    tokenHash,
    userId: input.userId,
    purpose: input.purpose,
    now,
    expiresAt,
  });
  await recordAudit(ctx, {
    action: 'password-link.issued',
    targetType: 'user',
    targetId: input.userId,
    tenantId: input.tenantId ?? null,
    partnerId: input.partnerId ?? null,
    data: { purpose: input.purpose, linkId: id },
  });
  return { url: `/set-password?token=${token}`, token, expiresAt: expiresAt.toISOString() };
}

/**
 * Runs a password check within the e-mail's sign-in budget: the attempt is counted (in its own
 * statement, outside any transaction that a failure rolls back) before `check` runs, and the
 * count starts again only when `check` succeeds.
 */
export async function withinSignInBudget<T>(db: Db, config: Config, email: string, check: () => Promise<T>) {
  await reserveAttempt(db, email, systemClock.now(), throttleOf(config));
  const result = await check();
  await clearFailures(db, email);
  return result;
}

/**
 * The signed-in user changes its password, knowing the current one (checked within the sign-in
 * budget by the caller, `withinSignInBudget`, so that a stolen session is no free password
 * oracle). Its other browser sessions end; its API tokens stay.
 */
export async function changePassword(ctx: Ctx, input: { currentPassword: string; newPassword: string }) {
  const user = await findUser(ctx.db, ctx.actor.userId);
  if (!user) throw new DomainError('unauthenticated');
  if (!(await verifyPassword(user.password_hash, input.currentPassword)))
    throw new DomainError('current_password_invalid');
  await setPasswordHash(ctx.db, user.id, await hashPassword(input.newPassword, ctx.config.argon2));
  await spendPasswordLinks(ctx.db, user.id, systemClock.now());
  const ended = await revokeUserSessions(ctx.db, user.id, systemClock.now(), {
    except: ctx.actor.sessionId,
    kind: 'session',
  });
  await recordAudit(ctx, {
    action: 'password.changed',
    targetType: 'user',
    targetId: user.id,
    data: { sessionsEnded: ended },
  });
}

/** Sign out everywhere: every session and API token of the caller, this one included. */
export async function revokeAllSessions(ctx: Ctx) {
  const revoked = await revokeUserSessions(ctx.db, ctx.actor.userId, systemClock.now());
  await recordAudit(ctx, {
    action: 'sessions.revoked-all',
    targetType: 'user',
    targetId: ctx.actor.userId,
    data: { revoked },
  });
}

export function throttleOf(config: Config) {
  return { maxFailures: config.loginMaxFailures, windowMinutes: config.loginWindowMinutes };
}

/**
 * Someone asks for a reset link by e-mail. The answer is the same whoever asks (202, no body), so
 * it says nothing about who has an account; the mail goes out after commit, without being
 * awaited, so its time does not tell either. At most a few mails per address per window.
 */
export async function requestPasswordReset(ctx: PublicCtx, input: { email: string }): Promise<void> {
  let withinBudget = true;
  try {
    await reserveAttempt(
      ctx.db,
      input.email,
      systemClock.now(),
      { maxFailures: RESET_MAILS_PER_WINDOW, windowMinutes: ctx.config.loginWindowMinutes },
      RESET_SCOPE,
    );
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'too_many_login_attempts') throw err;
    withinBudget = false;
  }
  const user = await findUserForLogin(ctx.db, input.email);
  const canSend = withinBudget && !!user && !user.disabled_at && mailEnabled(ctx.config);
  await openContext({ ...ctx, actor: ANONYMOUS }, async (base) => {
    // The request is on the trail whoever asked; the link is made only for a real, enabled account.
    await recordAudit(base, {
      action: 'password-reset.requested',
      targetType: 'user',
      targetId: user?.id ?? null,
      data: { sent: canSend },
    });
    if (!canSend || !user) return;
    const actor = actorOfUser(user, await rolesOf(base.db, user.id));
    const link = await issuePasswordLink(
      { ...base, actor },
      { userId: user.id, purpose: 'reset', tenantId: user.tenant_id, partnerId: user.partner_id },
    );
    // The mail goes out once the link has committed, and is not awaited (its time tells nothing).
    base.afterCommit(() => {
      mailResetLink(ctx, user.email, link);
    });
  });
}

function mailResetLink(ctx: PublicCtx, to: string, link: PasswordLink) {
  const site = ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
  void sendMail(ctx.config, {
    to,
    subject: 'Reset your Traslado password',
    text:
      'Someone (hopefully you) asked to reset the password of your Traslado account.\n\n' +
      `Open this link to choose a new password:\n${site}${link.url}\n\n` +
      `The link works once and expires on ${link.expiresAt}. If you did not ask, ignore this e-mail: ` +
      'your password stays as it is.\n',
  }).catch((err) => ctx.log.warn({ err }, 'password-reset e-mail not sent'));
}

/**
 * Ends a user's access at once: every session and API token revoked, every open password link
 * spent (so that enabling the account again revives none of them).
 */
export async function endUserAccess(db: Trx, userId: string, now: Date): Promise<number> {
  await spendPasswordLinks(db, userId, now);
  return revokeUserSessions(db, userId, now);
}

/** The link behind a (signature-checked) token: `password_link_invalid` / `_used` / `_expired`. */
async function usableLink(trx: Trx, token: string) {
  const link = await lockPasswordLink(trx, hashToken(token));
  if (!link) throw new DomainError('password_link_invalid');
  if (link.used_at) throw new DomainError('password_link_used');
  if (link.expires_at.getTime() <= systemClock.now().getTime())
    throw new DomainError('password_link_expired');
  const user = await findUser(trx, link.user_id);
  // A disabled account's links are dead (disabling spends them, too).
  if (!user || user.disabled_at) throw new DomainError('password_link_invalid');
  return { link, user };
}

/**
 * A one-time link sets the password: the link and every other open link of the user are spent,
 * and every session and API token of the user is revoked (whoever held them).
 */
export async function setPasswordWithLink(ctx: PublicCtx, input: { token: string; newPassword: string }) {
  // A forged or altered token is refused before any hashing or lookup.
  if (!verifySignedToken(await signingSecret(ctx.db, ctx.config), PASSWORD_LINK_PURPOSE, input.token))
    throw new DomainError('password_link_invalid');
  // Hash before the transaction: it is the slow part and needs no lock.
  const hash = await hashPassword(input.newPassword, ctx.config.argon2);
  const email = await openContext({ ...ctx, actor: ANONYMOUS }, async (base) => {
    const trx = base.db;
    const { link, user } = await usableLink(trx, input.token);
    await setPasswordHash(trx, user.id, hash);
    const revoked = await endUserAccess(trx, user.id, systemClock.now());
    const actor = actorOfUser(user, await rolesOf(trx, user.id));
    await recordAudit(
      { ...base, actor },
      {
        action: 'password.set',
        targetType: 'user',
        targetId: user.id,
        data: { purpose: link.purpose, revoked },
      },
    );
    return user.email;
  });
  // Whoever holds the mailbox proved it: the sign-in count starts again.
  await clearFailures(ctx.db, email);
}
