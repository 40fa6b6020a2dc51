import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Actor } from '../http/context.ts';
import { isRole, type Role } from './permissions.ts';

/** Session tokens and API tokens are 256 random bits; only their SHA-256 is stored. */
export function newToken(prefix: 'tses' | 'tapi'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
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

/** The actor behind a token, or null when it is unknown, expired or revoked. */
export async function resolveToken(db: Db, token: string, now: Date): Promise<Actor | null> {
  if (token.length > 200) return null;
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id as sessionId',
      's.expires_at',
      's.revoked_at',
      'u.id as userId',
      'u.email',
      'u.kind',
      'u.partner_id',
      'u.tenant_id',
    ])
    .where('s.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at.getTime() <= now.getTime()) return null;
  const roles = await db.selectFrom('user_roles').select('role').where('user_id', '=', row.userId).execute();
  return {
    userId: row.userId,
    email: row.email,
    kind: row.kind,
    roles: roles.map((r) => r.role).filter(isRole) as Role[],
    partnerId: row.partner_id,
    tenantId: row.tenant_id,
    sessionId: row.sessionId,
  };
}

export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}
