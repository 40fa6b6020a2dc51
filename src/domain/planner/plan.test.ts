import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classOf, plansOf, product } from '../../../test/fixtures/reference.ts';
import { addDaysUtc } from '../calendar.ts';
import { checkPreconditions } from './checks.ts';
import { MESSAGES, renderReason } from './messages.ts';
import { plannerCaches, planTransition } from './plan.ts';
import type { Acknowledgment, PlanInput, PlanOffer, PlanSubscription, PlanUser, Reason } from './types.ts';

const NOW = new Date('2026-03-01T00:00:00Z');

/** An offer built on a real product of the reference CSV, with demo commercial terms. */
function offer(id: string, partNumber: string, extra: Partial<PlanOffer> = {}): PlanOffer {
  const p = product(partNumber);
  const c = classOf(partNumber);
  return {
    id,
    name: p.name,
    skuId: p.skuId,
    skuPartNumber: p.skuPartNumber,
    kind: 'base',
    baseOfferIds: [],
    billingKind: 'license',
    term: 'P1Y',
    billingCycle: 'annual',
    minQuantity: 1,
    maxQuantity: 300,
    status: 'available',
    existingCustomersOnly: false,
    successorOfferId: null,
    successorAddOnOfferIds: [],
    markets: ['ES', 'BR'],
    unitPrice: 12_000,
    currency: 'EUR',
    refundWindowHours: 168,
    servicePlans: plansOf(partNumber),
    segment: c.segment,
    purpose: c.purpose,
    family: c.family,
    requiresBaseSkuIds: c.requiresBaseSkuIds,
    ...extra,
  };
}

const CATALOG: PlanOffer[] = [
  offer('basic', 'O365_BUSINESS_ESSENTIALS', { unitPrice: 6_000 }),
  offer('standard', 'O365_BUSINESS_PREMIUM', { unitPrice: 12_000 }),
  offer('premium', 'SPB', { unitPrice: 21_000 }),
  offer('e1', 'STANDARDPACK', {
    status: 'end-of-sale',
    successorOfferId: 'e1-eea',
    successorAddOnOfferIds: ['teams-eea'],
    unitPrice: 9_600,
  }),
  offer('e1-eea', 'Office_365_w/o_Teams_Bundle_E1', { unitPrice: 8_400 }),
  offer('teams-eea', 'Microsoft_Teams_EEA_New', { kind: 'add-on', unitPrice: 600 }),
  offer('e3', 'ENTERPRISEPACK', { existingCustomersOnly: true, unitPrice: 27_600 }),
  offer('project', 'PROJECTPREMIUM', { status: 'end-of-sale', unitPrice: 66_000 }),
];
const byId = (id: string) => CATALOG.find((o) => o.id === id)!;

function sub(id: string, offerId: string, extra: Partial<PlanSubscription> = {}): PlanSubscription {
  return {
    id,
    offerId,
    skuId: byId(offerId).skuId,
    quantity: 50,
    channel: 'direct',
    partnerId: null,
    purchasedVia: 'admin-center',
    billingCycle: 'annual',
    term: 'P1Y',
    termStart: addDaysUtc(NOW, -320),
    termEnd: addDaysUtc(NOW, 45),
    autoRenew: true,
    usersHaveAccess: true,
    isLive: true,
    ...extra,
  };
}

function users(n: number, skuId: string, excluded: string[] = []): PlanUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `u${String(i).padStart(3, '0')}`,
    userPrincipalName: `user${i}@fabrikam.demo`,
    licenses: [{ skuId, excludedPlanIds: excluded }],
  }));
}

function input(extra: Partial<PlanInput>): PlanInput {
  return {
    now: NOW,
    tenant: { id: 't1', country: 'ES', region: 'europe' },
    partner: { id: 'p1', region: 'europe' },
    hasDelegatedAdmin: false,
    subscriptions: [],
    users: [],
    catalog: CATALOG,
    ...extra,
  };
}

function neverDips(plan: ReturnType<typeof planTransition>) {
  // Every plan these tests check has seats; without any the loop below would check nothing.
  expect(plan.seats.length).toBeGreaterThan(0);
  for (const s of plan.seats)
    for (const p of s.points) expect(p.pool, `${s.skuId} at ${p.at}`).toBeGreaterThanOrEqual(p.assigned);
}

