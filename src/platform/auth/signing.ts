import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db, Trx } from '../db/database.ts';

/**
 * Signed, single-use links (reseller invitations). A token is `<nonce>.<signature>`: 144 random
 * bits and an HMAC-SHA256 of them under the server secret, so that a forged or altered token is
 * refused before any lookup. Only a SHA-256 hash of the whole token is stored.
 */
const SECRET_KEY = 'signing_secret';
const NONCE_BYTES = 18;
const TOKEN = /^([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{43})$/;

/** TRASLADO_SECRET when set; else the secret generated at first start and kept in platform_settings. */
export async function signingSecret(db: Db | Trx, config: Config): Promise<string> {
  if (config.secret) return config.secret;
  const read = async () =>
    (
      (
        await db
          .selectFrom('platform_settings')
          .select('value')
          .where('key', '=', SECRET_KEY)
          .executeTakeFirst()
      )?.value as { secret?: string } | undefined
    )?.secret;
  const existing = await read();
  if (existing) return existing;
  // Two processes starting together: the first insert wins and both read the same secret.
  await db
    .insertInto('platform_settings')
    .values({ key: SECRET_KEY, value: JSON.stringify({ secret: randomBytes(32).toString('base64url') }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const created = await read();
  if (!created) throw new Error('the signing secret could not be stored');
  return created;
}

function sign(secret: string, purpose: string, nonce: string): string {
  return createHmac('sha256', secret).update(`traslado.${purpose}.v1.${nonce}`).digest('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function issueSignedToken(secret: string, purpose: string): { token: string; tokenHash: string } {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url');
  const token = `${nonce}.${sign(secret, purpose, nonce)}`;
  return { token, tokenHash: hashToken(token) };
}

/** True when the token is well formed and its signature is ours (constant-time comparison). */
export function verifySignedToken(secret: string, purpose: string, token: string): boolean {
  const m = TOKEN.exec(token);
  if (!m) return false;
  const given = Buffer.from(m[2]!, 'utf8');
  const expected = Buffer.from(sign(secret, purpose, m[1]!), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
