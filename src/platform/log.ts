import { createRequire } from 'node:module';
import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

// Secrets never reach the logs: tokens, passwords, cookies and the signing secret are redacted
// wherever a logged object names them (test/security/secrets-in-logs.test.ts scans a real log).
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'authorization',
  'cookie',
  'password',
  '*.password',
  '*.*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  '*.*.token',
  'csrfToken',
  '*.csrfToken',
  'secret',
  '*.secret',
  'smtpUrl',
  '*.smtpUrl',
  'databaseUrl',
  '*.databaseUrl',
];

const REDACTED = '[redacted]';

/**
 * A URL as it may be logged. Invitation links carry their token in the path (the API's
 * /api/invitations/<token> and the console's /invitations/<token>); session and API tokens and
 * signed tokens are masked wherever else they appear, and so are token-like query parameters.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/invitations\/)[^/?#]+/g, `$1${REDACTED}`)
    .replace(/\bt(?:ses|api)_[A-Za-z0-9_-]+/g, REDACTED)
    .replace(/[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}/g, REDACTED)
    .replace(/([?&](?:token|access_token|password|secret|key|code)=)[^&#]*/gi, `$1${REDACTED}`);
}

/** Fastify's request line, with the URL redacted (Fastify's own serializer logs it as sent). */
function requestSerializer(req: FastifyRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

// Database errors (PGlite's, some drivers') carry the failed statement's bound values, which can
// hold a new token or a response body about to be stored: logged errors keep the SQL, never these.
const STATEMENT_VALUES = new Set(['params', 'parameters', 'values', 'bindings']);

function withoutValues(value: unknown, depth = 0): unknown {
  if (!value || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => withoutValues(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = STATEMENT_VALUES.has(k) ? REDACTED : withoutValues(v, depth + 1);
  }
  return out;
}

function errorSerializer(err: Error) {
  return withoutValues(pino.stdSerializers.err(err));
}

export type LogFormat = 'pretty' | 'json';

/**
 * How logs are written: `TRASLADO_LOG_FORMAT=pretty|json`, else pretty when stdout is a terminal
 * (a person reads it) and JSON otherwise (files, pipes, log collectors).
 */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stdout.isTTY === true,
): LogFormat {
  if (env.TRASLADO_LOG_FORMAT === 'json' || env.TRASLADO_LOG_FORMAT === 'pretty')
    return env.TRASLADO_LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

/**
 * One readable line per entry, through pino-pretty when it is installed (it is optional: an
 * install without it logs JSON). Redaction has already happened: this only formats.
 */
function prettyStream(): pino.DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => pino.DestinationStream;
    return pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

export function createLogger(
  level = 'info',
  destination?: pino.DestinationStream,
  format: LogFormat = logFormat(),
): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: requestSerializer, err: errorSerializer },
  };
  const stream = destination ?? (format === 'pretty' && level !== 'silent' ? prettyStream() : undefined);
  return stream ? pino(options, stream) : pino(options);
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => {};

/**
 * Fastify's logger for one request, made when the request first writes at a level that is on.
 * A pino child serialises and redacts its bindings as it is made (~5 KB and a few µs a request on
 * the hottest read), and at `warn` most requests never write a line.
 */
export function lazyRequestLogger(
  parent: Logger,
  bindings: pino.Bindings,
  opts: pino.ChildLoggerOptions,
): Logger {
  let child: Logger | undefined;
  const real = () => {
    child ??= parent.child(bindings, opts);
    return child;
  };
  const values = parent.levels.values;
  const threshold = values[opts.level ?? parent.level] ?? 0;
  return new Proxy({} as Logger, {
    get(_target, key) {
      // Fastify looks the methods up on every request (to check the logger): a method is made
      // into the child's own only when it is called.
      if (!child && typeof key === 'string') {
        if (LEVEL_METHODS.has(key)) {
          if ((values[key] ?? 0) < threshold) return noop;
          return (...args: unknown[]) =>
            (real() as unknown as Record<string, (...a: unknown[]) => void>)[key]!(...args);
        }
        if (key === 'child') return (b: pino.Bindings, o?: pino.ChildLoggerOptions) => real().child(b, o);
      }
      const log = real();
      const value = (log as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? value.bind(log) : value;
    },
    set(_target, key, value) {
      (real() as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
  });
}
