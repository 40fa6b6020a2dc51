import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import helmet from 'helmet';
import type { Expression } from 'kysely';
import type { Logger } from 'pino';
import { AuthCache } from '../auth/auth-cache.ts';
import { type Action, can } from '../auth/permissions.ts';
import { LAST_USED_RESOLUTION_MS, resolveToken } from '../auth/sessions.ts';
import { hashToken, signingSecret } from '../auth/signing.ts';
import { type PlatformClock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Db, Trx } from '../db/database.ts';
import { DomainError, isDomainError } from '../errors.ts';
import { lazyRequestLogger } from '../log.ts';
import type { Queue } from '../queue/queue.ts';
import type { Actor } from './context.ts';
import { CSRF_HEADER, csrfTokens, isSafeMethod } from './csrf.ts';
import { trackConnections } from './drain.ts';
import { describeError } from './error-table.ts';
import { languageOf } from './language.ts';
import { registerRateLimits } from './rate-limit.ts';
import { ErrorBody } from './schemas.ts';
import { forSerializer } from './serializer-schema.ts';
import { invalidRequestParams, validatorCompiler } from './validation.ts';

export interface RouteConfig {
  /** The permission this route needs; checked for every request before anything else runs. */
  action?: Action;
  /** Routes anyone may call (health, login, the docs, the invitation page). */
  public?: boolean;
  /** `login`: also counted against the per-IP sign-in limit (TRASLADO_LOGIN_RATE_LIMIT). */
  throttle?: 'login';
}

export interface RouteInfo {
  method: string;
  url: string;
  action: Action | null;
  public: boolean;
}

/** Decides whether a partner (or a customer) may see a tenant; relationships own this rule. */
export interface TenantScope {
  /** `partnerSees`: the answer of `partnerSeesTenant` when the guard asked it already. */
  (handle: DatabaseHandle, actor: Actor, tenantId: string, partnerSees?: boolean): Promise<boolean>;
  /** The partner's part as a subquery (rows when it may see the tenant), asked in the sign-in statement. */
  partnerSeesTenant(
    db: Db,
    partnerId: Expression<string | null>,
    tenantId: string,
  ): Expression<unknown> | null;
}

export interface ServerDeps {
  handle: DatabaseHandle;
  clock: PlatformClock;
  config: Config;
  log: Logger;
  canSeeTenant: TenantScope;
  /** The durable job queue, when this process runs workers (the server does; one-off CLI calls may not). */
  queue?: Queue;
  /** Wakes a transition waiting on a partner-to-partner transfer once it is decided (set in app.ts). */
  transferDecided?: (trx: Trx, transitionId: string) => Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** Set when the caller was signed in from the cache: the cache's generation then. */
    authGeneration: number | undefined;
  }
  interface FastifyContextConfig {
    action?: Action;
    public?: boolean;
    throttle?: 'login';
  }
  interface FastifyInstance {
    /** The CSRF token of a session, for the login answer and /me (see csrf.ts). */
    csrfTokenFor(sessionId: string): string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * helmet's default headers (CSP, HSTS, nosniff, frame and referrer policies), captured once: none
 * of them depends on the request (no CSP nonce), so each answer gets the same list set in one
 * loop instead of helmet's chain of thirteen middlewares (~2.5 % of the server's CPU on the
 * hottest read). A helmet option that did depend on the request would need the middleware again.
 */
const SECURITY_HEADERS: readonly (readonly [string, string | number | readonly string[]])[] = (() => {
  const headers: [string, string | number | readonly string[]][] = [];
  let done = false;
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.push([name, value]);
    },
    removeHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  // helmet runs its middlewares synchronously: all of them ran, or the list is not whole.
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
})();
export const SESSION_COOKIE = 'traslado_session';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

/**
 * @param components The response schemas shared across routes (each with an `$id`): registered
 *   once with `addSchema`, so the OpenAPI document lists them under `components.schemas` and the
 *   routes' responses `$ref` them. The console's types are generated from those names.
 */
