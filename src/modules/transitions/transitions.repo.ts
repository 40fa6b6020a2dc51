import type { Insertable, Selectable } from 'kysely';
import { sql } from 'kysely';
import type {
  Db,
  NewAuditEvent,
  TransitionStepsTable,
  TransitionsTable,
  Trx,
} from '../../platform/db/database.ts';
import { ROWS_AS_JSON } from '../../platform/db/json-rows.ts';
import { recordAuditRows } from '../audit/index.ts';
import { tenantNamesQuery } from '../tenants/index.ts';

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

/** The steps a customer's admin may have to take itself (SPEC §3.4, §3.5, §3.8). */
const CUSTOMER_STEP_KINDS = [
  'assign-target-licenses',
  'remove-source-licenses',
  'turn-off-auto-renew',
  'cancel-source',
  'file-credit-request',
];

/**
 * Steps of the tenant's transitions that wait on the customer (its tasks), and the customer's kinds
 * of step still to come (the service keeps those the plan gives the customer), by date.
 */
export async function customerTaskRows(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('transition_steps as s')
    .innerJoin('transitions as t', 't.id', 's.transition_id')
    .select([
      's.transition_id',
      's.step_key',
      's.kind',
      's.line_index',
      's.actor',
      's.due_at',
      's.status',
      's.detail',
      't.plan',
      't.partner_id',
    ])
    .where('t.tenant_id', '=', tenantId)
    .where('t.status', 'in', ['applying', 'waiting'])
    .where((eb) =>
      // Waiting: the executor handed it over. Pending: still to come, listed with its date.
      eb.or([
        eb('s.status', '=', 'waiting'),
        eb.and([eb('s.status', '=', 'pending'), eb('s.kind', 'in', CUSTOMER_STEP_KINDS)]),
      ]),
    )
    .orderBy('s.due_at')
    .orderBy('s.step_key')
    .execute();
}

/** A planned transition saved by bulk planning, with its `transition.planned` audit row. */
export interface PlannedTransitionRow {
  id: string;
  tenantId: string;
  partnerId: string;
  userId: string | null;
  verdict: TransitionRow['verdict'];
  options: unknown;
  /** The plan, already serialized (it is the largest part of the row: serialize it once). */
  planJson: string;
  audit: Omit<NewAuditEvent, 'target_id'>;
}

/**
 * A statement's rows: up to 500 (11 parameters a row stays far below PostgreSQL's 65,535) and
 * about 512 KB of plans. The server takes a statement's parameters in one message and holds them
 * while it runs: 200 plans of ~35 KB (7 MB) cost it 1.66 ms of CPU a plan, ~700 KB a statement
 * 0.7 ms (bulk planning of 1,000 customers, `log_statement_stats`), most of the difference the
 * memory a large message takes.
 */
const SAVE_CHUNK_ROWS = 500;
const SAVE_CHUNK_BYTES = 512 * 1024;

