import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  azureCurrencyOf,
  checkAzureTransfer,
  checkUsageRow,
  type DestinationFacts,
  describeBlocker,
  normaliseQuantity,
  type OwnSubscriptionFacts,
  transferPathOf,
  type UsageRowInput,
  usageAmount,
} from './azure.ts';

const vm = {
  resourceId: '/subscriptions/s1/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm1',
  resourceType: 'Microsoft.Compute/virtualMachines',
  isClassic: false,
  hasReservation: false,
  isMarketplace: false,
};
const lab = {
  ...vm,
  resourceId: '/subscriptions/s1/resourceGroups/dev/providers/Microsoft.DevTestLab/labs/lab1',
  resourceType: 'Microsoft.DevTestLab/labs',
};
const sub = (over: Partial<OwnSubscriptionFacts> = {}): OwnSubscriptionFacts => ({
  kind: 'pay-as-you-go',
  status: 'active',
  currency: 'EUR',
  billingCountry: 'ES',
  resources: [vm],
  ...over,
});
const expert: DestinationFacts = {
  partnerKind: 'direct-bill',
  azureExpertMsp: true,
  partnerRegion: 'europe',
  plan: { currency: 'EUR' },
  partnerCurrency: 'EUR',
  hasOwnerAccess: true,
};
const codes = (c: { blockers: { code: string }[] }) => c.blockers.map((b) => b.code);

describe('the path of a customer’s own subscription into CSP (SPEC §9)', () => {
  it('is a billing transfer for enterprise agreements and customer agreements, a resource move otherwise', () => {
    expect(transferPathOf('enterprise-agreement')).toBe('billing-transfer');
    expect(transferPathOf('enterprise-customer-agreement')).toBe('billing-transfer');
    expect(transferPathOf('pay-as-you-go')).toBe('resource-move');
    expect(transferPathOf('other')).toBe('resource-move');
  });

  it('lets a clean pay-as-you-go subscription move with no blocker', () => {
    const c = checkAzureTransfer(sub(), expert);
    expect(c).toMatchObject({ path: 'resource-move', eligible: true, blockers: [] });
    expect(c.resources).toEqual([{ ...vm, canMove: true, downtimeRisk: 'short' }]);
  });

  it('names the resource that cannot move; the move stays eligible and the rest moves', () => {
    const c = checkAzureTransfer(sub({ resources: [vm, lab] }), expert);
    expect(c.eligible).toBe(true);
    expect(c.blockers).toEqual([
      {
        code: 'ResourceTypeCannotMove',
        resourceType: 'Microsoft.DevTestLab/labs',
        resourceId: lab.resourceId,
        blocksSubscription: false,
      },
    ]);
    expect(c.resources.map((r) => r.canMove)).toEqual([true, false]);
  });

  it('keeps classic, reserved and marketplace resources behind on a move', () => {
    const c = checkAzureTransfer(
      sub({
        resources: [
          { ...vm, resourceId: 'a', resourceType: 'Microsoft.ClassicCompute/domainNames' },
          { ...vm, resourceId: 'b', hasReservation: true },
          { ...vm, resourceId: 'c', isMarketplace: true },
        ],
      }),
      expert,
    );
    expect(codes(c)).toEqual([
      'ClassicResource',
      'SubscriptionHasReservations',
      'MarketplaceNotEnabledOnDestination',
    ]);
    expect(c.eligible).toBe(true);
    expect(c.resources.every((r) => !r.canMove)).toBe(true);
  });

  it('needs owner rights on the source, an Azure plan and an active subscription', () => {
    const c = checkAzureTransfer(sub({ status: 'disabled' }), {
      ...expert,
      plan: null,
      hasOwnerAccess: false,
    });
    expect(codes(c)).toEqual([
      'SubscriptionNotActive',
      'NoActiveAzurePlan',
      'InsufficientPermissionOnSource',
    ]);
    expect(c.eligible).toBe(false);
  });

  it('refuses another region or currency', () => {
    expect(codes(checkAzureTransfer(sub({ billingCountry: 'BR' }), expert))).toEqual([
      'CrossBillingAccountNotAllowed',
    ]);
    const usd = checkAzureTransfer(sub({ currency: 'USD' }), expert);
    expect(usd.eligible).toBe(false);
    expect(usd.blockers[0]).toMatchObject({
      code: 'CrossBillingAccountNotAllowed',
      params: { reason: 'currency' },
    });
    expect(describeBlocker(usd.blockers[0]!)).toMatch(/USD.*EUR/);
  });

  it('lets an enterprise subscription go by billing transfer only to a direct-bill Azure expert MSP', () => {
    const ea = sub({ kind: 'enterprise-agreement' });
    expect(checkAzureTransfer(ea, expert)).toMatchObject({
      path: 'billing-transfer',
      eligible: true,
      blockers: [],
    });
    const notExpert = checkAzureTransfer(ea, { ...expert, azureExpertMsp: false });
    expect(notExpert).toMatchObject({ path: 'billing-transfer', eligible: false });
    expect(codes(notExpert)).toEqual(['ProductTypeNotSupported']);
    const provider = checkAzureTransfer(ea, { ...expert, partnerKind: 'indirect-provider' });
    expect(codes(provider)).toEqual(['ProductTypeNotSupported']);
    // A billing transfer needs no owner rights on the source: the customer's billing admin approves.
    expect(checkAzureTransfer(ea, { ...expert, hasOwnerAccess: false }).eligible).toBe(true);
  });

  it('holds a billing transfer back for reservations and marketplace purchases', () => {
    const c = checkAzureTransfer(
      sub({
        kind: 'enterprise-customer-agreement',
        resources: [
          { ...vm, hasReservation: true },
          { ...lab, isMarketplace: true },
        ],
      }),
      expert,
    );
    expect(codes(c)).toEqual(['SubscriptionHasReservations', 'MarketplaceNotEnabledOnDestination']);
    expect(c.eligible).toBe(false);
  });

  it('describes every blocker', () => {
    const c = checkAzureTransfer(sub({ status: 'deleted', resources: [lab] }), {
      ...expert,
      plan: null,
      hasOwnerAccess: false,
    });
    expect(c.blockers.length).toBeGreaterThan(0);
    for (const b of c.blockers) expect(describeBlocker(b).length).toBeGreaterThan(10);
  });
});