describe('the seed case: a direct annual subscription of an orderable offer', () => {
  const std = byId('standard');
  const plan = planTransition(input({ subscriptions: [sub('s1', 'standard')], users: users(45, std.skuId) }));
  const line = plan.lines[0]!;

  it('moves to the same offer with the same 50 seats, no reassignment, letting the source expire', () => {
    expect(plan.verdict).toBe('ready');
    expect(line).toMatchObject({
      targetOfferId: 'standard',
      addOnOfferIds: [],
      choice: 'same-offer',
      quantity: 50,
      assignedSeats: 45,
      reassignLicenses: false,
      disposition: 'let-expire',
      sourceActor: 'customer',
      creditEligible: true,
      creditFiledBy: 'customer',
      verdict: 'ready',
    });
    expect(line.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['line.same-seat-count', 'line.turn-off-auto-renew', 'line.credit']),
    );
  });

  it('has a dated timeline: auto-renew off now, provision 7 days before the end (recommended), expiry at term end, disabled 30 days later', () => {
    expect(line).toMatchObject({
      provision: 'before-end',
      recommendedProvision: 'before-end',
      provisionOn: '2026-04-08',
    });
    expect(plan.timeline.map((s) => [s.step, s.at.slice(0, 10)])).toEqual([
      ['turn-off-auto-renew', '2026-03-01'],
      ['provision', '2026-04-08'],
      ['source-expires', '2026-04-15'],
      ['source-disabled', '2026-05-15'],
      ['source-deleted', '2026-08-13'],
    ]);
    const now = planTransition(
      input({
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { provision: 'now' },
      }),
    );
    expect(now.timeline.map((s) => [s.step, s.at.slice(0, 10)])).toEqual([
      ['provision', '2026-03-01'],
      ['turn-off-auto-renew', '2026-03-01'],
      ['source-expires', '2026-04-15'],
      ['source-disabled', '2026-05-15'],
      ['source-deleted', '2026-08-13'],
    ]);
    expect(now.lines[0]).toMatchObject({ provision: 'now', recommendedProvision: 'before-end' });
  });

  it('keeps the pooled seats above the 45 assigned at every instant', () => {
    neverDips(plan);
    const points = plan.seats.find((s) => s.skuId === std.skuId)!.points;
    // now, provisioned 7 days before the end, term end, disabled (source leaves the pool), deleted.
    expect(points.map((p) => [p.at.slice(0, 10), p.pool])).toEqual([
      ['2026-03-01', 50],
      ['2026-04-08', 100],
      ['2026-04-15', 100],
      ['2026-05-15', 50],
      ['2026-08-13', 50],
    ]);
    expect(points.every((p) => p.assigned === 45)).toBe(true);
  });

  it("gives a SKU a point only at its own line's steps or where its seats change", () => {
    const basicSku = byId('basic').skuId;
    const two = planTransition(
      input({
        subscriptions: [
          sub('s-std', 'standard'),
          sub('s-basic', 'basic', { quantity: 20, termEnd: addDaysUtc(NOW, 200) }),
        ],
        users: [
          ...users(45, std.skuId),
          ...users(15, basicSku).map((u) => ({
            ...u,
            id: `b-${u.id}`,
            userPrincipalName: `b-${u.userPrincipalName}`,
          })),
        ],
      }),
    );
    neverDips(two);
    expect(two.lines).toHaveLength(2);
    const datesOf = (sku: string) =>
      new Set(
        two.timeline
          .filter((st) => {
            const l = two.lines[st.lineIndex]!;
            return l.sourceSkuId === sku || l.targetSkuIds.includes(sku);
          })
          .map((st) => st.at),
      );
    for (const s of two.seats) {
      const own = datesOf(s.skuId);
      expect(s.points.length).toBeGreaterThan(1);
      s.points.forEach((p, i) => {
        const prev = s.points[i - 1];
        const changed = !prev || prev.pool !== p.pool || prev.assigned !== p.assigned;
        expect(i === 0 || own.has(p.at) || changed, `${s.skuId} at ${p.at}`).toBe(true);
      });
    }
    // The standard line's own dates (its purchase, term end, disabling, deletion) are not repeated
    // on the basic SKU's chart, whose seats do not move then.
    const basicDates = datesOf(basicSku);
    const stdOnly = [...datesOf(std.skuId)].filter((d) => !basicDates.has(d) && d !== NOW.toISOString());
    expect(stdOnly.length).toBeGreaterThan(0);
    const basic = two.seats.find((s) => s.skuId === basicSku)!;
    expect(basic.points.filter((p) => stdOnly.includes(p.at))).toEqual([]);
  });

  it('computes the credit for the days paid twice, at the source price, from the purchase it chose', () => {
    // 50 seats at 120.00 a seat-year, 365-day term: bought 7 days before the end, 7 days are paid
    // twice: 50 × 7 × 120.00 / 365 = 115.07; bought now, 45 days: 50 × 45 × 120.00 / 365 = 739.73.
    expect(line).toMatchObject({ creditAmount: 11_507, creditCurrency: 'EUR' });
    expect(line.reasons.find((r) => r.code === 'line.credit')?.params).toMatchObject({ amount: 11_507 });
    const now = planTransition(
      input({
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { provision: 'now' },
      }),
    );
    expect(now.lines[0]).toMatchObject({ creditAmount: 73_973 });
    // Only the seats held in both count: 45 bought of the 50 paid direct.
    const fewer = planTransition(
      input({
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { provision: 'now', quantity: 'assigned' },
      }),
    );
    expect(fewer.lines[0]).toMatchObject({ quantity: 45, creditAmount: 66_575 });
  });

  it('says the customer files the credit without delegated admin, the partner with it', () => {
    const withDap = planTransition(
      input({ subscriptions: [sub('s1', 'standard')], users: users(45, std.skuId), hasDelegatedAdmin: true }),
    );
    expect(withDap.lines[0]).toMatchObject({ creditFiledBy: 'partner', sourceActor: 'partner' });
    expect(withDap.timeline.map((s) => s.step)).toContain('file-credit-request');
    expect(plan.timeline.map((s) => s.step)).not.toContain('file-credit-request');
  });

  it('shows both dates with their overlap cost, as computed by hand, and recommends the cheaper', () => {
    // 50 seats × 120.00 a year. The target's year from 2026-03-01 has 365 days; from 2026-04-08, 365.
    // Now: 45 days until the source's term end. Before the end: the last 7 days.
    expect(line.provisionOptions).toEqual([
      { when: 'now', on: '2026-03-01T00:00:00.000Z', overlapCost: Math.round((12_000 * 50 * 45) / 365) },
      {
        when: 'before-end',
        on: '2026-04-08T00:00:00.000Z',
        overlapCost: Math.round((12_000 * 50 * 7) / 365),
      },
    ]);
    expect(line.overlapCost).toBe(11_507);
    expect(plan.totals).toEqual([
      expect.objectContaining({ currency: line.currency, overlapCost: line.overlapCost }),
    ]);
    expect(plan.lines[0]!.reasons.map((r) => r.code)).toContain('line.provision-before-end');
  });

  it('never offers a cancellation the new-commerce policy forbids; a legacy subscription shows its loss', () => {
    // Bought 320 days ago: its 7-day window is long closed. Not cancellable, so no loss to show.
    expect(line).toMatchObject({ cancellable: false, lossIfCancelledNow: 0 });
    const refused = planTransition(
      input({
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { disposition: 'cancel-now' },
      }),
    );
    expect(refused.lines[0]).toMatchObject({ disposition: 'let-expire', cancellable: false });
    expect(refused.lines[0]!.reasons.map((r) => r.code)).toContain('line.cancellation-window-closed');
    expect(refused.timeline.map((s) => s.step)).not.toContain('cancel-source');

    // Bought 3 days ago: inside the window, cancelling refunds the rest (no loss).
    const fresh = sub('s1', 'standard', { termStart: addDaysUtc(NOW, -3), termEnd: addDaysUtc(NOW, 362) });
    const inside = planTransition(
      input({ subscriptions: [fresh], users: users(45, std.skuId), options: { disposition: 'cancel-now' } }),
    );
    expect(inside.lines[0]).toMatchObject({
      disposition: 'cancel-now',
      cancellable: true,
      lossIfCancelledNow: 0,
    });
    neverDips(inside);

    // A policy with no refund window (legacy): cancellable at any time, losing the unused days.
    const legacyCatalog = CATALOG.map((o) => (o.id === 'standard' ? { ...o, refundWindowHours: 0 } : o));
    const legacy = planTransition(
      input({
        catalog: legacyCatalog,
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { disposition: 'cancel-now' },
      }),
    );
    // 45 of the source's 365 days are unused.
    expect(legacy.lines[0]).toMatchObject({
      disposition: 'cancel-now',
      cancellable: true,
      overlapCost: 0,
      lossIfCancelledNow: Math.round((12_000 * 50 * 45) / 365),
    });
    neverDips(legacy);
  });

  it('prices a monthly-term target over the whole overlap, month by month', () => {
    const monthlyCatalog = CATALOG.map((o) =>
      o.id === 'standard'
        ? { ...o, term: 'P1M' as const, billingCycle: 'monthly' as const, unitPrice: 1_000 }
        : o,
    );
    const long = sub('s1', 'standard', { termStart: addDaysUtc(NOW, -185), termEnd: addDaysUtc(NOW, 180) });
    const p = planTransition(
      input({
        catalog: monthlyCatalog,
        subscriptions: [long],
        users: users(45, std.skuId),
        options: { provision: 'now' },
      }),
    );
    // 180 days from 2026-03-01 is 2026-08-28: five whole months (March–July) and 27 of August's 31 days.
    const expected = 5 * 1_000 * 50 + Math.round((1_000 * 50 * 27) / 31);
    expect(p.lines[0]!.overlapCost).toBe(expected);
    // Not capped at one month: between five and six months of the target (it was 50,000 before).
    expect(p.lines[0]!.overlapCost).toBeGreaterThan(5 * 1_000 * 50);
    expect(p.lines[0]!.overlapCost).toBeLessThan(6 * 1_000 * 50);
  });

  it('never plans fewer seats than assigned, even when asked to match assignments', () => {
    const p = planTransition(
      input({
        subscriptions: [sub('s1', 'standard')],
        users: users(45, std.skuId),
        options: { quantity: 'assigned' },
      }),
    );
    expect(p.lines[0]!.quantity).toBe(45);
    neverDips(p);
  });
});

