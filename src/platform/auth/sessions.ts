import { randomBytes, randomUUID } from 'node:crypto';
import { type Expression, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Actor } from '../http/context.ts';
import { isRole, type Role } from './permissions.ts';
import { hashToken } from './signing.ts';

/** Session tokens and API tokens are 256 random bits; only their SHA-256 is stored. */
export function newToken(prefix: 'tses' | 'tapi'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export async function createSession(
  db: Db,
  input: { userId: string; kind: 'session' | 'api-token'; name?: string | null; now: Date; expiresAt: Date },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = newToken(input.kind === 'session' ? 'tses' : 'tapi');
  const id = randomUUID();
  await db
    .insertInto('sessions')
    .values({
      id,
      token_hash: hashToken(token),
      user_id: input.userId,
      kind: input.kind,
      name: input.name ?? null,
      created_at: input.now,
      expires_at: input.expiresAt,
    })
    .execute();
  return { id, token, expiresAt: input.expiresAt };
}

/** The user's roles as one array column, so that signing in takes one statement. */
function rolesOf(userId: Expression<string>) {
  return sql<
    string[]
  >`array(select ur.role from user_roles ur where ur.user_id = ${userId} order by ur.role)`;
}

/** What the request guard asks along with the token, in the same statement. */
export interface TokenLookupExtras {
  /** A subquery with rows when the user's partner may see the tenant in the URL. */
  partnerSeesTenant?: (partnerId: Expression<string | null>) => Expression<unknown> | null;
  /** A subquery of one value to read along (the platform clock's offset). */
  also?: Expression<unknown>;
}

export interface ResolvedToken {
  actor: Actor;
  /** The answer of `partnerSeesTenant`; undefined when it was not asked (or not a partner). */
  partnerSeesTenant: boolean | undefined;
  /** The value of `also`. */
  also: unknown;
  expiresAt: Date;
  /** When the token was last marked used (now, if this sign-in wrote it). */
  lastUsedAt: Date;
}

/** `last_used_at` is written at most this often per token: not a write on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The actor behind a token, or null when it is unknown, expired or revoked, or its user is
 * disabled: session, user and roles in one statement, read afresh. (The server keeps what it
 * returns for reads until the database announces a change: auth-cache.ts.) The only write is
 * `last_used_at`, at most once a minute per token.
 */
export async function resolveToken(
  db: Db,
  token: string,
  now: Date,
  extras: TokenLookupExtras = {},
): Promise<ResolvedToken | null> {
  if (token.length > 200) return null;
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select((eb) => {
      const sees = extras.partnerSeesTenant?.(eb.ref('u.partner_id'));
      return [
        's.id as sessionId',
        's.expires_at',
        's.revoked_at',
        's.kind as credential',
        's.last_used_at',
        'u.disabled_at',
        'u.id as userId',
        'u.email',
        'u.kind',
        'u.partner_id',
        'u.tenant_id',
        rolesOf(eb.ref('u.id')).as('roles'),
        // An embedded subquery is parenthesised by Kysely: `exists (select …)`, `(select …)`.
        (sees ? sql<boolean | null>`exists ${sees}` : sql<boolean | null>`null`).as('sees_tenant'),
        (extras.also ? sql<unknown>`${extras.also}` : sql<unknown>`null`).as('also'),
      ];
    })
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled_at || row.expires_at.getTime() <= now.getTime()) return null;
  let lastUsedAt = row.last_used_at;
  if (!lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    lastUsedAt = now;
    // Conditional, so that parallel requests of one token write it once.
    await db
      .updateTable('sessions')
      .set({ last_used_at: now })
      .where('id', '=', row.sessionId)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<=', new Date(now.getTime() - LAST_USED_RESOLUTION_MS)),
        ]),
      )
      .execute();
  }
  return {
    actor: {
      userId: row.userId,
      email: row.email,
      kind: row.kind,
      roles: row.roles.filter(isRole) as Role[],
      partnerId: row.partner_id,
      tenantId: row.tenant_id,
      sessionId: row.sessionId,
      credential: row.credential,
    },
    partnerSeesTenant: typeof row.sees_tenant === 'boolean' ? row.sees_tenant : undefined,
    also: row.also,
    expiresAt: row.expires_at,
    lastUsedAt,
  };
}

/**
 * Revokes a user's sessions and API tokens (all of them, or all but `except`): sign out
 * everywhere, a new password, a disabled account.
 */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  now: Date,
  opts: { except?: string; kind?: 'session' | 'api-token' } = {},
): Promise<number> {
  let q = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (opts.except) q = q.where('id', '<>', opts.except);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** A user's API tokens not revoked, in id order, one page (keyset after `after`). */
export async function listApiTokenRows(db: Db, f: { userId: string; after?: string; limit: number }) {
  let q = db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', f.userId)
    .where('kind', '=', 'api-token')
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .limit(f.limit + 1);
  if (f.after) q = q.where('id', '>', f.after);
  return q.execute();
}

/** Revokes one of the user's API tokens; false when there is no such token still valid. */
export async function revokeApiTokenRow(db: Db, f: { userId: string; tokenId: string; now: Date }) {
  const res = await db
    .updateTable('sessions')
    .set({ revoked_at: f.now })
    .where('id', '=', f.tokenId)
    .where('user_id', '=', f.userId)
    .where('kind', '=', 'api-token')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
