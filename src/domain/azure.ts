/**
 * The Azure plan's pure rules (SPEC §9): which path moves a customer's own subscription into a
 * partner's Azure plan and what blocks it, which resources a move leaves behind, and the money of
 * a day's rated usage. No I/O: callers pass the facts.
 */
import { isIsoDay } from './catalog/prices.ts';
import { regionOf } from './regions.ts';

/** Subscriptions the customer holds outside any partner's plan (bought elsewhere). */
export const OWN_KINDS = [
  'pay-as-you-go',
  'enterprise-agreement',
  'enterprise-customer-agreement',
  'other',
] as const;
export type OwnKind = (typeof OWN_KINDS)[number];

export type TransferPath = 'billing-transfer' | 'resource-move';

export const BLOCKER_CODES = [
  'SubscriptionHasReservations',
  'ProductTypeNotSupported',
  'MarketplaceNotEnabledOnDestination',
  'NoActiveAzurePlan',
  'SubscriptionNotActive',
  'InsufficientPermissionOnSource',
  'CrossBillingAccountNotAllowed',
  'ResourceTypeCannotMove',
  'ClassicResource',
] as const;
export type BlockerCode = (typeof BLOCKER_CODES)[number];

export interface Blocker {
  code: BlockerCode;
  resourceType?: string;
  resourceId?: string;
  /** True: the subscription cannot go at all. False: this resource stays behind; the rest moves. */
  blocksSubscription: boolean;
  params?: Record<string, string>;
}

export interface ResourceFacts {
  resourceId: string;
  resourceType: string;
  isClassic: boolean;
  hasReservation: boolean;
  isMarketplace: boolean;
}

export interface OwnSubscriptionFacts {
  kind: OwnKind;
  status: 'active' | 'disabled' | 'deleted';
  currency: string;
  billingCountry: string;
  resources: readonly ResourceFacts[];
}

export interface DestinationFacts {
  partnerKind: string;
  azureExpertMsp: boolean;
  partnerRegion: string;
  /** The partner's Azure plan for this customer, if any. */
  plan: { currency: string } | null;
  /** The currency the partner's plans bill in (when there is no plan yet). */
  partnerCurrency: string;
  /** The partner can act as owner on the source (it holds delegated admin on the tenant). */
  hasOwnerAccess: boolean;
}

/**
 * Resource types the vendor's move-support table marks as not movable between subscriptions: a
 * sample of it, enough for the demo and the tests. Compared case-insensitively.
 */
export const NOT_MOVABLE_TYPES: readonly string[] = [
  'microsoft.databox/jobs',
  'microsoft.databricks/workspaces',
  'microsoft.devtestlab/labs',
  'microsoft.aad/domainservices',
  'microsoft.network/frontdoors',
  'microsoft.web/certificates',
  'microsoft.netapp/netappaccounts',
];

/** Resource types whose move stops them for a while (the downtime risk named per type). */
const DOWNTIME: Record<string, 'none' | 'short' | 'long'> = {
  'microsoft.compute/virtualmachines': 'short',
  'microsoft.network/publicipaddresses': 'short',
  'microsoft.sql/servers': 'short',
  'microsoft.web/sites': 'short',
  'microsoft.containerservice/managedclusters': 'long',
};

export function downtimeRisk(resourceType: string): 'none' | 'short' | 'long' {
  return DOWNTIME[resourceType.toLowerCase()] ?? 'none';
}

/** Classic (service-management) resources: flagged, or of a Microsoft.Classic* type. */
export function isClassicResource(r: Pick<ResourceFacts, 'isClassic' | 'resourceType'>): boolean {
  return r.isClassic || /^microsoft\.classic/i.test(r.resourceType);
}

/** SPEC §9: billing transfer for enterprise agreement / customer agreement; a resource move otherwise. */
export function transferPathOf(kind: OwnKind): TransferPath {
  return kind === 'enterprise-agreement' || kind === 'enterprise-customer-agreement'
    ? 'billing-transfer'
    : 'resource-move';
}

export interface ResourceVerdict extends ResourceFacts {
  canMove: boolean;
  downtimeRisk: 'none' | 'short' | 'long';
}

/** Per resource of a move: whether it can go, and the blocker that keeps it behind. */
export function checkResourceMove(r: ResourceFacts): { canMove: boolean; blocker?: Blocker } {
  const at = { resourceType: r.resourceType, resourceId: r.resourceId, blocksSubscription: false };
  if (isClassicResource(r)) return { canMove: false, blocker: { code: 'ClassicResource', ...at } };
  if (NOT_MOVABLE_TYPES.includes(r.resourceType.toLowerCase()))
    return { canMove: false, blocker: { code: 'ResourceTypeCannotMove', ...at } };
  // Reservations and marketplace purchases follow their own path: the resource stays for now.
  if (r.hasReservation) return { canMove: false, blocker: { code: 'SubscriptionHasReservations', ...at } };
  if (r.isMarketplace)
    return { canMove: false, blocker: { code: 'MarketplaceNotEnabledOnDestination', ...at } };
  return { canMove: true };
}