describe('end-of-sale sources', () => {
  it('moves to the successor (base + add-on), reassigning every user with excluded plans carried over', () => {
    const e1 = byId('e1');
    const yammer = e1.servicePlans.find((p) => p.name.startsWith('YAMMER'))!;
    const teams = e1.servicePlans.find((p) => p.name === 'TEAMS1')!;
    const us = [
      ...users(3, e1.skuId, [yammer.id]),
      ...users(1, e1.skuId, [teams.id]).map((u) => ({ ...u, id: 'u999' })),
    ];
    const plan = planTransition(input({ subscriptions: [sub('s1', 'e1', { quantity: 10 })], users: us }));
    const line = plan.lines[0]!;
    expect(line).toMatchObject({
      choice: 'successor',
      targetOfferId: 'e1-eea',
      addOnOfferIds: ['teams-eea'],
      reassignLicenses: true,
      verdict: 'ready',
    });
    expect(line.reassignments).toHaveLength(4);
    // Without delegated admin, moving the licenses is the customer's to do, and the plan says so.
    expect(line.reasons.map((r) => r.code)).toContain('line.reassign-by-customer');
    const targetPlanIds = new Set(
      [...byId('e1-eea').servicePlans, ...byId('teams-eea').servicePlans].map((p) => p.id),
    );
    for (const r of line.reassignments) {
      expect(r.toSkuIds).toEqual([byId('e1-eea').skuId, byId('teams-eea').skuId]);
      for (const id of r.excludedPlanIds) expect(targetPlanIds.has(id)).toBe(true);
    }
    expect(line.reassignments[0]!.excludedPlanIds).toEqual(targetPlanIds.has(yammer.id) ? [yammer.id] : []);
    // Assign the target before removing the source, so nobody is ever without a data plan.
    const steps = plan.timeline.map((s) => s.step);
    expect(steps.indexOf('assign-target-licenses')).toBeLessThan(steps.indexOf('remove-source-licenses'));
    neverDips(plan);
  });

  it('blocks a source whose data workload nothing orderable carries, naming the data and the users', () => {
    const proj = byId('project');
    const plan = planTransition(
      input({ subscriptions: [sub('s1', 'project', { quantity: 5 })], users: users(4, proj.skuId) }),
    );
    const line = plan.lines[0]!;
    expect(plan.verdict).toBe('blocked');
    expect(line.verdict).toBe('blocked');
    expect(line.targetOfferId).toBeNull();
    expect(line.workloadsAtRisk).toContain('project');
    expect(line.plansAtRisk).toContain('SHAREPOINT_PROJECT');
    expect(line.usersAtRisk).toBe(4);
    expect(plan.timeline).toEqual([]);
  });

  it('names products and workloads in both languages, never a plan id, a SKU id or a workload code', () => {
    const proj = byId('project');
    const plan = planTransition(
      input({
        subscriptions: [sub('s1', 'project', { quantity: 5 })],
        users: users(4, proj.skuId),
        // Office 365 E3 is sold only to tenants that hold it: not orderable here.
        options: { acknowledgments: [{ sourceSubscriptionId: 's1', substituteOfferId: 'e3' }] },
      }),
    );
    const reasons = [...plan.reasons, ...plan.lines.flatMap((l) => l.reasons)];
    const codes = reasons.map((r) => r.code);
    expect(codes).toContain('line.data-at-risk');
    expect(codes).toContain('line.substitute-not-orderable');
    const texts = {
      en: reasons.map((r) => renderReason(r, 'en')),
      es: reasons.map((r) => renderReason(r, 'es')),
    };
    expect(texts.en.join(' ')).toContain('Project Online projects');
    expect(texts.es.join(' ')).toContain('los proyectos de Project Online');
    expect(texts.en.join(' ')).toContain(`The acknowledged substitute ${byId('e3').name} cannot be ordered.`);
    expect(texts.es.join(' ')).toContain(`El sustituto aceptado ${byId('e3').name} no se puede pedir.`);
    for (const text of [...texts.en, ...texts.es]) {
      for (const id of [...plan.lines[0]!.plansAtRisk, proj.skuId, "'e3'", ' e3 ', 'project,', 'files,'])
        expect(text).not.toContain(id);
    }
    // Transitions under way are counted, never listed by id.
    const id = '0b7c6a52-1111-4222-8333-944455556666';
    for (const locale of ['en', 'es'] as const)
      for (const r of [
        { code: 'plan.all-under-way', params: { lines: 2, transitions: [id] } } as Reason,
        { code: 'plan.some-under-way', params: { lines: 1, transitions: [id, 'x'] } } as Reason,
        { code: 'line.under-way', params: { transitionId: id } } as Reason,
      ]) {
        const text = renderReason(r, locale);
        expect(text).not.toContain(id);
        expect(text).toMatch(/another transition|other transitions|otra transición|otras 2 transiciones/);
      }
    // A seat gap names the product, not its SKU id.
    for (const locale of ['en', 'es'] as const) {
      const gap = renderReason(
        {
          code: 'plan.seat-gap',
          params: { skuId: proj.skuId, sku: proj.name, at: NOW.toISOString(), pool: 3, assigned: 4 },
        },
        locale,
      );
      expect(gap).toContain(proj.name);
      expect(gap).not.toContain(proj.skuId);
      expect(gap).toMatch(/2026/);
    }
  });

  it('proceeds with a named substitute only under an explicit acknowledgment', () => {
    const proj = byId('project');
    const plan = planTransition(
      input({
        subscriptions: [sub('s1', 'project', { quantity: 5 })],
        users: users(4, proj.skuId),
        options: { acknowledgments: [{ sourceSubscriptionId: 's1', substituteOfferId: 'premium' }] },
      }),
    );
    const line = plan.lines[0]!;
    expect(line).toMatchObject({
      choice: 'acknowledged-substitute',
      targetOfferId: 'premium',
      verdict: 'ready',
      reassignLicenses: true,
    });
    expect(line.workloadsAtRisk).toContain('project');
    expect(line.reasons.map((r) => r.code)).toContain('line.acknowledged');
    neverDips(plan);
  });

  it('picks the cheapest covering offer when there is no successor, and asks acknowledgment for a smaller mailbox', () => {
    const e1NoSuccessor = CATALOG.map((o) =>
      o.id === 'e1' ? { ...o, successorOfferId: null, successorAddOnOfferIds: [] } : o,
    );
    const e1 = byId('e1');
    const plan = planTransition(
      input({
        catalog: e1NoSuccessor,
        subscriptions: [sub('s1', 'e1', { quantity: 10 })],
        users: users(2, e1.skuId),
      }),
    );
    const line = plan.lines[0]!;
    expect(line.choice).toBe('equivalent');
    // The same family first (SPEC §3.1): E1 EEA + Teams EEA, although Business Basic costs less.
    expect([line.targetOfferId, ...line.addOnOfferIds]).toEqual(['e1-eea', 'teams-eea']);
    expect(line.verdict).toBe('ready');
  });
});

