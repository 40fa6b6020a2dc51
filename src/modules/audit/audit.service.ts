import type { Db, NewAuditEvent, Trx } from '../../platform/db/database.ts';
import type { Ctx } from '../../platform/http/context.ts';
import type { CsvColumn } from '../../platform/http/list.ts';
import { decodeSerialCursor, toPage } from '../../platform/http/schemas.ts';
import {
  type AuditListFilter,
  type AuditSort,
  countAuditEvents,
  insertAuditEvent,
  insertAuditEvents,
  listAuditEvents,
  sortedAuditEvents,
  targetAuditEvents,
} from './audit.repo.ts';

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  tenantId?: string | null;
  partnerId?: string | null;
  data?: Record<string, unknown>;
}

/** What an audit row names by id, for the names people read (the audit view shows no ids). */
export interface AuditRefs {
  tenantIds: string[];
  partnerIds: string[];
  userIds: string[];
  offerIds: string[];
}
/**
 * The names of what audit rows refer to, by id: customers' company names, partners' names, users'
 * e-mails, offers' names. The modules that own them sit above audit, so `app.ts` hands it in.
 */
export type AuditNamer = (db: Db, refs: AuditRefs) => Promise<Map<string, string>>;

/**
 * Audit rows waiting for their transaction's commit, by transaction: a unit of work that records
 * many (a bulk apply's steps) sends them as one statement just before COMMIT, not one each.
 */
const pending = new WeakMap<object, NewAuditEvent[]>();
/** Rows per statement when the gathered rows go out (13 parameters a row, under PostgreSQL's 65,535). */
const FLUSH_ROWS = 1000;

async function flushAudit(db: Db | Trx) {
  const rows = pending.get(db);
  pending.delete(db);
  for (let i = 0; rows && i < rows.length; i += FLUSH_ROWS)
    await insertAuditEvents(db, rows.slice(i, i + FLUSH_ROWS));
}

/**
 * Records who did what, where and when, in the caller's transaction: no change without its row.
 * Inside a transaction the row is written with the others just before COMMIT (a rollback drops
 * it with the change); without one (`readContext`) it is written at once.
 */
export async function recordAudit(ctx: Ctx<Db | Trx>, input: AuditInput): Promise<void> {
  const a = ctx.actor;
  const row: NewAuditEvent = {
    at: ctx.clock.now(),
    actor_user_id: a.userId === 'system' ? null : a.userId,
    actor_email: a.email,
    actor_roles: a.roles,
    actor_partner_id: a.partnerId,
    actor_tenant_id: a.tenantId,
    action: input.action,
    target_type: input.targetType,
    target_id: input.targetId ?? null,
    tenant_id: input.tenantId ?? a.tenantId,
    partner_id: input.partnerId ?? a.partnerId,
    request_id: ctx.requestId,
    data: JSON.stringify(input.data ?? {}),
  };
  if (!ctx.beforeCommit) return insertAuditEvent(ctx.db, row);
  let rows = pending.get(ctx.db);
  if (!rows) {
    rows = [];
    pending.set(ctx.db, rows);
    const db = ctx.db;
    ctx.beforeCommit(() => flushAudit(db));
  }
  rows.push(row);
}

/**
 * Where a transaction's gathered audit rows stand, and going back there: a caller that rolls
 * back to a savepoint drops the rows recorded after it, as the database drops the change.
 */
export function auditMark(ctx: Ctx<Db | Trx>): number {
  return pending.get(ctx.db)?.length ?? 0;
}
export function auditRewind(ctx: Ctx<Db | Trx>, mark: number): void {
  const rows = pending.get(ctx.db);
  if (rows && rows.length > mark) rows.length = mark;
}

/**
 * Audit rows already built by the caller (a batch of changes, e.g. a bulk plan's saved transitions),
 * in one statement in the caller's transaction.
 */
export async function recordAuditRows(db: Trx, rows: NewAuditEvent[]): Promise<void> {
  await insertAuditEvents(db, rows);
}

/** Partners see their own trail; customers see what was done in their tenant; the operator sees all. */
export function auditFilter(ctx: Ctx<Db>, input: { tenantId?: string; action?: string }): AuditListFilter {
  const a = ctx.actor;
  const scope =
    a.kind === 'partner'
      ? { partnerId: a.partnerId!, ...(input.tenantId ? { tenantId: input.tenantId } : {}) }
      : a.kind === 'customer'
        ? { tenantId: a.tenantId! }
        : input.tenantId
          ? { tenantId: input.tenantId }
          : {};
  return { ...scope, ...(input.action ? { action: input.action } : {}) };
}