export interface TransferCheck {
  path: TransferPath;
  eligible: boolean;
  blockers: Blocker[];
  resources: ResourceVerdict[];
}

/**
 * The request's first answer, per subscription (SPEC §9): the path, and what blocks it, modelled
 * on the real validation. Subscription-wide blockers make it ineligible; on a resource move a
 * resource that cannot move is named and stays behind while the rest moves.
 */
export function checkAzureTransfer(sub: OwnSubscriptionFacts, to: DestinationFacts): TransferCheck {
  const path = transferPathOf(sub.kind);
  const blockers: Blocker[] = [];
  const whole = (code: BlockerCode, params?: Record<string, string>): Blocker => ({
    code,
    blocksSubscription: true,
    ...(params ? { params } : {}),
  });
  if (sub.status !== 'active') blockers.push(whole('SubscriptionNotActive', { status: sub.status }));
  if (!to.plan) blockers.push(whole('NoActiveAzurePlan'));
  // Another region or currency: the partner's plan cannot bill it.
  const currency = to.plan?.currency ?? to.partnerCurrency;
  const region = regionOf(sub.billingCountry);
  if (region !== to.partnerRegion)
    blockers.push(
      whole('CrossBillingAccountNotAllowed', {
        reason: 'region',
        region: region ?? sub.billingCountry,
        partnerRegion: to.partnerRegion,
      }),
    );
  else if (sub.currency !== currency)
    blockers.push(
      whole('CrossBillingAccountNotAllowed', {
        reason: 'currency',
        currency: sub.currency,
        planCurrency: currency,
      }),
    );
  const resources: ResourceVerdict[] = [];
  if (path === 'billing-transfer') {
    // Only a direct-bill partner certified as an Azure expert MSP takes enterprise subscriptions.
    if (to.partnerKind !== 'direct-bill' || !to.azureExpertMsp)
      blockers.push(
        whole('ProductTypeNotSupported', {
          kind: sub.kind,
          reason: to.partnerKind !== 'direct-bill' ? 'not-direct-bill' : 'not-azure-expert-msp',
        }),
      );
    // The whole subscription changes owner in place, resources and all: anything that cannot follow
    // holds it back.
    for (const r of sub.resources) {
      const at = { resourceType: r.resourceType, resourceId: r.resourceId, blocksSubscription: true };
      if (r.hasReservation) blockers.push({ code: 'SubscriptionHasReservations', ...at });
      if (r.isMarketplace) blockers.push({ code: 'MarketplaceNotEnabledOnDestination', ...at });
      resources.push({ ...r, canMove: !r.hasReservation && !r.isMarketplace, downtimeRisk: 'none' });
    }
  } else {
    if (!to.hasOwnerAccess) blockers.push(whole('InsufficientPermissionOnSource'));
    for (const r of sub.resources) {
      const v = checkResourceMove(r);
      if (v.blocker) blockers.push(v.blocker);
      resources.push({ ...r, canMove: v.canMove, downtimeRisk: downtimeRisk(r.resourceType) });
    }
  }
  return { path, eligible: !blockers.some((b) => b.blocksSubscription), blockers, resources };
}

const BLOCKER_TEXT: Record<BlockerCode, (b: Blocker) => string> = {
  SubscriptionHasReservations: (b) =>
    `${b.resourceType ?? 'A resource'} holds a reservation: reservations follow their own transfer path${b.blocksSubscription ? ' and hold the billing transfer back' : '; it stays in the old subscription'}.`,
  ProductTypeNotSupported: (b) =>
    b.params?.reason === 'not-direct-bill'
      ? 'Only a direct-bill partner can take an enterprise subscription by billing transfer.'
      : 'Only a partner certified as an Azure expert managed services provider can take an enterprise subscription by billing transfer; move its resources instead.',
  MarketplaceNotEnabledOnDestination: (b) =>
    `${b.resourceType ?? 'A marketplace purchase'} is a marketplace purchase not enabled on the partner's plan${b.blocksSubscription ? '' : '; it stays in the old subscription'}.`,
  NoActiveAzurePlan: () => 'The customer has no Azure plan with this partner: create it first.',
  SubscriptionNotActive: (b) => `The subscription is ${b.params?.status ?? 'not active'}.`,
  InsufficientPermissionOnSource: () =>
    'Moving resources needs owner rights on the source subscription: the partner needs delegated admin on the customer.',
  CrossBillingAccountNotAllowed: (b) =>
    b.params?.reason === 'region'
      ? `The subscription is billed in another region (${b.params.region}); the partner serves ${b.params.partnerRegion}.`
      : `The subscription is billed in ${b.params?.currency}; the partner's plan bills in ${b.params?.planCurrency}.`,
  ResourceTypeCannotMove: (b) =>
    `Resources of type ${b.resourceType} cannot move between subscriptions; it stays in the old subscription.`,
  ClassicResource: (b) =>
    `${b.resourceType} is a classic resource: migrate it to the resource-manager model first; it stays in the old subscription.`,
};