describe('the currency of a partner’s Azure plans', () => {
  it('is the euro in Spain, the real in Brazil, USD where the program bills in dollars', () => {
    expect(azureCurrencyOf('ES')).toBe('EUR');
    expect(azureCurrencyOf('br')).toBe('BRL');
    expect(azureCurrencyOf('AR')).toBe('USD');
  });
});

describe('rated usage money', () => {
  it('is quantity × unit price rounded down, in minor units', () => {
    expect(usageAmount('10', 125)).toBe(1250);
    expect(usageAmount('0.5', 3)).toBe(1);
    expect(usageAmount('1.99999999', 100)).toBe(199);
    expect(usageAmount('24.000', 7)).toBe(168);
    expect(usageAmount('-1', 7)).toBeNull();
    expect(usageAmount('1e3', 7)).toBeNull();
    expect(usageAmount('0.123456789', 7)).toBeNull();
  });

  it('never exceeds the exact product and misses it by less than one minor unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.integer({ min: 0, max: 100_000 }),
        (int, frac, price) => {
          const q = `${int}.${String(frac).padStart(8, '0')}`;
          const a = usageAmount(q, price)!;
          const exact = BigInt(int) * 100_000_000n * BigInt(price) + BigInt(frac) * BigInt(price);
          const scaled = BigInt(a) * 100_000_000n;
          return scaled <= exact && exact - scaled < 100_000_000n;
        },
      ),
    );
  });

  it('stores quantities in one spelling', () => {
    expect(normaliseQuantity('007.2500')).toBe('7.25');
    expect(normaliseQuantity('3.000')).toBe('3');
    expect(normaliseQuantity('0.0')).toBe('0');
  });
});

describe('a row of rated usage', () => {
  const row = (over: Partial<UsageRowInput> = {}): UsageRowInput => ({
    date: '2026-11-03',
    subscriptionId: 's1',
    meterId: 'm1',
    meterName: 'D2s v5',
    meterCategory: 'Virtual Machines',
    unit: '1 Hour',
    quantity: '24',
    unitPrice: 9,
    currency: 'EUR',
    resourceId: 'vm1',
    ...over,
  });
  const eur = { currency: 'EUR', status: 'active' as const };
  const check = (over: Partial<UsageRowInput>) => checkUsageRow(row(over), eur, '2026-12-01');

  it('is accepted with its amount', () => {
    expect(check({})).toEqual({ ok: true, amount: 216, quantity: '24' });
  });
  it('is refused for an unknown subscription, a bad or future date, a negative quantity, another currency', () => {
    expect(checkUsageRow(row(), undefined, '2026-12-01')).toMatchObject({
      ok: false,
      problem: 'unknown-subscription',
    });
    expect(check({ date: '2026-02-30' })).toMatchObject({ ok: false, problem: 'bad-date' });
    expect(check({ date: '03/11/2026' })).toMatchObject({ ok: false, problem: 'bad-date' });
    expect(check({ date: '2026-12-02' })).toMatchObject({ ok: false, problem: 'future-date' });
    expect(check({ quantity: '-2' })).toMatchObject({ ok: false, problem: 'negative-quantity' });
    expect(check({ quantity: 'ten' })).toMatchObject({ ok: false, problem: 'bad-quantity' });
    expect(check({ currency: 'USD' })).toMatchObject({ ok: false, problem: 'wrong-currency' });
    expect(check({ unitPrice: -1 })).toMatchObject({ ok: false, problem: 'bad-unit-price' });
    expect(check({ unitPrice: 1.5 })).toMatchObject({ ok: false, problem: 'bad-unit-price' });
  });
});