export async function createServer(
  deps: ServerDeps,
  components: readonly TSchema[] = [],
): Promise<{ app: App; routes: RouteInfo[]; buildSerializers: () => number }> {
  const timeouts = deps.config.timeouts;
  const serializers = lazySerializers();
  const app = Fastify({
    loggerInstance: deps.log,
    // The server's logger is ours (pino), so each request's is a pino child too.
    childLoggerFactory: (logger, bindings, opts) => lazyRequestLogger(logger as Logger, bindings, opts),
    bodyLimit: deps.config.bodyLimit,
    // A client that sends its request slowly (a byte at a time) holds a socket and memory: the
    // whole request has a deadline, checked every second rather than Node's 30 s.
    requestTimeout: timeouts.request,
    connectionTimeout: timeouts.connection,
    keepAliveTimeout: timeouts.keepAlive,
    http: {
      // Node refuses headersTimeout above requestTimeout; 0 means no request deadline.
      headersTimeout: timeouts.request > 0 ? Math.min(timeouts.headers, timeouts.request) : timeouts.headers,
      connectionsCheckingInterval: 1_000,
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // Behind a reverse proxy, the client address (for the per-IP limits) comes from X-Forwarded-For.
    // (Fastify takes a hop count too; its types only leave it out.)
    trustProxy: deps.config.trustProxy as boolean | string,
    // Errors raised before routing (bad URL, over-long params) go through the same error shape.
    frameworkErrors: (err, req, reply) => {
      sendError(err, req, reply);
    },
    // A request arriving on a kept-alive connection while the server closes is served (the
    // database stays open until the requests are done), not refused with Fastify's own 503 body.
    return503OnClosing: false,
    schemaController: { compilersFactory: { buildSerializer: serializers.factory } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  const shared = sharedSchemas([ErrorBody, ...components]);
  for (const schema of shared.values()) app.addSchema(refShared(schema, shared, true) as TSchema);
  // Responses name the shared schemas rather than repeat them (request parts keep theirs inline:
  // their validator is our own Ajv, which knows no shared schemas).
  app.addHook('onRoute', (opts) => {
    if (opts.schema?.response) {
      opts.schema = { ...opts.schema, response: refShared(opts.schema.response, shared) as TSchema };
    }
  });
  // Security headers on every answer, refusals included (its hook runs before the sign-in check):
  // nosniff, frame denial, a strict CSP, no referrer leaks. The API reference page sends its own
  // CSP for its static files (`staticCSP` below), as the strict one would block them.
  // helmet's defaults, captured once at load (SECURITY_HEADERS above).
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of SECURITY_HEADERS) reply.raw.setHeader(name, value);
    done();
  });
  await app.register(cookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('authGeneration', undefined);
  const csrf = csrfTokens(await signingSecret(deps.handle.db, deps.config));
  app.decorate('csrfTokenFor', csrf.tokenFor);
  const limits = await registerRateLimits(app, deps.config);

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (opts) => {
    const cfg = (opts.config ?? {}) as RouteConfig;
    const url = opts.url;
    if (url.startsWith('/docs')) return;
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      // A route without an action or an explicit `public` is a bug: refuse to start.
      if (!cfg.public && !cfg.action) throw new Error(`route ${method} ${url} declares no action`);
      routes.push({ method, url, action: cfg.action ?? null, public: !!cfg.public });
    }
  });

  trackConnections(app.server);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Every answer's own headers (one onSend hook with the sign-in re-check below: one hook less per request).
  const answerHeaders = (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', req.id);
    // While closing, every answer ends its connection, those begun before the close included:
    // the client opens a new one (refused, or to another instance) rather than finding it cut.
    if (closing) reply.header('connection', 'close');
    // API answers carry secrets (session and API tokens, CSRF tokens, invitation links) or a
    // customer's data: no browser or proxy cache may keep any of them, refusals included.
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  };

  const cache = new AuthCache();
  // A clock move is announced too: the next sign-in statement reads the new offset.
  await cache.watch(deps.handle);
  app.addHook('onClose', async () => cache.close());

  /**
   * Signs the request in and checks it may run: the route's action, and the tenant in its URL.
   * `cached`: a read may be served from the cache (the answer is checked again before it leaves).
   * Returns the refusal, or null.
   */
  const guard = async (req: FastifyRequest, reply: FastifyReply | null, cached: boolean) => {
    const cfg = req.routeOptions.config as RouteConfig;
    const known = !!(cfg.public || cfg.action); // else the 404 handler
    const tenantId =
      known && !cfg.public ? (req.params as Record<string, string> | undefined)?.tenantId : undefined;
    const auth = known ? await authenticate(req, deps, cache, tenantId, cached) : null;
    // The sign-in statement read the clock's offset too; this reads it (at most once a second)
    // only for requests without a valid token or served from the cache.
    await deps.clock.refresh();
    // A session cookie rides along on any request a browser sends us, forged cross-site ones
    // included; an unsafe method must prove with the CSRF header that our own page sent it.
    const csrfOk =
      !auth ||
      auth.via === 'bearer' ||
      isSafeMethod(req.method) ||
      csrf.verify(auth.actor.sessionId, req.headers[CSRF_HEADER]);
    req.actor = auth && csrfOk ? auth.actor : null;
    req.authGeneration = auth?.generation;
    // Limits come after authentication, as a valid session is the client's key, and before
    // anything costly (password hashing, the use case).
    if (reply) {
      if (cfg.throttle === 'login') await limits.login(req, reply);
      if (req.url.startsWith('/api/')) await limits.api(req, reply);
    }
    if (!known || cfg.public) return null;
    if (!auth) return new DomainError('unauthenticated');
    if (!csrfOk) return new DomainError('csrf_token_invalid');
    const actor = auth.actor;
    if (!can(actor.roles, cfg.action!)) return new DomainError('forbidden', { action: cfg.action });
    if (
      tenantId !== undefined &&
      !(await deps.canSeeTenant(deps.handle, actor, tenantId, auth.partnerSeesTenant))
    ) {
      return new DomainError('tenant_not_found');
    }
    return null;
  };

  app.addHook('onRequest', async (req, reply) => {
    const refused = await guard(req, reply, isSafeMethod(req.method));
    if (refused) throw refused;
  });
  // A read served from the cache: if a change was announced since (a revoked token, a disabled
  // user, a role or relationship gone), its answer leaves only if a fresh sign-in still allows it.
  app.addHook('onSend', async (req, reply) => {
    answerHeaders(req, reply);
    const noted = req.authGeneration;
    if (noted === undefined || noted === cache.generation) return;
    req.authGeneration = undefined;
    const refused = await guard(req, null, false);
    if (refused) throw refused;
  });

  app.setErrorHandler((err: FastifyError | DomainError | Error, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => sendError(new DomainError('not_found'), req, reply));

  await app.register(swagger, {
    // Shared schemas keep their `$id` as their name under components.schemas.
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Traslado API',
        version: '0.1.0',
        description:
          'Move license-based customers into a CSP practice with no interruption and no data lost. ' +
          'Errors are `{ code, description }`; lists are `{ items, nextCursor }`; creating calls accept `Idempotency-Key`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The console's session (set by login); changing calls also need the x-csrf-token header.
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  return { app, routes, buildSerializers: serializers.buildAll };
}

/**
 * The caller behind the bearer token or session cookie, with what the guard needs next asked in
 * the same statement: the platform clock's offset, and (for a tenant's route) whether the
 * user's partner may see that tenant. A read (`cached`) by a token signed in before is answered
 * from the cache (auth-cache.ts) with no statement; anything else reads afresh.
 * `generation`: set when the answer came from the cache (the guard checks it again before replying).
 */
async function authenticate(
  req: FastifyRequest,
  deps: ServerDeps,
  cache: AuthCache,
  tenantId: string | undefined,
  cached: boolean,
): Promise<{
  actor: Actor;
  via: 'bearer' | 'cookie';
  partnerSeesTenant: boolean | undefined;
  generation?: number;
} | null> {
  const header = req.headers.authorization;
  let token: string | undefined;
  let via: 'bearer' | 'cookie' = 'bearer';
  if (typeof header === 'string' && header.startsWith('Bearer ')) token = header.slice(7).trim();
  else {
    token = req.cookies[SESSION_COOKIE];
    via = 'cookie';
  }
  if (!token || token.length > 200) return null;
  const hash = hashToken(token);
  // Sessions expire on wall-clock time, not the movable platform clock: time travel in a demo
  // must not sign everyone out, nor keep a stolen token alive.
  const now = systemClock.now().getTime();
  if (cached) {
    const hit = cache.token(hash);
    // A token due its once-a-minute `last_used_at` write signs in afresh (which writes it).
    if (
      hit &&
      hit.expiresAt > now &&
      hit.lastUsedAt !== null &&
      now - hit.lastUsedAt < LAST_USED_RESOLUTION_MS
    ) {
      const partnerId = hit.actor.kind === 'partner' ? hit.actor.partnerId : null;
      const sees = tenantId !== undefined && partnerId ? cache.scope(partnerId, tenantId) : undefined;
      if (!(tenantId !== undefined && partnerId && sees === undefined))
        return { actor: hit.actor, via, partnerSeesTenant: sees, generation: cache.generation };
    }
  }
  const db = deps.handle.db;
  const generation = cache.generation;
  const reading = deps.clock.beginReading();
  const found = await resolveToken(db, token, new Date(now), {
    also: deps.clock.offsetQuery(),
    ...(tenantId !== undefined
      ? { partnerSeesTenant: (partnerId) => deps.canSeeTenant.partnerSeesTenant(db, partnerId, tenantId) }
      : {}),
  });
  if (!found) return null;
  deps.clock.adopt(found.also, reading);
  cache.keepToken(
    hash,
    { actor: found.actor, expiresAt: found.expiresAt.getTime(), lastUsedAt: found.lastUsedAt.getTime() },
    generation,
  );
  const partnerId = found.actor.kind === 'partner' ? found.actor.partnerId : null;
  if (tenantId !== undefined && partnerId && found.partnerSeesTenant !== undefined)
    cache.keepScope(partnerId, tenantId, found.partnerSeesTenant, generation);
  return { actor: found.actor, via, partnerSeesTenant: found.partnerSeesTenant };
}

const serializerFactory = SerializerSelector();

/**
 * Fastify's own response serialisers (fast-json-stringify, with the shared schemas), each built on
 * its first use rather than when its route is registered: building every route's serialisers was
 * the largest part of building the app, and a start serves a handful of routes. Each is built
 * once, then reused, from the schemas as `forSerializer` writes them. `buildAll` builds those not
 * built yet (test/e2e/openapi-snapshot.test.ts calls it, so a response schema fast-json-stringify
 * refuses fails a test, not a first answer).
 */
function lazySerializers() {
  const pending = new Set<() => unknown>();
  const factory = (externalSchemas?: unknown, options?: Parameters<typeof serializerFactory>[1]) => {
    const compile = serializerFactory(forSerializer(externalSchemas), options);
    return (route: Parameters<typeof compile>[0]) => {
      let serialize: ((doc: unknown) => string) | undefined;
      const build = () => {
        pending.delete(build);
        serialize = compile({ ...route, schema: forSerializer(route.schema) });
        return serialize;
      };
      pending.add(build);
      return (doc: unknown) => (serialize ?? build())(doc);
    };
  };
  const buildAll = () => {
    const n = pending.size;
    for (const build of [...pending]) build();
    return n;
  };
  return { factory, buildAll };
}

const PG_CONFLICT = new Set(['23505', '40001', '40P01']);
const PG_UNAVAILABLE = new Set(['57P01', '57P03', '08000', '08003', '08006', 'ECONNREFUSED', 'ECONNRESET']);

export function toDomainError(err: unknown): DomainError {
  if (isDomainError(err)) return err;
  const e = err as FastifyError & { code?: string; statusCode?: number };
  if (e.validation)
    return new DomainError('invalid_request', invalidRequestParams(e.validation, e.validationContext));
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('malformed_json');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('payload_too_large');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError('uri_too_long');
    case 'FST_ERR_BAD_URL':
      return new DomainError('invalid_request', { detail: 'the URL is not valid' });
  }
  if (err instanceof SyntaxError && e.statusCode === 400) return new DomainError('malformed_json');
  if (e.code && PG_CONFLICT.has(e.code)) return new DomainError('conflict');
  if (e.code && PG_UNAVAILABLE.has(e.code)) return new DomainError('service_unavailable');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new DomainError('invalid_request', { detail: e.message });
  }
  return new DomainError('internal_error');
}

function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const domain = toDomainError(err);
  const { status, description } = describeError(
    domain.code,
    domain.params,
    languageOf(req.headers['accept-language']),
  );
  if (status >= 500) req.log.error({ err }, 'request failed');
  const data = Object.keys(domain.params).length > 0 && status < 500 ? domain.params : undefined;
  const retryAfter = domain.params.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  // The description follows Accept-Language (the code and status do not).
  const vary = reply.getHeader('vary');
  reply.header('vary', vary ? `${vary}, Accept-Language` : 'Accept-Language');
  return reply
    .status(status)
    .type('application/json')
    .send({ code: domain.code, description, ...(data ? { data } : {}) });
}