export function describeBlocker(b: Blocker): string {
  return BLOCKER_TEXT[b.code](b);
}

/**
 * The currency a partner's Azure plans bill in, by the partner's country: the euro area in EUR,
 * a few markets in their own currency, every other market in USD (as the program bills them).
 */
const EURO = new Set('AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK AD MC SM VA'.split(' '));
const OWN_CURRENCY: Record<string, string> = {
  GB: 'GBP',
  BR: 'BRL',
  CA: 'CAD',
  AU: 'AUD',
  NZ: 'NZD',
  JP: 'JPY',
  CH: 'CHF',
  LI: 'CHF',
  DK: 'DKK',
  SE: 'SEK',
  NO: 'NOK',
  MX: 'MXN',
  IN: 'INR',
  KR: 'KRW',
  TW: 'TWD',
};
export function azureCurrencyOf(country: string): string {
  const c = country.toUpperCase();
  return EURO.has(c) ? 'EUR' : (OWN_CURRENCY[c] ?? 'USD');
}

// --- Rated usage ------------------------------------------------------------------------------

/** At most 8 decimals (the column's scale); no sign, no exponent: never a float on the way. */
const QUANTITY = /^(\d{1,20})(?:\.(\d{1,8}))?$/;

/** quantity × unit price (minor units), rounded down, in integer arithmetic. Null: not a quantity. */
export function usageAmount(quantity: string, unitPrice: number): number | null {
  const m = QUANTITY.exec(quantity);
  if (!m || !Number.isSafeInteger(unitPrice) || unitPrice < 0) return null;
  const frac = m[2] ?? '';
  const scaled = BigInt(m[1]! + frac);
  const amount = (scaled * BigInt(unitPrice)) / 10n ** BigInt(frac.length);
  return amount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(amount) : null;
}

/** A quantity as the column stores it: no leading zeros, no trailing fractional zeros. */
export function normaliseQuantity(quantity: string): string {
  const m = QUANTITY.exec(quantity)!;
  const int = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

export interface UsageRowInput {
  date: string;
  subscriptionId: string;
  meterId: string;
  meterName: string;
  meterCategory: string;
  unit: string;
  quantity: string;
  unitPrice: number;
  currency: string;
  resourceId: string;
}

export interface UsageSubscriptionFacts {
  currency: string;
  status: 'active' | 'disabled' | 'deleted';
}

export type UsageProblem =
  | 'unknown-subscription'
  | 'bad-date'
  | 'future-date'
  | 'negative-quantity'
  | 'bad-quantity'
  | 'bad-unit-price'
  | 'wrong-currency'
  | 'missing-field';

/**
 * One row of rated usage, checked against its subscription (SPEC §9): a row is refused alone, with
 * what is wrong; the amount is computed here.
 */
export function checkUsageRow(
  row: UsageRowInput,
  sub: UsageSubscriptionFacts | undefined,
  today: string,
): { ok: true; amount: number; quantity: string } | { ok: false; problem: UsageProblem; detail?: string } {
  if (!row.meterId || !row.meterName || !row.unit || !row.subscriptionId)
    return { ok: false, problem: 'missing-field' };
  if (!sub) return { ok: false, problem: 'unknown-subscription', detail: row.subscriptionId };
  if (!isIsoDay(row.date)) return { ok: false, problem: 'bad-date', detail: row.date };
  if (row.date > today) return { ok: false, problem: 'future-date', detail: row.date };
  const q = row.quantity.trim();
  if (/^-/.test(q)) return { ok: false, problem: 'negative-quantity', detail: q };
  if (!Number.isSafeInteger(row.unitPrice) || row.unitPrice < 0)
    return { ok: false, problem: 'bad-unit-price', detail: String(row.unitPrice) };
  const amount = usageAmount(q, row.unitPrice);
  if (amount === null) return { ok: false, problem: 'bad-quantity', detail: q };
  if (row.currency.toUpperCase() !== sub.currency)
    return { ok: false, problem: 'wrong-currency', detail: `${row.currency} (expected ${sub.currency})` };
  return { ok: true, amount, quantity: normaliseQuantity(q) };
}

/** SPEC §9 lifecycle: a disabled Azure subscription is deleted 90 days later. */
export const AZURE_DELETE_AFTER_DAYS = 90;
