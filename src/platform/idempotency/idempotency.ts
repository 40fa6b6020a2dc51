import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { Trx } from '../db/database.ts';
import { DomainError } from '../errors.ts';

const KEY = /^[\x21-\x7e]{1,128}$/;

export function readIdempotencyKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const raw = headers['idempotency-key'] ?? headers['ms-requestid'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY.test(key)) throw new DomainError('idempotency_key_invalid');
  return key;
}

export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export type Claim = { kind: 'new' } | { kind: 'replay'; statusCode: number; response: unknown };

/**
 * Claims a key inside the caller's transaction. A concurrent retry blocks on the unique key
 * until the first transaction ends: it then replays the saved response, or, if the first one
 * rolled back, runs as new. The saved response commits with the change it describes, or not at all.
 */
export async function claimKey(
  trx: Trx,
  scope: string,
  key: string,
  hash: string,
  now: Date,
): Promise<Claim> {
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({ scope, key, request_hash: hash, status_code: 0, response: 'null', created_at: now })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'new' };
  const row = await trx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  if (row.request_hash !== hash) throw new DomainError('idempotency_key_reused');
  return { kind: 'replay', statusCode: row.status_code, response: row.response };
}

/**
 * Saved responses can hold secrets shown once (a new API token, an invitation link), so they are
 * stored sealed with AES-256-GCM under a key derived from the install's signing secret: a database
 * dump or backup alone does not give them away.
 */
export interface ResponseSeal {
  seal(response: unknown): { sealed: string };
  open(stored: unknown): unknown;
}

export function responseSeal(signingSecret: string): ResponseSeal {
  const key = createHmac('sha256', signingSecret).update('traslado.idempotency.v1').digest();
  return {
    seal(response) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(response ?? null), 'utf8'), cipher.final()]);
      return { sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
    },
    open(stored) {
      const sealed = (stored as { sealed?: unknown } | null)?.sealed;
      if (typeof sealed !== 'string') return stored;
      try {
        const raw = Buffer.from(sealed, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(
          Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'),
        );
      } catch {
        // Sealed under another secret (TRASLADO_SECRET changed): the first answer is gone for good.
        throw new DomainError('idempotency_key_unreadable');
      }
    },
  };
}

export async function saveResponse(
  trx: Trx,
  scope: string,
  key: string,
  statusCode: number,
  response: { sealed: string },
) {
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response: JSON.stringify(response) })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}
