import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Role } from '../auth/permissions.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Db, Trx } from '../db/database.ts';

/** Who is calling: resolved from the bearer token or session cookie on every request. */
export interface Actor {
  userId: string;
  email: string;
  kind: 'partner' | 'customer' | 'operator';
  roles: Role[];
  partnerId: string | null;
  tenantId: string | null;
  sessionId: string;
  /** How the caller signed in: a session (sign-in) or an API token. Unset for system work. */
  credential?: 'session' | 'api-token';
}

/**
 * Registers a side effect to run once the context's transaction has committed (never after a
 * rollback). Built only by `openContext` / `readContext` (src/platform/context.ts).
 */
export type AfterCommit = (hook: () => unknown) => void;

/**
 * Registers work to run inside the context's transaction, after the use case returns and before
 * COMMIT: writes gathered during the unit of work and sent as one statement (the audit rows).
 * Null where there is no transaction (`readContext`): there the caller writes at once.
 */
export type BeforeCommit = ((hook: () => Promise<unknown>) => void) | null;

/**
 * What every use case receives: `(ctx, input)`. `db` is the transaction opened at the edge, by
 * `openContext` (src/platform/context.ts), the one place a context is made.
 */
export interface Ctx<D extends Db | Trx = Trx> {
  db: D;
  clock: Clock;
  actor: Actor;
  requestId: string;
  log: Logger;
  config: Config;
  afterCommit: AfterCommit;
  beforeCommit: BeforeCommit;
}

/**
 * The partner's own work done with no signed-in user (a plan or apply from the command line, a
 * queued step of such a transition): it may do what the partner's account admin may, and is
 * audited as the system. One identity wherever it runs.
 */
export function partnerSystemActor(partnerId: string | null, sessionId: string): Actor {
  return {
    userId: 'system',
    email: 'system@traslado.local',
    kind: 'partner',
    roles: ['account-admin'],
    partnerId,
    tenantId: null,
    sessionId,
  };
}

/** A context for work without a signed-in user (CLI, seed, queue jobs). */
export function systemActor(kind: Actor['kind'] = 'operator'): Actor {
  return {
    userId: 'system',
    email: 'system@traslado.local',
    kind,
    roles: ['operator'],
    partnerId: null,
    tenantId: null,
    sessionId: 'system',
  };
}
