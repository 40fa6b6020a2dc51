import type { Selectable } from 'kysely';
import type { Db, TransitionsTable, Trx } from '../../platform/db/database.ts';

export type TransitionRow = Selectable<TransitionsTable>;

export async function insertTransition(
  db: Trx,
  t: {
    id: string;
    tenantId: string;
    partnerId: string;
    userId: string | null;
    verdict: TransitionRow['verdict'];
    options: unknown;
    plan: unknown;
    now: Date;
  },
) {
  await db
    .insertInto('transitions')
    .values({
      id: t.id,
      tenant_id: t.tenantId,
      partner_id: t.partnerId,
      created_by_user_id: t.userId,
      status: 'planned',
      verdict: t.verdict,
      options: JSON.stringify(t.options ?? {}),
      plan: JSON.stringify(t.plan),
      planned_at: t.now,
      created_at: t.now,
      updated_at: t.now,
    })
    .execute();
}

/** A partner's transition, or nothing: another partner's transition does not exist for it. */
export async function findTransition(
  db: Db | Trx,
  id: string,
  scope: { partnerId?: string; tenantId?: string },
) {
  let q = db.selectFrom('transitions').selectAll().where('id', '=', id);
  if (scope.partnerId) q = q.where('partner_id', '=', scope.partnerId);
  if (scope.tenantId) q = q.where('tenant_id', '=', scope.tenantId);
  return q.executeTakeFirst();
}

export async function listTransitionRows(
  db: Db | Trx,
  f: { partnerId: string; tenantId: string; before?: string; limit: number },
) {
  let q = db
    .selectFrom('transitions')
    .selectAll()
    .where('partner_id', '=', f.partnerId)
    .where('tenant_id', '=', f.tenantId)
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.before) q = q.where('id', '<', f.before);
  return q.execute();
}

export async function listSteps(db: Db | Trx, transitionId: string) {
  return db
    .selectFrom('transition_steps')
    .selectAll()
    .where('transition_id', '=', transitionId)
    .orderBy('seq')
    .execute();
}

/** Steps of the tenant's transitions that wait on the customer (its tasks), oldest first. */
export async function customerTaskRows(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('transition_steps as s')
    .innerJoin('transitions as t', 't.id', 's.transition_id')
    .innerJoin('partners as p', 'p.id', 't.partner_id')
    .select([
      's.transition_id',
      's.step_key',
      's.kind',
      's.line_index',
      's.due_at',
      's.status',
      's.detail',
      't.plan',
      'p.id as partner_id',
      'p.name as partner_name',
    ])
    .where('t.tenant_id', '=', tenantId)
    .where('t.status', 'in', ['applying', 'waiting'])
    .where('s.status', '=', 'waiting')
    .orderBy('s.due_at')
    .orderBy('s.step_key')
    .execute();
}

/** Saves many planned transitions in one statement (bulk planning: one per batch of tenants). */
export async function insertTransitions(
  db: Trx,
  rows: {
    id: string;
    tenantId: string;
    partnerId: string;
    userId: string | null;
    verdict: TransitionRow['verdict'];
    options: unknown;
    plan: unknown;
  }[],
  now: Date,
) {
  if (rows.length === 0) return;
  await db
    .insertInto('transitions')
    .values(
      rows.map((t) => ({
        id: t.id,
        tenant_id: t.tenantId,
        partner_id: t.partnerId,
        created_by_user_id: t.userId,
        status: 'planned' as const,
        verdict: t.verdict,
        options: JSON.stringify(t.options ?? {}),
        plan: JSON.stringify(t.plan),
        planned_at: now,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}
