import rateLimit, { type CreateRateLimitOptions, normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { DomainError } from '../errors.ts';
import type { App } from './server.ts';

/**
 * Request rate limits (@fastify/rate-limit, fixed one-minute windows):
 * - `api`: TRASLADO_RATE_LIMIT requests per minute per client on /api, where the client is the
 *   signed-in session or API token when the request carries a valid one, else the IP address
 *   (so clients behind one NAT do not share a budget once signed in, and junk tokens do not buy
 *   fresh budgets);
 * - `login`: TRASLADO_LOGIN_RATE_LIMIT sign-in attempts per minute per IP address, before any
 *   password hashing: it caps password spraying across many e-mails, which the per-e-mail lockout
 *   (auth/login-throttle.ts) does not see.
 * Over the limit: 429 `rate_limited` with Retry-After. 0 turns a limit off.
 *
 * The counters live in memory, per process: keeping them in the database would cost a write on
 * every API call. With N processes behind a load balancer a client gets up to N times the limit;
 * the per-e-mail sign-in lockout is in the database and is shared by all of them.
 */
export type Limit = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Limits {
  api: Limit;
  login: Limit;
}

const WINDOW_MS = 60_000;
// Distinct keys remembered per limit (least recently used go first).
const KEYS = 20_000;

export function clientAddress(req: FastifyRequest): string {
  return normalizeIP(req.ip);
}

export async function registerRateLimits(app: App, config: Config): Promise<Limits> {
  await app.register(rateLimit, { global: false });
  const make = (max: number, key: (req: FastifyRequest) => string): Limit => {
    if (max <= 0) return async () => {};
    const options = { max, timeWindow: WINDOW_MS, keyGenerator: key, cache: KEYS };
    const check = app.createRateLimit(options as CreateRateLimitOptions);
    return async (req, reply) => {
      const r = await check(req);
      if (r.isAllowed) return;
      reply.header('x-ratelimit-limit', r.max);
      reply.header('x-ratelimit-remaining', r.remaining);
      reply.header('x-ratelimit-reset', r.ttlInSeconds);
      if (r.isExceeded)
        throw new DomainError('rate_limited', { retryAfterSeconds: Math.max(1, r.ttlInSeconds) });
    };
  };
  return {
    api: make(config.rateLimit, (req) =>
      req.actor ? `session:${req.actor.sessionId}` : `ip:${clientAddress(req)}`,
    ),
    login: make(config.loginRateLimit, (req) => `login:${clientAddress(req)}`),
  };
}