export async function sortedAudit(
  ctx: Ctx<Db>,
  f: AuditListFilter,
  w: { sort: { field: AuditSort; direction: 'asc' | 'desc' }; offset: number; limit: number },
  namesOf?: AuditNamer,
) {
  const rows = await sortedAuditEvents(ctx.db, f, w);
  const names = await namesOfRows(ctx, rows, namesOf);
  return rows.map((r) => toAuditView(r, names));
}

export function countAudit(ctx: Ctx<Db>, f: AuditListFilter) {
  return countAuditEvents(ctx.db, f);
}

export const AUDIT_CSV: CsvColumn<ReturnType<typeof toAuditView>>[] = [
  { header: 'id', value: (e) => e.id },
  { header: 'at', value: (e) => e.at },
  { header: 'actorEmail', value: (e) => e.actor.email },
  { header: 'actorRoles', value: (e) => e.actor.roles.join(' ') },
  { header: 'action', value: (e) => e.action },
  { header: 'targetType', value: (e) => e.targetType },
  { header: 'targetId', value: (e) => e.targetId },
  { header: 'tenantId', value: (e) => e.tenantId },
  { header: 'customer', value: (e) => e.tenantName },
  { header: 'targetName', value: (e) => e.targetName },
  { header: 'partnerId', value: (e) => e.partnerId },
  { header: 'requestId', value: (e) => e.requestId },
  { header: 'data', value: (e) => JSON.stringify(e.data) },
];

type AuditRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

/** The names the rows refer to (customers, partners, users, offers), when a namer is handed in. */
async function namesOfRows(ctx: Ctx<Db>, rows: AuditRow[], namesOf?: AuditNamer) {
  if (!namesOf) return new Map<string, string>();
  const byType = (type: string) =>
    rows.filter((r) => r.target_type === type && r.target_id).map((r) => r.target_id!);
  return namesOf(ctx.db, {
    tenantIds: [...rows.map((r) => r.tenant_id).filter((id): id is string => !!id), ...byType('tenant')],
    partnerIds: byType('partner'),
    userIds: [...byType('user'), ...byType('directory-user')],
    offerIds: byType('offer'),
  });
}

function toAuditView(r: AuditRow, names: Map<string, string>) {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actor: {
      userId: r.actor_user_id,
      email: r.actor_email,
      roles: r.actor_roles,
      partnerId: r.actor_partner_id,
      tenantId: r.actor_tenant_id,
    },
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    tenantId: r.tenant_id,
    partnerId: r.partner_id,
    requestId: r.request_id,
    data: r.data,
    tenantName: (r.tenant_id && names.get(r.tenant_id)) || null,
    targetName: (r.target_id && names.get(r.target_id)) || null,
  };
}

export async function listAudit(
  ctx: Ctx<Db>,
  input: { cursor?: string; limit?: number; tenantId?: string },
  namesOf?: AuditNamer,
) {
  const limit = input.limit ?? 50;
  const afterId = decodeSerialCursor(input.cursor);
  const rows = await listAuditEvents(ctx.db, {
    ...auditFilter(ctx, input),
    ...(afterId !== undefined ? { afterId } : {}),
    limit,
  });
  const names = await namesOfRows(ctx, rows, namesOf);
  return toPage(
    rows,
    limit,
    (r) => toAuditView(r, names),
    (r) => r.id,
  );
}

/**
 * For other modules: what was done to one target of a tenant, newest first, as who did it, when and
 * the event's data. A partner reads only its own trail there (as in `listAudit`).
 */
export async function auditTrailOf(
  ctx: Ctx<Db>,
  input: { tenantId: string; targetType: string; targetId: string; limit?: number },
) {
  const a = ctx.actor;
  // Rows this transaction recorded and has not sent yet belong in the trail it reads.
  await flushAudit(ctx.db);
  const rows = await targetAuditEvents(ctx.db, {
    tenantId: input.tenantId,
    targetType: input.targetType,
    targetId: input.targetId,
    ...(a.kind === 'partner' ? { partnerId: a.partnerId! } : {}),
    limit: input.limit ?? 100,
  });
  return rows.map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    actorEmail: r.actor_email,
    action: r.action,
    data: r.data,
  }));
}
