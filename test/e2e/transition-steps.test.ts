import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysUtc } from '../../src/domain/calendar.ts';
import {
  ManyRunAborted,
  runDueSteps,
  runDueStepsMany,
  type StepBatchHandler,
  type StepHandler,
} from '../../src/modules/transitions/transitions.executor.ts';
import { RUN_QUEUE, runTransitions } from '../../src/modules/transitions/transitions.jobs.ts';
import { applyTransition, requestApplies } from '../../src/modules/transitions/transitions.service.ts';
import { openContext } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { type Ctx, systemActor } from '../../src/platform/http/context.ts';
import { createLogger } from '../../src/platform/log.ts';
import { type Queue, startQueue, stopQueue } from '../../src/platform/queue/queue.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';

/**
 * Several steps share a transaction, each behind its own savepoint: a step refused part-way keeps
 * none of its writes (and records why), and an unexpected error keeps the steps done before it.
 * The handlers here write a marker row and then fail, so that a half-kept step would show.
 */
let t: TestApp;
let queue: Queue; // a real queue with no workers: the steps run only when this test runs them
const log = createLogger('silent');

beforeAll(async () => {
  t = await startTestApp({}, { catalog: true });
  queue = await startQueue(t.handle, log);
  // As the server registers it (`registerTransitionJobs`), without its workers.
  await queue.createQueue(RUN_QUEUE);
});
afterAll(async () => {
  await stopQueue(queue);
  await t?.close();
});

function openCtx<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return openContext(
    {
      db: t.handle.db,
      clock: t.deps.clock,
      actor: systemActor(),
      requestId: 'steps-test',
      log,
      config: t.config,
    },
    fn,
  );
}

/** A ready plan of a direct subscription (or several), applied: its step rows exist, none has run. */
async function appliedPlan(offers = ['demo-m365-business-standard']) {
  const { id, partnerId } = await readyPlans(offers);
  await openCtx((ctx) =>
    applyTransition({ ...ctx, actor: { ...ctx.actor, partnerId } }, queue, { transitionId: id[0]! }),
  );
  return id[0]!;
}

