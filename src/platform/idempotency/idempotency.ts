import { createHash } from 'node:crypto';
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

export async function saveResponse(
  trx: Trx,
  scope: string,
  key: string,
  statusCode: number,
  response: unknown,
) {
  await trx
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response: JSON.stringify(response ?? null) })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}