/** The rows cut into runs of at most `SAVE_CHUNK_ROWS` rows and about `SAVE_CHUNK_BYTES` of plans. */
function saveChunks(rows: PlannedTransitionRow[]): PlannedTransitionRow[][] {
  const chunks: PlannedTransitionRow[][] = [];
  let chunk: PlannedTransitionRow[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (
      chunk.length > 0 &&
      (chunk.length >= SAVE_CHUNK_ROWS || bytes + r.planJson.length > SAVE_CHUNK_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += r.planJson.length;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Saves a batch of planned transitions and their audit rows in one transaction: the transitions by
 * multi-row inserts (`saveChunks`), their audit rows through the audit module, one statement a chunk.
 */
export async function insertPlannedTransitions(db: Db | Trx, rows: PlannedTransitionRow[], now: Date) {
  if (rows.length === 0) return;
  const run = async (trx: Trx) => {
    for (const chunk of saveChunks(rows)) {
      await trx
        .insertInto('transitions')
        .values(
          chunk.map((t) => ({
            id: t.id,
            tenant_id: t.tenantId,
            partner_id: t.partnerId,
            created_by_user_id: t.userId,
            status: 'planned' as const,
            verdict: t.verdict,
            options: JSON.stringify(t.options ?? {}),
            plan: t.planJson,
            planned_at: now,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
      await recordAuditRows(
        trx,
        chunk.map((t) => ({ ...t.audit, target_id: t.id })),
      );
    }
  };
  if (db.isTransaction) await run(db as Trx);
  else await (db as Db).transaction().execute(run);
}

/**
 * The open claims on the sources of these tenants (SPEC §3.7): the planner shows each as
 * `under-way`, naming the transition when it is the asking partner's own.
 */
export async function openClaimsOf(db: Db | Trx, tenantIds: string[], partnerId: string) {
  if (tenantIds.length === 0)
    return new Map<string, { sourceSubscriptionId: string; transitionId: string | null }[]>();
  const rows = await db
    .selectFrom('transition_claims as c')
    .innerJoin('transitions as t', 't.id', 'c.transition_id')
    .select(['c.tenant_id', 'c.source_subscription_id', 'c.transition_id', 't.partner_id'])
    .where('c.tenant_id', 'in', tenantIds)
    .where('c.released_at', 'is', null)
    .execute();
  const out = new Map<string, { sourceSubscriptionId: string; transitionId: string | null }[]>();
  for (const r of rows) {
    const list = out.get(r.tenant_id) ?? [];
    list.push({
      sourceSubscriptionId: r.source_subscription_id,
      transitionId: r.partner_id === partnerId ? r.transition_id : null,
    });
    out.set(r.tenant_id, list);
  }
  return out;
}

/**
 * Claims the sources a transition acts on. The partial unique index on open claims decides a
 * race: a source already claimed is not claimed again, and the caller learns which ones lost
 * (`conflicts`), in the same transaction, to refuse the whole apply.
 */
/** Many transitions' rows locked at once, in id order (two batches never deadlock). */
export async function lockTransitions(db: Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('transitions').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

/**
 * `claimSources` for many transitions in one statement: answers the claims won, as
 * `transitionId|sourceSubscriptionId` (a source claimed already, or by an earlier transition of
 * the same batch, is not won).
 */
export async function claimSourcesMany(
  db: Trx,
  claims: {
    transitionId: string;
    tenantId: string;
    lines: { sourceSubscriptionId: string; lineIndex: number }[];
  }[],
  now: Date,
) {
  const values = claims.flatMap((c) =>
    c.lines.map((l) => ({
      source_subscription_id: l.sourceSubscriptionId,
      transition_id: c.transitionId,
      tenant_id: c.tenantId,
      line_index: l.lineIndex,
      claimed_at: now,
    })),
  );
  if (values.length === 0) return new Set<string>();
  const won = await db
    .insertInto('transition_claims')
    .values(values)
    .onConflict((oc) => oc.column('source_subscription_id').where('released_at', 'is', null).doNothing())
    .returning(['transition_id', 'source_subscription_id'])
    .execute();
  return new Set(won.map((w) => `${w.transition_id}|${w.source_subscription_id}`));
}

/** The open claims on these sources: which transition holds each. */
export async function claimHolders(db: Trx, sourceSubscriptionIds: string[]) {
  if (sourceSubscriptionIds.length === 0) return [];
  return db
    .selectFrom('transition_claims')
    .select(['source_subscription_id', 'transition_id'])
    .where('source_subscription_id', 'in', sourceSubscriptionIds)
    .where('released_at', 'is', null)
    .execute();
}

/** Those of these transitions that are the partner's. */
export async function transitionsOfPartner(db: Db | Trx, ids: string[], partnerId: string) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('transitions')
    .select('id')
    .where('id', 'in', ids)
    .where('partner_id', '=', partnerId)
    .execute();
}

/** Drops the claims these transitions took in this transaction (their apply was refused). */
export async function dropClaims(db: Trx, transitionIds: string[]) {
  if (transitionIds.length === 0) return;
  await db.deleteFrom('transition_claims').where('transition_id', 'in', transitionIds).execute();
}

/**
 * Many transitions' step rows in one statement (past a few rows, as one JSON parameter:
 * platform/db/json-rows.ts); rows already there stay as they are.
 */
export async function insertStepRows(db: Trx, rows: Insertable<TransitionStepsTable>[]) {
  if (rows.length === 0) return;
  if (rows.length < ROWS_AS_JSON) {
    await db
      .insertInto('transition_steps')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
    return;
  }
  await sql`insert into transition_steps (transition_id, step_key, seq, line_index, kind, actor, due_at,
      status, attempts, detail, error, updated_at)
    select x.transition_id, x.step_key, x.seq, x.line_index, x.kind, x.actor, x.due_at, x.status,
      coalesce(x.attempts, 0), coalesce(x.detail::jsonb, '{}'), x.error, x.updated_at
    from json_to_recordset(${JSON.stringify(rows)}::json) as x (transition_id text, step_key text,
      seq integer, line_index integer, kind text, actor text, due_at timestamptz, status text,
      attempts integer, detail text, error text, updated_at timestamptz)
    on conflict do nothing`.execute(db);
}

/**
 * Fresh planner statistics for the step rows. A bulk apply adds ~50 step rows a transition, and each
 * run batch reads its transitions' steps by key: with statistics from when the table was small, or
 * none (autovacuum off, or not round yet), PostgreSQL took a batch's steps for a share of the whole
 * table and read all of it (a parallel sequential scan: 164 ms at 172,000 rows, a few ms by the key;
 * docs/performance.md).
 */
export async function analyzeSteps(db: Db) {
  await sql`analyze transition_steps`.execute(db);
}

/** Planned transitions set applying, asked by `userId`. */
export async function markApplying(db: Trx, ids: string[], userId: string, now: Date) {
  if (ids.length === 0) return;
  await db
    .updateTable('transitions')
    .set({ status: 'applying', apply_requested_at: now, apply_requested_by: userId, updated_at: now })
    .where('id', 'in', ids)
    .execute();
}

export async function claimSources(
  db: Trx,
  c: {
    transitionId: string;
    tenantId: string;
    lines: { sourceSubscriptionId: string; lineIndex: number }[];
    now: Date;
  },
) {
  if (c.lines.length === 0)
    return { conflicts: [] as { sourceSubscriptionId: string; transitionId: string }[] };
  const claimed = await db
    .insertInto('transition_claims')
    .values(
      c.lines.map((l) => ({
        source_subscription_id: l.sourceSubscriptionId,
        transition_id: c.transitionId,
        tenant_id: c.tenantId,
        line_index: l.lineIndex,
        claimed_at: c.now,
      })),
    )
    .onConflict((oc) => oc.column('source_subscription_id').where('released_at', 'is', null).doNothing())
    .returning('source_subscription_id')
    .execute();
  if (claimed.length === c.lines.length) return { conflicts: [] };
  const won = new Set(claimed.map((r) => r.source_subscription_id));
  const lost = c.lines.filter((l) => !won.has(l.sourceSubscriptionId)).map((l) => l.sourceSubscriptionId);
  const holders = await db
    .selectFrom('transition_claims')
    .select(['source_subscription_id', 'transition_id'])
    .where('source_subscription_id', 'in', lost)
    .where('released_at', 'is', null)
    .execute();
  return {
    conflicts: holders.map((h) => ({
      sourceSubscriptionId: h.source_subscription_id,
      transitionId: h.transition_id,
    })),
  };
}

/**
 * A failed transition gives back the sources of lines it bought nothing for, so that a new plan
 * may move them; a line whose provisioning was done keeps its claim (buying again would double it).
 */
/** A step's result as its row records it. */
export interface StepMark {
  transitionId: string;
  stepKey: string;
  status: string;
  attempts: number;
  detail: string;
}

/** Many steps' results, of one transition or many, in one statement (the steps a transaction ran). */
/** Transitions taking one status together (a run's settled ones); a final status also sets `finished_at`. */
export async function setTransitionsStatus(
  db: Trx,
  ids: string[],
  status: TransitionRow['status'],
  now: Date,
) {
  if (ids.length === 0) return;
  await db
    .updateTable('transitions')
    .set({
      status,
      updated_at: now,
      ...(status === 'applied' || status === 'failed' ? { finished_at: now } : {}),
    })
    .where('id', 'in', ids)
    .execute();
}

export async function markSteps(db: Trx, marks: StepMark[], now: Date) {
  if (marks.length === 0) return;
  const values = sql.join(
    marks.map(
      (m) => sql`(${m.transitionId}, ${m.stepKey}, ${m.status}, ${m.attempts}::integer, ${m.detail}::jsonb)`,
    ),
  );
  await sql`update transition_steps as t
    set status = v.status, attempts = v.attempts, error = null, detail = v.detail, updated_at = ${now}
    from (values ${values}) as v (transition_id, step_key, status, attempts, detail)
    where t.transition_id = v.transition_id and t.step_key = v.step_key`.execute(db);
}

export async function releaseUnboughtClaims(db: Trx, transitionId: string, now: Date) {
  await db
    .updateTable('transition_claims')
    .set({ released_at: now })
    .where('transition_id', '=', transitionId)
    .where('released_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('transition_steps as s')
            .select('s.step_key')
            .whereRef('s.transition_id', '=', 'transition_claims.transition_id')
            .whereRef('s.line_index', '=', 'transition_claims.line_index')
            .where('s.kind', '=', 'provision')
            .where('s.status', '=', 'done'),
        ),
      ),
    )
    .execute();
}

/** One line's claim ends (its transfer was refused or expired): a new plan may move the source. */
export async function releaseLineClaim(db: Trx, transitionId: string, lineIndex: number, now: Date) {
  await db
    .updateTable('transition_claims')
    .set({ released_at: now })
    .where('transition_id', '=', transitionId)
    .where('line_index', '=', lineIndex)
    .where('released_at', 'is', null)
    .execute();
}

/** How many transitions are in each status (one grouped scan, for /metrics at scrape time). */
export async function countTransitionsByStatus(db: Db): Promise<{ status: string; count: number }[]> {
  const rows = await db
    .selectFrom('transitions')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

/**
 * The group a transition shows in the partner's book (issue 21): `planned`, `applying` (steps run
 * now, or only dated ones remain), `waiting-customer` (a step waits on the customer's admin),
 * `waiting-partner` (a step waits on another partner: the source's partner of record), `failed`,
 * `done` (applied). One SQL expression, so the list filters and sorts by it on the server.
 */
export const TRANSITION_GROUPS = [
  'planned',
  'applying',
  'waiting-customer',
  'waiting-partner',
  'failed',
  'done',
] as const;
export type TransitionGroup = (typeof TRANSITION_GROUPS)[number];

const groupOf = sql<TransitionGroup>`case t.status
  when 'planned' then 'planned'
  when 'applied' then 'done'
  when 'failed' then 'failed'
  when 'applying' then 'applying'
  else case
    when exists (
      select 1 from transition_steps ws
      where ws.transition_id = t.id and ws.status = 'waiting'
        and (ws.actor = 'partner-of-record' or ws.detail ->> 'by' = 'partner-of-record')
    ) then 'waiting-partner'
    when exists (
      select 1 from transition_steps ws where ws.transition_id = t.id and ws.status = 'waiting'
    ) then 'waiting-customer'
    else 'applying'
  end
end`;

// The plan is `json` (migration 0028): its text is parsed here, only for the book's pages.
const lineCount = sql<number>`json_array_length(t.plan -> 'lines')`;

export interface BookFilter {
  partnerId: string;
  status?: string;
  group?: TransitionGroup;
  tenantId?: string;
  /** Customer name or domain, any part, any case. */
  q?: string;
  /** Only the transitions these ids name (a bulk plan run's). */
  ids?: string[];
}

export const BOOK_SORTS = [
  'createdAt',
  'updatedAt',
  'companyName',
  'defaultDomain',
  'status',
  'group',
  'verdict',
  'lines',
] as const;
export type BookSort = (typeof BOOK_SORTS)[number];

function likeOf(text: string) {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function bookBase(db: Db | Trx, f: BookFilter) {
  let q = db
    .selectFrom('transitions as t')
    .innerJoin(tenantNamesQuery(db).as('c'), 'c.id', 't.tenant_id')
    .where('t.partner_id', '=', f.partnerId);
  if (f.status) q = q.where('t.status', '=', f.status as TransitionRow['status']);
  if (f.tenantId) q = q.where('t.tenant_id', '=', f.tenantId);
  if (f.group) q = q.where(groupOf, '=', f.group);
  if (f.ids) q = f.ids.length === 0 ? q.where(sql<boolean>`false`) : q.where('t.id', 'in', f.ids);
  if (f.q) {
    const like = likeOf(f.q);
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['c.company_name']), 'like', like),
        eb(eb.fn('lower', ['c.default_domain']), 'like', like),
      ]),
    );
  }
  return q;
}

const BOOK_ORDER = {
  createdAt: sql`t.created_at`,
  updatedAt: sql`t.updated_at`,
  companyName: sql`c.company_name`,
  defaultDomain: sql`c.default_domain`,
  status: sql`t.status`,
  group: groupOf,
  verdict: sql`t.verdict`,
  lines: lineCount,
} satisfies Record<BookSort, unknown>;

/** A window of the partner's transitions across customers, each with its customer and group. */
export async function listBookRows(
  db: Db | Trx,
  f: BookFilter,
  w: { sort: { field: BookSort; direction: 'asc' | 'desc' }; offset: number; limit: number },
) {
  return bookBase(db, f)
    .select([
      't.id',
      't.tenant_id',
      't.status',
      't.verdict',
      't.planned_at',
      't.created_at',
      't.updated_at',
      'c.company_name',
      'c.default_domain',
      groupOf.as('group'),
      lineCount.as('lines'),
    ])
    .orderBy(BOOK_ORDER[w.sort.field], w.sort.direction)
    .orderBy('t.id', w.sort.direction)
    .offset(w.offset)
    .limit(w.limit)
    .execute();
}

export async function countBookRows(db: Db | Trx, f: BookFilter): Promise<number> {
  const row = await bookBase(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many of the partner's transitions are in each group (home's counts). */
export async function countBookGroups(db: Db | Trx, partnerId: string) {
  const rows = await db
    .selectFrom('transitions as t')
    .where('t.partner_id', '=', partnerId)
    .select([groupOf.as('group'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(groupOf)
    .execute();
  const out = Object.fromEntries(TRANSITION_GROUPS.map((g) => [g, 0])) as Record<TransitionGroup, number>;
  for (const r of rows) out[r.group] = Number(r.n);
  return out;
}

/** Which of these subscriptions an open transition claims (under way, or moved by an applied one). */
export async function claimedAmong(db: Db | Trx, subscriptionIds: string[]): Promise<Set<string>> {
  if (subscriptionIds.length === 0) return new Set();
  const out = new Set<string>();
  // In chunks: a big book can hold tens of thousands of sources.
  for (let i = 0; i < subscriptionIds.length; i += 5000) {
    const rows = await db
      .selectFrom('transition_claims')
      .select('source_subscription_id')
      .where('source_subscription_id', 'in', subscriptionIds.slice(i, i + 5000))
      .where('released_at', 'is', null)
      .execute();
    for (const r of rows) out.add(r.source_subscription_id);
  }
  return out;
}

/** Each customer's latest transition when it is a plan still waiting for someone's acknowledgment. */
export async function plansAwaitingAcknowledgment(db: Db | Trx, partnerId: string) {
  return db
    .selectFrom('transitions as t')
    .innerJoin(tenantNamesQuery(db).as('c'), 'c.id', 't.tenant_id')
    .select(['t.id', 't.tenant_id', 't.verdict', 't.created_at', 'c.company_name'])
    .where('t.partner_id', '=', partnerId)
    .where('t.status', '=', 'planned')
    .where('t.verdict', '=', 'needs-acknowledgment')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('transitions as n')
            .select('n.id')
            .whereRef('n.tenant_id', '=', 't.tenant_id')
            .where('n.partner_id', '=', partnerId)
            .whereRef('n.created_at', '>', 't.created_at'),
        ),
      ),
    )
    .orderBy('t.created_at', 'desc')
    .limit(50)
    .execute();
}
