import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonthsUtc, DAY_MS } from '../../src/domain/calendar.ts';
import { billDueChargesNow } from '../../src/modules/subscriptions/index.ts';
import { startTestApp, type TestApp } from '../fixtures/app.ts';
import { newOffer } from '../fixtures/offers.ts';
import { platformNow } from '../fixtures/transition-case.ts';

/**
 * Issue 19, acceptance 1: over random sequences of purchases, seat changes, cancellations in and
 * out of the refund window, partner-to-partner transfers, auto-renew off and clock moves (renewals,
 * monthly cycles), run through the real API on the database, the billing lines of the subscription
 * add up, per partner, to what a day-by-day simulation of the seats each partner held owes, to the
 * minor unit. The simulation below is written apart from src/domain/billing: it walks the terms and
 * charge periods day by day and prices each seat-day.
 */
let t: TestApp;
type Partner = Awaited<ReturnType<TestApp['newPartner']>>;
let a: Partner;
let b: Partner;
const offers: { id: string; term: 'P1M' | 'P1Y'; cycle: 'monthly' | 'annual'; price: number }[] = [];

beforeAll(async () => {
  t = await startTestApp({}, { catalog: false });
  a = await t.newPartner();
  b = await t.newPartner();
  // Odd prices, so every proration has a remainder to floor.
  for (const [term, cycle, price] of [
    ['P1Y', 'annual', 36_517],
    ['P1Y', 'monthly', 12_347],
    ['P1M', 'monthly', 1_003],
  ] as const) {
    const o = await newOffer(t, 'O365_BUSINESS_PREMIUM', {
      term,
      billingCycle: cycle,
      unitPrice: price,
      minQuantity: 1,
    });
    offers.push({ id: o.id, term, cycle, price });
  }
});
afterAll(async () => t?.close());

// --- The simulation ---------------------------------------------------------------------------------

type SimEvent =
  | { at: Date; kind: 'seats'; to: number }
  | { at: Date; kind: 'holder'; partnerId: string }
  | { at: Date; kind: 'cancel' }
  | { at: Date; kind: 'autoRenewOff' };

const MONTHS = { P1M: 1, P1Y: 12 } as const;
const floorDiv = (n: bigint, d: bigint) => (n >= 0n ? n / d : -((-n + d - 1n) / d));

/** What each partner owes for the subscription: Σ over charged days of seats held × the day's price. */
function simulate(input: {
  start: Date;
  term: 'P1M' | 'P1Y';
  cycle: 'monthly' | 'annual';
  price: number;
  seats: number;
  holder: string;
  events: SimEvent[];
  end: Date;
}): Map<string, bigint> {
  const owed = new Map<string, bigint>();
  const termMonths = MONTHS[input.term];
  const n = input.cycle === 'monthly' ? termMonths : 1;
  const periodMonths = termMonths / n;
  const cancelAt = input.events.find((e) => e.kind === 'cancel')?.at;
  const offAt = input.events.find((e) => e.kind === 'autoRenewOff')?.at;
  const stateAt = (day: Date) => {
    let seats = input.seats;
    let holder = input.holder;
    for (const e of input.events) {
      if (e.at.getTime() > day.getTime()) continue;
      if (e.kind === 'seats') seats = e.to;
      if (e.kind === 'holder') holder = e.partnerId;
      if (e.kind === 'cancel') seats = 0;
    }
    return { seats, holder };
  };
  for (let term = 0; ; term++) {
    const termStart = addMonthsUtc(input.start, termMonths * term);
    if (term > 0) {
      // The previous term renewed into this one only if still auto-renewing and not cancelled.
      if (termStart.getTime() > input.end.getTime()) break;
      if (offAt && offAt.getTime() < termStart.getTime()) break;
      if (cancelAt && cancelAt.getTime() <= termStart.getTime()) break;
    }
    for (let i = 0; i < n; i++) {
      const pStart = addMonthsUtc(termStart, periodMonths * i);
      const pEnd = addMonthsUtc(termStart, periodMonths * (i + 1));
      if (pStart.getTime() > input.end.getTime()) break;
      if (cancelAt && pStart.getTime() >= cancelAt.getTime()) break;
      const days = Math.ceil((pEnd.getTime() - pStart.getTime()) / DAY_MS);
      const u = BigInt(input.price);
      const price = floorDiv(u * BigInt(i + 1), BigInt(n)) - floorDiv(u * BigInt(i), BigInt(n));
      // Day d of the period is worth the share of the period's price its position gives it.
      const rest = (k: number) => floorDiv(price * BigInt(days - k), BigInt(days));
      for (let d = 0; d < days; d++) {
        const s = stateAt(new Date(pStart.getTime() + d * DAY_MS));
        if (s.seats === 0) continue;
        owed.set(s.holder, (owed.get(s.holder) ?? 0n) + BigInt(s.seats) * (rest(d) - rest(d + 1)));
      }
    }
  }
  return owed;
}

// --- The random sequences ---------------------------------------------------------------------------

type Op =
  | { kind: 'advance'; days: number; hours: number; sweep: boolean }
  | { kind: 'add'; n: number }
  | { kind: 'remove'; n: number }
  | { kind: 'cancel' }
  | { kind: 'transfer' }
  | { kind: 'autoRenewOff' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      days: fc.integer({ min: 0, max: 40 }),
      hours: fc.integer({ min: 0, max: 23 }),
      sweep: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      days: fc.integer({ min: 300, max: 400 }),
      hours: fc.integer({ min: 0, max: 23 }),
      sweep: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 4 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('remove' as const), n: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'transfer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'autoRenewOff' as const }) },
);