describe('who must act on the source', () => {
  it("leaves volume licensing and other partners' subscriptions to them", () => {
    const std = byId('standard');
    const plan = planTransition(
      input({
        subscriptions: [
          sub('vol', 'standard', { channel: 'volume', purchasedVia: null, quantity: 10 }),
          sub('other', 'standard', {
            channel: 'partner',
            partnerId: 'p2',
            purchasedVia: null,
            quantity: 10,
            termEnd: addDaysUtc(NOW, 90),
          }),
          sub('mine', 'standard', { channel: 'partner', partnerId: 'p1', purchasedVia: null, quantity: 10 }),
        ],
        users: users(15, std.skuId),
      }),
    );
    expect(
      plan.lines.map((l) => [l.sourceSubscriptionId, l.disposition, l.sourceActor, l.creditEligible]),
    ).toEqual([
      ['vol', 'other-party', 'volume-licensing-admin', false],
      ['other', 'other-party', 'partner-of-record', false],
    ]);
    neverDips(plan);
  });

  it('uses the expired-grace path above 150 active subscriptions: buy when the source expires', () => {
    const std = byId('standard');
    const subs = Array.from({ length: 151 }, (_, i) =>
      sub(`s${i}`, 'standard', { quantity: 1, termEnd: addDaysUtc(NOW, 10 + i) }),
    );
    const plan = planTransition(input({ subscriptions: subs, users: users(100, std.skuId) }));
    expect(plan.path).toBe('expired-grace');
    expect(plan.lines[0]!.provisionAt).toBe(subs[0]!.termEnd.toISOString());
    expect(plan.reasons.map((r) => r.code)).toContain('plan.expired-grace-path');
    neverDips(plan);
  });
});

