import type { FastifyReply, FastifyRequest } from 'fastify';
import { signingSecret } from '../auth/signing.ts';
import { type Clock, fixedClock } from '../clock.ts';
import { type ContextSource, openContext, readContext as readOnlyContext } from '../context.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { DomainError } from '../errors.ts';
import {
  claimKey,
  type ResponseSeal,
  readIdempotencyKey,
  requestHash,
  responseSeal,
  saveResponse,
} from '../idempotency/idempotency.ts';
import type { Actor, Ctx } from './context.ts';
import type { ServerDeps } from './server.ts';

const seals = new WeakMap<DatabaseHandle, Promise<ResponseSeal>>();

/** One seal per database: its key comes from the install's signing secret, read once. */
function sealOf(deps: ServerDeps): Promise<ResponseSeal> {
  let seal = seals.get(deps.handle);
  if (!seal) {
    seal = signingSecret(deps.handle.db, deps.config).then(responseSeal);
    // A failed read is not kept: the next keyed call tries again.
    seal.catch(() => seals.delete(deps.handle));
    seals.set(deps.handle, seal);
  }
  return seal;
}

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new DomainError('unauthenticated');
  return req.actor;
}

/**
 * Opens the one transaction of a request and runs a use case in it. POST calls are idempotent
 * under `Idempotency-Key` (or `MS-RequestId`): the first response is saved in the same
 * transaction as the change, and a retry replays it.
 */
export async function runInTransaction<T>(
  deps: ServerDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  fn: (ctx: Ctx) => Promise<T>,
  opts: { status?: number } = {},
): Promise<T> {
  const actor = actorOf(req);
  const status = opts.status ?? 200;
  const key = req.method === 'POST' ? readIdempotencyKey(req.headers) : undefined;
  const now = deps.clock.now();
  const seal = key ? await sealOf(deps) : undefined;
  const result = await openContext(requestSource(deps, req, fixedClock(now)), async (ctx) => {
    const trx = ctx.db;
    if (!key) return { status, body: await fn(ctx) };
    // Keys are the caller's own: another user of the same partner reusing a key never gets the
    // first user's answer (it can hold a secret, such as a new API token).
    const scope = `${actor.partnerId ?? actor.tenantId ?? 'platform'}:${actor.userId}`;
    const hash = requestHash([req.method, req.url, req.body ?? null]);
    const claim = await claimKey(trx, scope, key, hash, now);
    if (claim.kind === 'replay')
      return { status: claim.statusCode, body: seal!.open(claim.response) as T, replayed: true };
    const body = await fn(ctx);
    await saveResponse(trx, scope, key, status, seal!.seal(body));
    return { status, body };
  });
  reply.status(result.status);
  if ('replayed' in result) reply.header('idempotent-replayed', 'true');
  return result.body;
}

/** What a request's context is made of (openContext reads the clock once, when it opens). */
export function requestSource(
  deps: ServerDeps,
  req: FastifyRequest,
  clock: Clock = deps.clock,
): ContextSource {
  return {
    db: deps.handle.db,
    clock,
    actor: actorOf(req),
    requestId: req.id,
    log: req.log,
    config: deps.config,
  };
}

/** A read: no transaction needed, but the same context shape. */
export function readContext(deps: ServerDeps, req: FastifyRequest): Ctx<ServerDeps['handle']['db']> {
  return readOnlyContext(requestSource(deps, req));
}