async function moveClockTo(at: Date) {
  await t.expectOk({
    method: 'POST',
    url: '/api/admin/clock',
    token: t.operatorToken,
    body: { now: at.toISOString() },
  });
}

const sweep = () => billDueChargesNow({ handle: t.handle, config: t.config, log: t.deps.log });

async function runCase(offerIndex: number, seats0: number, startDay: number, startHour: number, ops: Op[]) {
  const offer = offers[offerIndex]!;
  // Start on day 1–28 of a month, so no term or cycle date is clamped to a month's end: the
  // simulation then adds months from the start alone.
  const now = await platformNow(t);
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1 + startDay, startHour));
  await moveClockTo(first);
  const c = await t.newTenant({ partnerToken: a.tokens['account-admin'], users: 0 });
  const invite = await t.expectOk(
    {
      method: 'POST',
      url: '/api/relationship-requests',
      token: b.tokens['account-admin'],
      body: { tenantId: c.tenant.id },
    },
    201,
  );
  await t.expectOk({ method: 'POST', url: `/api/invitations/${invite.token}/accept`, token: c.adminToken });
  const order = await t.expectOk(
    {
      method: 'POST',
      url: `/api/customers/${c.tenant.id}/orders`,
      token: a.tokens['account-admin'],
      body: { lineItems: [{ offerId: offer.id, quantity: seats0 }] },
    },
    201,
  );
  const sub = order.subscriptions[0] as { id: string; termStart: string };
  const start = new Date(sub.termStart);
  const events: SimEvent[] = [];
  let holder = a;
  let seats = seats0;
  const patch = (body: unknown) =>
    t.call({
      method: 'PATCH',
      url: `/api/customers/${c.tenant.id}/subscriptions/${sub.id}`,
      token: holder.tokens['account-admin'],
      body,
    });
  for (const op of ops) {
    const at = await platformNow(t);
    if (op.kind === 'advance') {
      // A minute more, so the move is never behind the running clock.
      await moveClockTo(new Date(at.getTime() + op.days * DAY_MS + op.hours * 3_600_000 + 60_000));
      if (op.sweep) await sweep();
    } else if (op.kind === 'add' || op.kind === 'remove') {
      const to = op.kind === 'add' ? seats + op.n : seats - op.n;
      const res = await patch({ quantity: to });
      if (res.status === 200) {
        seats = to;
        events.push({ at, kind: 'seats', to });
      } else expect([400, 409, 422]).toContain(res.status);
    } else if (op.kind === 'cancel') {
      const res = await patch({ status: 'cancelled' });
      if (res.status === 200) events.push({ at, kind: 'cancel' });
      // Outside the window (409), or already cancelled or expired (422).
      else expect([409, 422]).toContain(res.status);
    } else if (op.kind === 'autoRenewOff') {
      const res = await patch({ autoRenew: false });
      if (res.status === 200) events.push({ at, kind: 'autoRenewOff' });
      else expect([409, 422]).toContain(res.status);
    } else {
      const target = holder === a ? b : a;
      const req = await t.call({
        method: 'POST',
        url: `/api/customers/${c.tenant.id}/transfers`,
        token: target.tokens['account-admin'],
        body: { sourcePartnerId: holder.partner.id, subscriptionIds: [sub.id] },
      });
      if (req.status !== 201) {
        // Not transferable now (cancelled, expired): nothing moves.
        expect([409, 422]).toContain(req.status);
        continue;
      }
      await t.expectOk({
        method: 'POST',
        url: `/api/transfers/${req.body.id}/approve`,
        token: holder.tokens['account-admin'],
        body: { subscriptionIds: [sub.id] },
      });
      holder = target;
      events.push({ at, kind: 'holder', partnerId: target.partner.id });
    }
  }
  await sweep();
  const end = await platformNow(t);
  const lines = await t.handle.db
    .selectFrom('billing_lines')
    .select(['partner_id', 'subtotal', 'charge_type', 'source_key'])
    .where('subscription_id', '=', sub.id)
    .execute();
  expect(lines.length).toBeGreaterThan(0);
  const billed = new Map<string, bigint>();
  for (const l of lines) billed.set(l.partner_id, (billed.get(l.partner_id) ?? 0n) + BigInt(l.subtotal));
  for (const [k, v] of [...billed]) if (v === 0n) billed.delete(k);
  const owed = simulate({
    start,
    term: offer.term,
    cycle: offer.cycle,
    price: offer.price,
    seats: seats0,
    holder: a.partner.id,
    events,
    end,
  });
  for (const [k, v] of [...owed]) if (v === 0n) owed.delete(k);
  const show = (m: Map<string, bigint>) =>
    Object.fromEntries([...m].map(([k, v]) => [k === a.partner.id ? 'A' : 'B', v.toString()]));
  expect(
    show(billed),
    JSON.stringify({ offer, seats0, ops, lines: lines.map((l) => [l.charge_type, l.subtotal]) }),
  ).toEqual(show(owed));
}

// Modest by default (well under a minute); BILLING_PROPERTY_RUNS=200 for a longer hunt.
const RUNS = Number(process.env.BILLING_PROPERTY_RUNS ?? 12);

describe('billing lines against a day-by-day simulation (issue 19, acceptance 1)', () => {
  it(
    'every sequence of purchases, seat changes, cancellations, transfers and renewals bills what the seats owe',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 0, max: 27 }),
          fc.integer({ min: 0, max: 23 }),
          fc.array(opArb, { minLength: 2, maxLength: 9 }),
          (offerIndex, seats0, startDay, startHour, ops) =>
            runCase(offerIndex, seats0, startDay, startHour, ops),
        ),
        { numRuns: RUNS, endOnFailure: true },
      );
    },
    Math.max(60_000, RUNS * 5_000),
  );
});