describe('sources another transition already moves (SPEC §3.7)', () => {
  const std = byId('standard');
  const moved = sub('s1', 'standard');
  // The partner subscription the first transition bought is the partner's own: not a source.
  const bought = sub('p-new', 'standard', { channel: 'partner', partnerId: 'p1', purchasedVia: null });

  it('plans a claimed source as under way: nothing bought, no steps, and the plan is not ready', () => {
    const plan = planTransition(
      input({
        subscriptions: [moved, bought],
        users: users(45, std.skuId),
        underWay: [{ sourceSubscriptionId: 's1', transitionId: 'tr-1' }],
      }),
    );
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]).toMatchObject({
      sourceSubscriptionId: 's1',
      disposition: 'under-way',
      transitionId: 'tr-1',
      targetOfferId: null,
      quantity: 0,
      overlapCost: 0,
      lossIfCancelledNow: 0,
      creditEligible: false,
    });
    expect(plan.timeline).toEqual([]);
    expect(plan.verdict).toBe('blocked');
    expect(plan.reasons).toContainEqual({
      code: 'plan.all-under-way',
      params: { lines: 1, transitions: ['tr-1'] },
    });
    expect(plan.totals).toEqual([expect.objectContaining({ quantity: 0, overlapCost: 0, sourceSeats: 0 })]);
    neverDips(plan);
  });

  it('still moves the sources nobody claimed, and only those', () => {
    const other = sub('s2', 'basic', { termEnd: addDaysUtc(NOW, 90) });
    const plan = planTransition(
      input({
        subscriptions: [moved, bought, other],
        users: [
          ...users(45, std.skuId),
          ...users(10, byId('basic').skuId).map((u) => ({ ...u, id: `b${u.id}` })),
        ],
        underWay: [{ sourceSubscriptionId: 's1', transitionId: null }],
      }),
    );
    expect(plan.verdict).toBe('ready');
    expect(plan.lines.map((l) => [l.sourceSubscriptionId, l.disposition])).toEqual([
      ['s1', 'under-way'],
      ['s2', 'let-expire'],
    ]);
    expect(plan.lines[0]!.transitionId).toBeNull();
    const acting = new Set(plan.timeline.map((t) => t.lineIndex));
    expect([...acting]).toEqual([1]);
    expect(plan.reasons.map((r) => r.code)).toContain('plan.some-under-way');
    for (const locale of ['en', 'es'] as const)
      for (const r of [...plan.reasons, ...plan.lines[0]!.reasons])
        expect(renderReason(r, locale)).not.toMatch(/undefined|\[object/);
  });
});