/** `plans` ready plans (not applied) of one new customer's direct subscriptions. */
async function readyPlans(offers = ['demo-m365-business-standard'], plans = 1) {
  const p = await t.newPartner();
  const c = await t.newTenant({ partnerToken: p.tokens['account-admin'], users: 0 });
  const now = t.deps.clock.now();
  for (const offerId of offers)
    await t.expectOk(
      {
        method: 'POST',
        url: `/api/admin/tenants/${c.tenant.id}/subscriptions`,
        token: t.operatorToken,
        body: {
          offerId,
          quantity: 10,
          channel: 'direct',
          purchasedVia: 'admin-center',
          billingCycle: 'annual',
          termStart: addDaysUtc(now, -300).toISOString(),
          termEnd: addDaysUtc(now, 65).toISOString(),
          autoRenew: true,
        },
      },
      201,
    );
  const id: string[] = [];
  for (let i = 0; i < plans; i++) {
    const plan = await t.expectOk(
      {
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transitions`,
        token: p.tokens['sales-agent'],
        body: { options: { provision: 'now' } },
      },
      201,
    );
    expect(plan.verdict).toBe('ready');
    id.push(plan.id);
  }
  return { id, partnerId: p.partner.id as string };
}

const markers = (prefix: string) =>
  t.handle.db.selectFrom('platform_settings').select('key').where('key', 'like', `${prefix}%`).execute();

async function steps(transitionId: string) {
  return t.handle.db
    .selectFrom('transition_steps')
    .select(['seq', 'status', 'error'])
    .where('transition_id', '=', transitionId)
    .orderBy('seq')
    .execute();
}

/** Every step kind runs `fn`, numbered by call. */
function handlersDoing(fn: (call: number, ctx: Ctx) => Promise<void>) {
  let call = 0;
  const handler: StepHandler = async ({ ctx }) => {
    call++;
    await fn(call, ctx);
    return { status: 'done' };
  };
  return new Proxy({}, { get: () => handler }) as Parameters<typeof runDueSteps>[2];
}

const mark = (ctx: Ctx, key: string) =>
  ctx.db
    .insertInto('platform_settings')
    .values({ key, value: JSON.stringify({}) })
    .execute();

describe('steps sharing a transaction', () => {
  it('a step refused part-way keeps none of its writes; the steps before it keep theirs', async () => {
    const id = await appliedPlan();
    const prefix = `probe-refused-${id}-`;
    const status = await runDueSteps(
      openCtx,
      id,
      handlersDoing(async (call, ctx) => {
        await mark(ctx, `${prefix}${call}`);
        if (call === 2) throw new DomainError('conflict');
      }),
    );
    expect(status).toBe('failed');
    expect((await markers(prefix)).map((r) => r.key)).toEqual([`${prefix}1`]);
    const [first, second] = await steps(id);
    expect(first).toMatchObject({ status: 'done' });
    expect(second).toMatchObject({ status: 'failed', error: 'conflict' });
  });

  it('an unexpected error is raised after the steps done before it commit, and nothing of its own stays', async () => {
    const id = await appliedPlan();
    const prefix = `probe-crash-${id}-`;
    await expect(
      runDueSteps(
        openCtx,
        id,
        handlersDoing(async (call, ctx) => {
          await mark(ctx, `${prefix}${call}`);
          if (call === 2) throw new Error('boom');
        }),
      ),
    ).rejects.toThrow('boom');
    expect((await markers(prefix)).map((r) => r.key)).toEqual([`${prefix}1`]);
    const [first, second] = await steps(id);
    expect(first).toMatchObject({ status: 'done' });
    expect(second?.status).not.toBe('done');
    expect(second?.status).not.toBe('failed');
  });
});

describe('many transitions sharing a transaction (a bulk apply batch)', () => {
  /** Every kind's handler marks (transition, step) and refuses `refuse`'s step at `seq`. */
  function marking(prefix: string, refuse: { id: string; seq: number }) {
    const handler: StepHandler = async ({ ctx, transition, step }) => {
      await mark(ctx, `${prefix}${transition.id}-${step.key}`);
      if (transition.id === refuse.id && Number(step.key.slice(0, 4)) === refuse.seq)
        throw new DomainError('conflict');
      return { status: 'done' };
    };
    return new Proxy({}, { get: () => handler }) as Parameters<typeof runDueSteps>[2];
  }

  async function doneSteps(id: string) {
    return (await steps(id)).filter((s) => s.status === 'done').length;
  }

  it('a step refused among its kind fails its own transition; the others go on and keep their writes', async () => {
    const ids = [await appliedPlan(), await appliedPlan(), await appliedPlan()];
    const refused = ids[1]!;
    const prefix = `probe-many-${ids[0]}-`;
    // The three plans have the same steps: each round runs one kind for all three together.
    const statuses = await runDueStepsMany(openCtx, ids, marking(prefix, { id: refused, seq: 1 }));
    expect(statuses.get(refused)).toBe('failed');
    const [first, second] = await steps(refused);
    expect(first).toMatchObject({ status: 'done' });
    expect(second).toMatchObject({ status: 'failed', error: 'conflict' });
    const marked = (await markers(prefix)).map((r) => r.key);
    // The refused step kept nothing; the other two transitions kept every step they did.
    expect(marked.filter((k) => k.startsWith(`${prefix}${refused}-`))).toHaveLength(1);
    for (const id of [ids[0]!, ids[2]!]) {
      expect(statuses.get(id)).not.toBe('failed');
      const done = await doneSteps(id);
      expect(done).toBeGreaterThan(1);
      expect(marked.filter((k) => k.startsWith(`${prefix}${id}-`))).toHaveLength(done);
    }
  });

  it('settles the transitions of a round together: each its own status, audit row and event', async () => {
    const ids = [await appliedPlan(), await appliedPlan(), await appliedPlan()];
    const refused = ids[2]!;
    // Refused at its last step due now: all three settle in the same round, with two statuses.
    const due = await t.handle.db
      .selectFrom('transition_steps')
      .select('seq')
      .where('transition_id', '=', refused)
      .where('due_at', '<=', t.deps.clock.now())
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(due.seq).toBeGreaterThan(0);
    const statuses = await runDueStepsMany(
      openCtx,
      ids,
      marking(`probe-settle-${ids[0]}-`, { id: refused, seq: due.seq }),
    );
    expect(statuses.get(refused)).toBe('failed');
    expect(statuses.get(ids[0]!)).toBe(statuses.get(ids[1]!));
    expect(statuses.get(ids[0]!)).not.toBe('failed');
    const rows = await t.handle.db
      .selectFrom('transitions')
      .select(['id', 'status', 'finished_at'])
      .where('id', 'in', ids)
      .execute();
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.status).toBe(statuses.get(r.id));
      expect(r.finished_at !== null).toBe(r.status === 'applied' || r.status === 'failed');
    }
    const events = await t.handle.db
      .selectFrom('outbox_events')
      .select(['payload', 'seq'])
      .where('type', '=', 'transition.status-changed')
      .orderBy('seq')
      .execute();
    const audit = await t.handle.db
      .selectFrom('audit_events')
      .select(['target_id', 'action'])
      .where('target_type', '=', 'transition')
      .where('target_id', 'in', ids)
      .execute();
    for (const id of ids) {
      const mine = events
        .map((e) => e.payload as { transitionId: string; status: string })
        .filter((p) => p.transitionId === id);
      // One event per status it took in this run, the last its status now.
      expect(mine.at(-1)?.status).toBe(statuses.get(id));
      expect(audit.filter((a) => a.target_id === id).map((a) => a.action)).toContain(
        `transition.${statuses.get(id)}`,
      );
    }
  });

  it("a transition's steps of one kind run together; one refused stops its transition there", async () => {
    const id = await appliedPlan(['demo-m365-business-standard', 'demo-m365-business-basic']);
    const rows = await t.handle.db
      .selectFrom('transition_steps')
      .select(['seq', 'kind'])
      .where('transition_id', '=', id)
      .orderBy('seq')
      .execute();
    // Two lines: the first two steps are the same kind (one per line), one after the other.
    expect(rows[0]!.kind).toBe(rows[1]!.kind);
    const prefix = `probe-lines-${id}-`;
    const sizes: number[] = [];
    const batch: StepBatchHandler = async (group) => {
      sizes.push(group.length);
      for (const s of group) await mark(s.ctx, `${prefix}${s.step.key}`);
      // The first line's step is refused; the second's would succeed.
      return group.map((s) => (s.step.lineIndex === 0 ? new DomainError('conflict') : { status: 'done' }));
    };
    // Its handler for a lone step says the same (the first line's step is refused).
    const statuses = await runDueStepsMany(openCtx, [id], marking(prefix, { id, seq: 0 }), {
      [rows[0]!.kind]: batch,
    });
    // Both lines' steps went to the batch handler at once; the refusal undid the second's effect.
    expect(sizes[0]).toBe(2);
    expect(statuses.get(id)).toBe('failed');
    const [first, second] = await steps(id);
    expect(first).toMatchObject({ status: 'failed', error: 'conflict' });
    expect(second).toMatchObject({ status: 'pending' });
    expect((await markers(prefix)).map((r) => r.key)).toEqual([]);
  });

  it("a kind's batch handler refuses one step; the others of the group are done", async () => {
    const ids = [await appliedPlan(), await appliedPlan()];
    const refused = ids[0]!;
    const prefix = `probe-batch-${ids[0]}-`;
    const firstKind = (
      await t.handle.db
        .selectFrom('transition_steps')
        .select('kind')
        .where('transition_id', '=', refused)
        .orderBy('seq')
        .executeTakeFirstOrThrow()
    ).kind;
    const sizes: number[] = [];
    const batch: StepBatchHandler = async (group) => {
      sizes.push(group.length);
      for (const s of group) await mark(s.ctx, `${prefix}${s.transition.id}-${s.step.key}`);
      return group.map((s) =>
        s.transition.id === refused ? new DomainError('conflict') : { status: 'done' },
      );
    };
    const statuses = await runDueStepsMany(openCtx, ids, marking(prefix, { id: '', seq: -1 }), {
      [firstKind]: batch,
    });
    expect(sizes[0]).toBe(2);
    expect(statuses.get(refused)).toBe('failed');
    expect((await steps(refused))[0]).toMatchObject({ status: 'failed', error: 'conflict' });
    expect(statuses.get(ids[1]!)).not.toBe('failed');
    expect((await steps(ids[1]!))[0]).toMatchObject({ status: 'done' });
  });

  it('an unexpected error undoes the shared transaction and says to run them one by one', async () => {
    const ids = [await appliedPlan(), await appliedPlan()];
    const prefix = `probe-many-crash-${ids[0]}-`;
    const handler: StepHandler = async ({ ctx, transition }) => {
      await mark(ctx, `${prefix}${transition.id}`);
      if (transition.id === ids[1]) throw new Error('boom');
      return { status: 'done' };
    };
    const handlers = new Proxy({}, { get: () => handler }) as Parameters<typeof runDueSteps>[2];
    await expect(runDueStepsMany(openCtx, ids, handlers)).rejects.toBeInstanceOf(ManyRunAborted);
    expect(await markers(prefix)).toEqual([]);
    for (const id of ids) {
      const rows = await steps(id);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((s) => s.status === 'pending')).toBe(true);
    }
  });
});

describe('a run of many, one requester failing', () => {
  it("still runs the other requesters' transitions and asks for their dated runs, then raises the error", async () => {
    const bad = await appliedPlan();
    const good = await appliedPlan();
    // A plan that no longer reads as one: its first step meets an unexpected error.
    await t.handle.db
      .updateTable('transitions')
      .set({ plan: JSON.stringify({ lines: [], timeline: [] }) })
      .where('id', '=', bad)
      .execute();
    await expect(runTransitions({ ...t.deps, queue }, [bad, good], 'one-fails-test')).rejects.toThrow(
      TypeError,
    );
    const status = await t.handle.db
      .selectFrom('transitions')
      .select('status')
      .where('id', '=', good)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe('waiting');
    const jobs = (await t.handle.db
      .selectFrom('pgboss.job' as never)
      .select(['data' as never, 'start_after' as never])
      .where('name' as never, '=', RUN_QUEUE as never)
      .execute()) as { data: { transitionId: string }; start_after: Date }[];
    expect(
      jobs.filter(
        (j) => j.data.transitionId === good && new Date(j.start_after).getTime() > Date.now() + 86_400_000,
      ),
    ).toHaveLength(1);
  });
});

describe('dated steps', () => {
  it("a run of many asks the queue for each waiting transition's next dated step, on its day", async () => {
    const ids = [await appliedPlan(), await appliedPlan()];
    const statuses = await runTransitions({ ...t.deps, queue }, ids, 'dated-runs-test');
    const waiting = ids.filter((id) => statuses.get(id) === 'waiting');
    // The plans end with the source's dated steps (it expires in 65 days): they wait for them.
    expect(waiting).toHaveLength(2);
    const jobs = await t.handle.db
      .selectFrom('pgboss.job' as never)
      .select(['data' as never, 'start_after' as never])
      .where('name' as never, '=', RUN_QUEUE as never)
      .execute();
    const dated = (jobs as { data: { transitionId: string }; start_after: Date }[]).filter(
      (j) => new Date(j.start_after).getTime() > Date.now() + 86_400_000,
    );
    for (const id of waiting) {
      const pending = await t.handle.db
        .selectFrom('transition_steps')
        .select('due_at')
        .where('transition_id', '=', id)
        .where('status', 'in', ['pending', 'waiting'])
        .where('due_at', '>', t.deps.clock.now())
        .orderBy('due_at')
        .executeTakeFirstOrThrow();
      const job = dated.filter((j) => j.data.transitionId === id);
      expect(job).toHaveLength(1);
      // On the step's day in real time (the platform clock is the real one here), within a minute.
      const wait = pending.due_at.getTime() - t.deps.clock.now().getTime();
      expect(Math.abs(new Date(job[0]!.start_after).getTime() - (Date.now() + wait))).toBeLessThan(60_000);
    }
  });
});

describe('applying a batch of plans (a bulk apply)', () => {
  it('applies each ready plan once, and refuses a second plan of the same sources with nothing kept of it', async () => {
    const twice = await readyPlans(['demo-m365-business-standard'], 2);
    const other = await readyPlans();
    const ids = [twice.id[0]!, twice.id[1]!, other.id[0]!];
    const refusals = await openCtx((ctx) => requestApplies(ctx, queue, [...ids, 'no-such-transition']));
    expect(refusals[0]).toBeNull();
    expect(refusals[1]).toMatchObject({
      code: 'transition_in_progress',
      params: { transitionIds: [ids[0]] },
    });
    expect(refusals[2]).toBeNull();
    expect(refusals[3]).toMatchObject({ code: 'transition_not_found' });

    const rows = await t.handle.db
      .selectFrom('transitions')
      .select(['id', 'status'])
      .where('id', 'in', ids)
      .execute();
    const status = new Map(rows.map((r) => [r.id, r.status]));
    expect([status.get(ids[0]!), status.get(ids[1]!), status.get(ids[2]!)]).toEqual([
      'applying',
      'planned',
      'applying',
    ]);
    const claims = await t.handle.db
      .selectFrom('transition_claims')
      .select('transition_id')
      .where('transition_id', 'in', ids)
      .execute();
    expect(new Set(claims.map((c) => c.transition_id))).toEqual(new Set([ids[0], ids[2]]));
    expect(await steps(ids[1]!)).toEqual([]);
    for (const id of [ids[0]!, ids[2]!]) expect((await steps(id)).length).toBeGreaterThan(0);
    const jobs = (await t.handle.db
      .selectFrom('pgboss.job' as never)
      .select(['data' as never])
      .where('name' as never, '=', RUN_QUEUE as never)
      .execute()) as { data: { transitionId: string } }[];
    expect(
      jobs
        .filter((j) => ids.includes(j.data.transitionId))
        .map((j) => j.data.transitionId)
        .sort(),
    ).toEqual([ids[0]!, ids[2]!].sort());

    // Again: nothing changes (they are no longer planned; the refused one is refused again).
    const again = await openCtx((ctx) => requestApplies(ctx, queue, ids));
    expect(again[0]).toBeNull();
    expect(again[1]).toMatchObject({ code: 'transition_in_progress' });
    expect(
      (
        await t.handle.db
          .selectFrom('transition_claims')
          .select('transition_id')
          .where('transition_id', 'in', ids)
          .execute()
      ).length,
    ).toBe(claims.length);
  });
});
