import { resolve } from 'node:path';
import { DEFAULT_LIFECYCLE, DEFAULT_PROVISION_DAYS_BEFORE_END } from '../domain/lifecycle.ts';

/** Every setting in one place, read from the environment once at start. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  /** When true, `POST /api/admin/clock` may move the platform clock (demo and test installs). */
  clockUnlocked: boolean;
  sessionTtlHours: number;
  apiTokenTtlDays: number;
  /** The longest lifetime an API token may be given; asking for more is refused (400). */
  apiTokenMaxDays: number;
  /** How long an e-mailed password-reset link works. */
  passwordResetTtlMinutes: number;
  /** How long a set-password link handed over by an admin (a new account, a reset) works. */
  passwordSetTtlHours: number;
  logLevel: string;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** Body size limit for the API, in bytes. */
  bodyLimit: number;
  /**
   * Slow clients (ms): the whole request (headers and body) must arrive within `requestTimeout`,
   * its headers within `headersTimeout`; an idle keep-alive socket closes after `keepAliveTimeout`;
   * `connectionTimeout` closes a socket idle that long at any point (0: off, so that a long
   * answer is never cut).
   */
  timeouts: { request: number; headers: number; keepAlive: number; connection: number };
  /** Failed sign-ins allowed per e-mail within `loginWindowMinutes` before it is locked that long. */
  loginMaxFailures: number;
  loginWindowMinutes: number;
  /** SMTP server for invitation e-mails (optional). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The address people reach the console at, for links in e-mails. */
  publicUrl: string | undefined;
  /** How long a reseller-relationship invitation link stays valid. */
  invitationTtlDays: number;
  /** Signs invitation tokens (TRASLADO_SECRET); when unset, one is generated and kept in platform_settings. */
  secret: string | undefined;
  /** Requests per minute per client (session or API token, else IP) on /api; 0 turns it off. */
  rateLimit: number;
  /** Sign-in attempts per minute per IP address; 0 turns it off. */
  loginRateLimit: number;
  /**
   * Which proxies to believe about the client address (X-Forwarded-For): false (none, the default),
   * true (any), a hop count, or addresses/CIDRs. Needed behind a reverse proxy, else every client
   * shares the proxy's address for the per-IP limits.
   */
  trustProxy: boolean | number | string;
  /**
   * On SIGTERM/SIGINT, how long the server waits for the requests under way, and then for the
   * jobs under way, before it cuts them off and closes the database (TRASLADO_SHUTDOWN_TIMEOUT_MS).
   */
  shutdownTimeoutMs: number;
  /**
   * Subscription lifecycle durations, in days (SPEC §2 "Lifecycle"): expired grace with full
   * access, then disabled (admins only), the backup window after a cancellation, and the time
   * admins get to fix a pool that dropped below its assignments.
   */
  lifecycle: {
    expiredDays: number;
    disabledDays: number;
    cancelledBackupDays: number;
    seatReductionGraceDays: number;
  };
  /** A plan's `before-end` option buys this many days before the source ends (SPEC §3.3). */
  provisionDaysBeforeEnd: number;
  /**
   * Webhook URLs must be https:// (TRASLADO_WEBHOOK_HTTPS_ONLY). Default: on where the clock is
   * locked (a real install), off on demo and test installs (local receivers on http://127.0.0.1).
   */
  webhookHttpsOnly: boolean;
  /** How long one webhook delivery attempt may take before it counts as failed (ms). */
  webhookTimeoutMs: number;
  /**
   * The bearer token that reads GET /metrics (TRASLADO_METRICS_TOKEN); unset, only a signed-in
   * operator reads it.
   */
  metricsToken: string | undefined;
}

function nonNegative(value: string | undefined, fallback: number, name: string): number {
  const n = int(value, fallback);
  if (n < 0) throw new Error(`${name} must be 0 (off) or a positive number, got ${n}`);
  return n;
}

function trustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`expected an integer setting, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  return {
    databaseUrl,
    dataDir: resolve(env.TRASLADO_DATA_DIR ?? '.data'),
    host: env.HOST ?? '127.0.0.1',
    port: int(env.PORT, 3000),
    // Embedded installs are demos by default; a real server keeps the clock locked unless asked.
    clockUnlocked: env.TRASLADO_CLOCK ? env.TRASLADO_CLOCK === 'unlocked' : !databaseUrl,
    sessionTtlHours: int(env.TRASLADO_SESSION_TTL_HOURS, 12),
    apiTokenTtlDays: int(env.TRASLADO_API_TOKEN_TTL_DAYS, 90),
    apiTokenMaxDays: int(env.TRASLADO_API_TOKEN_MAX_DAYS, 365),
    passwordResetTtlMinutes: int(env.TRASLADO_PASSWORD_RESET_TTL_MINUTES, 60),
    passwordSetTtlHours: int(env.TRASLADO_PASSWORD_SET_TTL_HOURS, 72),
    logLevel: env.LOG_LEVEL ?? 'info',
    // OWASP's argon2id minimum (19 MiB, 2 passes): strong enough, and ~20 ms per hash here.
    argon2: {
      memoryCost: int(env.TRASLADO_ARGON2_MEMORY_KIB, 19_456),
      timeCost: int(env.TRASLADO_ARGON2_TIME_COST, 2),
      parallelism: 1,
    },
    bodyLimit: int(env.TRASLADO_BODY_LIMIT, 1_048_576),
    timeouts: {
      request: nonNegative(env.TRASLADO_REQUEST_TIMEOUT_MS, 20_000, 'TRASLADO_REQUEST_TIMEOUT_MS'),
      headers: nonNegative(env.TRASLADO_HEADERS_TIMEOUT_MS, 10_000, 'TRASLADO_HEADERS_TIMEOUT_MS'),
      keepAlive: nonNegative(env.TRASLADO_KEEP_ALIVE_TIMEOUT_MS, 72_000, 'TRASLADO_KEEP_ALIVE_TIMEOUT_MS'),
      connection: nonNegative(env.TRASLADO_CONNECTION_TIMEOUT_MS, 0, 'TRASLADO_CONNECTION_TIMEOUT_MS'),
    },
    loginMaxFailures: int(env.TRASLADO_LOGIN_MAX_FAILURES, 5),
    loginWindowMinutes: int(env.TRASLADO_LOGIN_WINDOW_MINUTES, 15),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.TRASLADO_MAIL_FROM ?? 'Traslado <no-reply@traslado.local>',
    publicUrl: env.TRASLADO_PUBLIC_URL || undefined,
    invitationTtlDays: int(env.TRASLADO_INVITATION_TTL_DAYS, 30),
    secret: env.TRASLADO_SECRET || undefined,
    rateLimit: nonNegative(env.TRASLADO_RATE_LIMIT, 600, 'TRASLADO_RATE_LIMIT'),
    loginRateLimit: nonNegative(env.TRASLADO_LOGIN_RATE_LIMIT, 20, 'TRASLADO_LOGIN_RATE_LIMIT'),
    trustProxy: trustProxy(env.TRASLADO_TRUST_PROXY),
    shutdownTimeoutMs: nonNegative(env.TRASLADO_SHUTDOWN_TIMEOUT_MS, 10_000, 'TRASLADO_SHUTDOWN_TIMEOUT_MS'),
    lifecycle: {
      expiredDays: int(env.TRASLADO_EXPIRED_DAYS, DEFAULT_LIFECYCLE.expiredDays),
      disabledDays: int(env.TRASLADO_DISABLED_DAYS, DEFAULT_LIFECYCLE.disabledDays),
      cancelledBackupDays: int(env.TRASLADO_CANCELLED_BACKUP_DAYS, DEFAULT_LIFECYCLE.cancelledBackupDays),
      seatReductionGraceDays: int(
        env.TRASLADO_SEAT_REDUCTION_GRACE_DAYS,
        DEFAULT_LIFECYCLE.seatReductionGraceDays,
      ),
    },
    provisionDaysBeforeEnd: nonNegative(
      env.TRASLADO_PROVISION_DAYS_BEFORE_END,
      DEFAULT_PROVISION_DAYS_BEFORE_END,
      'TRASLADO_PROVISION_DAYS_BEFORE_END',
    ),
    webhookHttpsOnly: env.TRASLADO_WEBHOOK_HTTPS_ONLY
      ? env.TRASLADO_WEBHOOK_HTTPS_ONLY === 'true'
      : !(env.TRASLADO_CLOCK ? env.TRASLADO_CLOCK === 'unlocked' : !databaseUrl),
    webhookTimeoutMs: nonNegative(env.TRASLADO_WEBHOOK_TIMEOUT_MS, 10_000, 'TRASLADO_WEBHOOK_TIMEOUT_MS'),
    metricsToken: env.TRASLADO_METRICS_TOKEN || undefined,
    ...overrides,
  };
}