describe('properties', () => {
  it('never lets the seat pool of any SKU dip below the assignments, whatever the sources', () => {
    const offerIds = ['basic', 'standard', 'premium', 'e1', 'e3'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offer: fc.constantFrom(...offerIds),
            quantity: fc.integer({ min: 1, max: 60 }),
            channel: fc.constantFrom('direct', 'volume', 'trial', 'partner'),
            endsIn: fc.integer({ min: 1, max: 700 }),
            autoRenew: fc.boolean(),
            assignedShare: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.constantFrom('let-expire', 'cancel-now', 'cancel-on-date'),
        (specs, disposition) => {
          const subs = specs.map((s, i) =>
            sub(`s${i}`, s.offer, {
              quantity: s.quantity,
              channel: s.channel as PlanSubscription['channel'],
              partnerId: s.channel === 'partner' ? 'p2' : null,
              termEnd: addDaysUtc(NOW, s.endsIn),
              autoRenew: s.autoRenew,
            }),
          );
          // Users per SKU: at most the SKU's pool, as the license rules guarantee.
          const pool = new Map<string, number>();
          for (const s of subs) pool.set(s.skuId, (pool.get(s.skuId) ?? 0) + s.quantity);
          const us: PlanUser[] = [];
          for (const [skuId, seats] of pool) {
            const share = specs.find((s) => byId(s.offer).skuId === skuId)!.assignedShare;
            us.push(
              ...users(Math.floor(seats * share), skuId).map((u) => ({ ...u, id: `${skuId}-${u.id}` })),
            );
          }
          const plan = planTransition(
            input({
              subscriptions: subs,
              users: us,
              options: { disposition: disposition as 'let-expire', cancelOn: addDaysUtc(NOW, 5) },
            }),
          );
          for (const l of plan.lines)
            if (l.verdict !== 'blocked') expect(l.quantity).toBeGreaterThanOrEqual(l.assignedSeats);
          for (const s of plan.seats)
            for (const p of s.points) expect(p.pool).toBeGreaterThanOrEqual(p.assigned);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('preconditions and messages', () => {
  it('refuses a region mismatch naming both regions, then a missing relationship, then the role', () => {
    expect(
      checkPreconditions({
        partnerRegion: 'europe',
        tenantRegion: 'brazil',
        relationshipAccepted: true,
        canPlan: true,
      }),
    ).toEqual({
      code: 'region_mismatch',
      params: {
        partnerRegion: 'Europe',
        tenantRegion: 'Brazil',
        partnerRegionId: 'europe',
        tenantRegionId: 'brazil',
      },
    });
    expect(
      checkPreconditions({
        partnerRegion: 'europe',
        tenantRegion: 'europe',
        relationshipAccepted: false,
        canPlan: true,
      })?.code,
    ).toBe('relationship_required');
    expect(
      checkPreconditions({
        partnerRegion: 'europe',
        tenantRegion: 'europe',
        relationshipAccepted: true,
        canPlan: false,
      })?.code,
    ).toBe('forbidden');
    expect(
      checkPreconditions({
        partnerRegion: 'europe',
        tenantRegion: 'europe',
        relationshipAccepted: true,
        canPlan: true,
      }),
    ).toBeNull();
  });

  it('has English and Spanish text for every reason code the planner can give', () => {
    const source = readFileSync(new URL('./plan.ts', import.meta.url), 'utf8');
    const codes = [...source.matchAll(/code: '([a-z-]+\.[a-z-]+)'/g)].map((m) => m[1]!);
    const dynamic = ['line.volume-licensing', 'line.other-partner'];
    expect(codes.length).toBeGreaterThan(15);
    for (const code of [...codes, ...dynamic]) {
      expect(MESSAGES.en[code], `en ${code}`).toBeTypeOf('function');
      expect(MESSAGES.es[code], `es ${code}`).toBeTypeOf('function');
    }
    expect(Object.keys(MESSAGES.es).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    expect(renderReason({ code: 'line.same-seat-count', params: { quantity: 50 } }, 'es')).toBe(
      'El mismo número de licencias: 50.',
    );
  });
});

describe('the real catalog rules (SPEC §3.1, §11)', () => {
  // Office 365 E1 without successor, with traps cheaper than anything a partner would sell.
  const e1Alone = (extra: PlanOffer[]) =>
    planTransition(
      input({
        catalog: [
          ...CATALOG.map((o) =>
            o.id === 'e1' ? { ...o, successorOfferId: null, successorAddOnOfferIds: [] } : o,
          ),
          ...extra,
        ],
        subscriptions: [sub('s1', 'e1', { quantity: 10 })],
        users: users(2, byId('e1').skuId),
      }),
    ).lines[0]!;

  it('never picks an education, government, unattended, developer, trial or free offer, however cheap', () => {
    const traps = [
      offer('a1', 'STANDARDWOFFPACK_STUDENT', { unitPrice: 1 }),
      offer('a3', 'ENTERPRISEPACKPLUS_STUDENT', { unitPrice: 1 }),
      offer('g1', 'STANDARDPACK_GOV', { unitPrice: 1 }),
      offer('e3-unattended', 'SPE_E3_RPA1', { unitPrice: 1 }),
      offer('e3-dev', 'DEVELOPERPACK', { unitPrice: 1 }),
      offer('teams-free', 'TEAMS_FREE', { unitPrice: 1 }),
    ];
    const line = e1Alone(traps);
    expect([line.targetOfferId, ...line.addOnOfferIds]).toEqual(['e1-eea', 'teams-eea']);
    // The same traps as commercial offers for people would win on price: the class decides.
    const asCommercial = traps.map((o) => ({
      ...o,
      segment: 'commercial' as const,
      purpose: 'user' as const,
      family: 'Office 365',
    }));
    expect(e1Alone(asCommercial).targetOfferId).not.toBe('e1-eea');
  });

  it('never picks an unpriced offer: the same offer, a successor or an equivalent', () => {
    const unpriced = offer('basic-unpriced', 'O365_BUSINESS_ESSENTIALS', {
      unitPrice: null,
      family: 'Office 365',
    });
    const line = e1Alone([unpriced]);
    expect(line.targetOfferId).toBe('e1-eea');
    const plan = planTransition(
      input({
        catalog: CATALOG.map((o) => (o.id === 'standard' ? { ...o, unitPrice: null } : o)),
        subscriptions: [sub('s1', 'standard', { quantity: 10 })],
        users: users(2, byId('standard').skuId),
      }),
    );
    expect(plan.lines[0]!.choice).not.toBe('same-offer');
    expect(plan.lines[0]!.targetOfferId).not.toBe('standard');
    expect(plan.lines[0]!.reasons.map((r) => r.code)).toContain('offer.not-priced');
  });

  it('puts an add-on only on a base it requires', () => {
    const withTeams = (requiresBaseSkuIds: string[]) =>
      planTransition(
        input({
          catalog: CATALOG.map((o) =>
            o.id === 'e1'
              ? { ...o, successorOfferId: null, successorAddOnOfferIds: [] }
              : o.id === 'teams-eea'
                ? { ...o, requiresBaseSkuIds }
                : o,
          ),
          subscriptions: [sub('s1', 'e1', { quantity: 10 })],
          users: users(2, byId('e1').skuId),
        }),
      ).lines[0]!;
    // Teams EEA on Business Premium only: it cannot complete E1 (no Teams).
    const elsewhere = withTeams([byId('premium').skuId]);
    expect(elsewhere.targetOfferId).not.toBe('e1-eea');
    expect(elsewhere.addOnOfferIds).toEqual([]);
    expect([
      withTeams([byId('e1-eea').skuId]).targetOfferId,
      ...withTeams([byId('e1-eea').skuId]).addOnOfferIds,
    ]).toEqual(['e1-eea', 'teams-eea']);
  });

  it('asks acknowledgment for a lost paid capability and names it (E5 → E3)', () => {
    const catalog = [
      offer('e5', 'SPE_E5', { status: 'end-of-sale', unitPrice: 68_400 }),
      offer('m365-e3', 'SPE_E3', { unitPrice: 43_200 }),
    ];
    const line = planTransition(
      input({
        catalog,
        subscriptions: [{ ...sub('s1', 'e1'), offerId: 'e5', skuId: catalog[0]!.skuId }],
        users: users(3, catalog[0]!.skuId),
      }),
    ).lines[0]!;
    expect(line).toMatchObject({
      targetOfferId: 'm365-e3',
      verdict: 'needs-acknowledgment',
      workloadsAtRisk: [],
    });
    const paid = line.reasons.filter((r) => r.code === 'line.paid-capability-lost');
    expect(paid.map((r) => r.params.capability).sort()).toEqual(['analytics', 'security', 'voice']);
    expect(renderReason(paid.find((r) => r.params.capability === 'voice')!, 'es')).toContain('Teams Phone');
  });

  it('goes ahead once the partner acknowledges what the proposed target does not keep; another offer named does not', () => {
    const catalog = [
      offer('e5', 'SPE_E5', { status: 'end-of-sale', unitPrice: 68_400 }),
      offer('m365-e3', 'SPE_E3', { unitPrice: 43_200 }),
    ];
    const plan = (acknowledgments: Acknowledgment[]) =>
      planTransition(
        input({
          catalog,
          subscriptions: [{ ...sub('s1', 'e1'), offerId: 'e5', skuId: catalog[0]!.skuId }],
          users: users(3, catalog[0]!.skuId),
          options: { acknowledgments },
        }),
      );
    for (const ack of [
      { sourceSubscriptionId: 's1' },
      { sourceSubscriptionId: 's1', substituteOfferId: 'm365-e3' },
    ]) {
      const p = plan([ack]);
      expect(p.verdict).toBe('ready');
      expect(p.lines[0]).toMatchObject({ targetOfferId: 'm365-e3', verdict: 'ready' });
      const codes = p.lines[0]!.reasons.map((r) => r.code);
      expect(codes).toContain('line.loss-acknowledged');
      // What was accepted stays named on the line.
      expect(codes).toContain('line.paid-capability-lost');
      expect(p.timeline.map((s) => s.step)).toContain('provision');
    }
    // Another source's acknowledgment, or one naming an offer other than the target, changes nothing.
    expect(plan([{ sourceSubscriptionId: 'other' }]).verdict).toBe('needs-acknowledgment');
    expect(plan([{ sourceSubscriptionId: 's1', substituteOfferId: 'e5' }]).verdict).toBe(
      'needs-acknowledgment',
    );
  });

  it("judges each user with the user's other licenses: an archive held apart is not lost", () => {
    const catalog = [
      offer('exo2', 'EXCHANGEENTERPRISE', { status: 'end-of-sale' }),
      offer('exo1', 'EXCHANGESTANDARD', { unitPrice: 4_800 }),
      offer('archiving', 'EXCHANGEARCHIVE_ADDON', { status: 'end-of-sale', kind: 'add-on' }),
    ];
    const [exo2, , archiving] = catalog as [PlanOffer, PlanOffer, PlanOffer];
    const plan = (withArchive: boolean) =>
      planTransition(
        input({
          catalog,
          subscriptions: [{ ...sub('s1', 'e1'), offerId: 'exo2', skuId: exo2.skuId }],
          users: users(2, exo2.skuId).map((u) =>
            withArchive
              ? { ...u, licenses: [...u.licenses, { skuId: archiving.skuId, excludedPlanIds: [] }] }
              : u,
          ),
        }),
      ).lines[0]!;
    expect(plan(false).lowerTier.map((l) => l.workload)).toEqual(['archive', 'mailbox']);
    expect(plan(true).lowerTier.map((l) => l.workload)).toEqual(['mailbox']);
  });

  it('reference move 30: a trial of Business Premium with no user assigned costs nothing to let go', () => {
    const premium = byId('premium');
    const line = planTransition(
      input({
        subscriptions: [sub('trial', 'premium', { channel: 'trial', purchasedVia: null, quantity: 25 })],
        users: [],
      }),
    ).lines[0]!;
    expect(line).toMatchObject({
      lossIfCancelledNow: 0,
      disposition: 'let-expire',
      targetOfferId: 'premium',
    });
    // Planned by the seats its users hold (none), not its 25 trial seats: the offer's minimum.
    expect(line.quantity).toBe(premium.minQuantity);
    expect(line.reasons.map((r) => r.code)).not.toContain('line.loss-if-cancelled');
  });
});

describe("the planner's rights (SPEC §3.8, issue 17)", () => {
  const e1 = byId('e1');
  const ADMIN = ['licenses.manage', 'subscriptions.manage-direct', 'credits.file', 'orders.create'];
  const SALES = ['orders.create'];
  const partnerRoleOf = {
    'licenses.manage': 'admin-agent',
    'subscriptions.manage-direct': 'admin-agent',
    'credits.file': 'admin-agent',
    'orders.create': 'sales-agent',
  };
  const planAs = (actions: string[], roles: string[]) =>
    planTransition(
      input({
        subscriptions: [sub('s1', 'e1', { quantity: 10 })],
        users: users(4, e1.skuId),
        hasDelegatedAdmin: true,
        rights: { actions, roles, partnerRoleOf },
      }),
    ).lines[0]!;

  it('gives the partner what the planner holds the role for, and says which roles the line needs', () => {
    const line = planAs(ADMIN, ['License Administrator']);
    expect(line.reasons.map((r) => r.code)).not.toContain('line.reassign-by-customer');
    expect(line.requiredRoles).toEqual(['License Administrator']);
    expect(line.appliedBy).toEqual({ canApply: true, missing: [] });
  });

  it('hands the moves to the customer when the planner lacks the directory role', () => {
    const line = planAs(ADMIN, ['Directory Readers']);
    expect(line.reasons.map((r) => r.code)).toContain('line.reassign-by-customer');
    expect(line.requiredRoles).toEqual([]);
    expect(line.appliedBy).toEqual({ canApply: true, missing: [] });
  });

  it('keeps them for a colleague when the planner lacks the partner role (a sales agent), and says it cannot apply', () => {
    const line = planAs(SALES, ['License Administrator']);
    expect(line.reasons.map((r) => r.code)).not.toContain('line.reassign-by-customer');
    // The direct source's auto-renew stays the partner's too: a colleague with Billing Administrator.
    expect(line.appliedBy).toEqual({ canApply: false, missing: ['admin-agent', 'Billing Administrator'] });
    // In timeline order: auto-renew off (today), then the moves (on the day the target is bought).
    expect(planAs(SALES, []).appliedBy.missing).toEqual([
      'admin-agent',
      'Billing Administrator',
      'License Administrator',
    ]);
  });

  it('without delegated admin gives the customer everything, whoever plans', () => {
    const line = planTransition(
      input({
        subscriptions: [sub('s1', 'e1', { quantity: 10 })],
        users: users(4, e1.skuId),
        hasDelegatedAdmin: false,
        rights: { actions: SALES, roles: [], partnerRoleOf },
      }),
    ).lines[0]!;
    expect(line.reasons.map((r) => r.code)).toContain('line.reassign-by-customer');
    expect(line.appliedBy).toEqual({ canApply: true, missing: [] });
  });
});

describe('the planner’s caches, passed in (nothing kept in the module)', () => {
  it('plans the same with caches shared across customers as with none, and fills only the caches given', () => {
    const std = byId('standard');
    const a = input({ subscriptions: [sub('s1', 'standard')], users: users(45, std.skuId) });
    const b = input({ subscriptions: [sub('s2', 'standard', { quantity: 10 })], users: users(8, std.skuId) });
    const caches = plannerCaches();
    const shared = [planTransition(a, caches), planTransition(b, caches)];
    expect(caches.coverage.size).toBeGreaterThan(0);
    expect(caches.marketCatalogs.size).toBe(1);
    const alone = [planTransition(a), planTransition(b)];
    expect(shared).toEqual(alone);
    // Another catalog starts the caches afresh: answers of one catalog never serve another.
    const before = caches.marketCatalogs;
    planTransition({ ...a, catalog: [...a.catalog] }, caches);
    expect(caches.marketCatalogs).not.toBe(before);
  });
});
