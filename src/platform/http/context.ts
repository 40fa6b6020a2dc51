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
}

/** What every use case receives: `(ctx, input)`. `db` is the transaction opened at the edge. */
export interface Ctx<D extends Db | Trx = Trx> {
  db: D;
  clock: Clock;
  actor: Actor;
  requestId: string;
  log: Logger;
  config: Config;
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
