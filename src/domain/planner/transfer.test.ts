import { describe, expect, it } from 'vitest';
import { classOf, plansOf, product } from '../../../test/fixtures/reference.ts';
import { addDaysUtc } from '../calendar.ts';
import { planTransition } from './plan.ts';
import type { PlanInput, PlanOffer, PlanSubscription } from './types.ts';

/** SPEC §7 in the planner: another platform partner's source is asked for by transfer. */
const NOW = new Date('2026-03-01T00:00:00Z');
const p = product('O365_BUSINESS_PREMIUM');
const c = classOf('O365_BUSINESS_PREMIUM');
const STANDARD: PlanOffer = {
  id: 'standard',
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
  markets: ['ES'],
  unitPrice: 12_000,
  currency: 'EUR',
  refundWindowHours: 168,
  servicePlans: plansOf('O365_BUSINESS_PREMIUM'),
  segment: c.segment,
  purpose: c.purpose,
  family: c.family,
  requiresBaseSkuIds: c.requiresBaseSkuIds,
};

const theirs: PlanSubscription = {
  id: 'theirs',
  offerId: 'standard',
  skuId: p.skuId,
  quantity: 30,
  channel: 'partner',
  partnerId: 'p2',
  purchasedVia: null,
  billingCycle: 'annual',
  term: 'P1Y',
  termStart: addDaysUtc(NOW, -245),
  termEnd: addDaysUtc(NOW, 120),
  autoRenew: true,
  usersHaveAccess: true,
  isLive: true,
};

function input(transfers?: PlanInput['transfers']): PlanInput {
  return {
    now: NOW,
    tenant: { id: 't1', country: 'ES', region: 'europe' },
    partner: { id: 'p1', region: 'europe' },
    hasDelegatedAdmin: true,
    subscriptions: [theirs],
    users: Array.from({ length: 30 }, (_, i) => ({
      id: `u${i}`,
      userPrincipalName: `u${i}@x.test`,
      licenses: [{ skuId: p.skuId, excludedPlanIds: [] }],
    })),
    catalog: [STANDARD],
    ...(transfers ? { transfers } : {}),
  };
}

describe('transfers in the planner', () => {
  it('plans a transferable source as transfer: same offer and seats, no overlap, no loss, one request step', () => {
    const plan = planTransition(input({ transferable: ['theirs'], refused: [] }));
    expect(plan.verdict).toBe('ready');
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]).toMatchObject({
      disposition: 'transfer',
      targetOfferId: 'standard',
      quantity: 30,
      overlapCost: 0,
      lossIfCancelledNow: 0,
      reassignLicenses: false,
      reassignments: [],
      sourceActor: 'partner-of-record',
      verdict: 'ready',
    });
    expect(plan.lines[0]!.reasons.map((r) => r.code)).toEqual(['line.transfer']);
    expect(plan.timeline).toEqual([
      { at: NOW.toISOString(), step: 'request-transfer', lineIndex: 0, actor: 'partner' },
    ]);
    // Seats never change: the same subscription keeps covering the same users.
    expect(plan.seats).toHaveLength(1);
    expect(plan.seats[0]!.points.every((pt) => pt.pool === 30 && pt.assigned === 30)).toBe(true);
  });

  it('a partner not on the platform stays other-party', () => {
    const plan = planTransition(input());
    expect(plan.lines[0]).toMatchObject({ disposition: 'other-party', sourceActor: 'partner-of-record' });
  });

  it('after a refused or expired transfer the source runs to its end, with the overlap shown', () => {
    const plan = planTransition(input({ transferable: [], refused: ['theirs'] }));
    const line = plan.lines[0]!;
    expect(line.disposition).toBe('let-expire');
    expect(line.targetOfferId).toBe('standard');
    expect(line.overlapCost).toBeGreaterThan(0);
    expect(line.reasons.map((r) => r.code)).toContain('line.transfer-refused');
    expect(plan.timeline.map((s) => s.step)).toContain('provision');
  });
});