/** The shared schemas by `$id`; two different schemas under one name are a mistake. */
function sharedSchemas(list: readonly TSchema[]): Map<string, TSchema> {
  const byId = new Map<string, TSchema>();
  for (const schema of list) {
    const id = schema.$id;
    if (typeof id !== 'string') throw new Error('a shared schema needs an $id');
    const known = byId.get(id);
    if (known && JSON.stringify(known) !== JSON.stringify(schema))
      throw new Error(`two shared schemas named ${id}`);
    byId.set(id, schema);
  }
  return byId;
}

const texts = new WeakMap<TSchema, string>();
function textOf(schema: TSchema): string {
  let text = texts.get(schema);
  if (text === undefined) {
    text = JSON.stringify(schema);
    texts.set(schema, text);
  }
  return text;
}

/**
 * A copy of a schema in which every shared schema below the top is a `$ref` to it. A nested
 * `$id` that is not registered is refused: it would be served inline under a made-up name.
 */
function refShared(node: unknown, shared: Map<string, TSchema>, top = false): unknown {
  if (Array.isArray(node)) return node.map((x) => refShared(x, shared));
  if (node === null || typeof node !== 'object') return node;
  const id = (node as { $id?: unknown }).$id;
  if (!top && typeof id === 'string') {
    // TypeBox copies a schema it nests, so the copy is compared by content.
    const registered = shared.get(id);
    if (!registered || textOf(registered) !== JSON.stringify(node))
      throw new Error(`the schema ${id} is not registered as shared (src/api-components.ts)`);
    return { $ref: `${id}#` };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = refShared(v, shared);
  return out;
}
