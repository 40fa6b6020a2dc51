import { DEFAULT_LIFECYCLE, DEFAULT_PROVISION_DAYS_BEFORE_END } from '../lifecycle.ts';
/**
 * The transition planner's inputs and outputs. Plain data: the planner is a pure function of
 * these, so the same code plans one customer in the console and thousands from the CLI.
 */
export type Channel = 'direct' | 'partner' | 'volume' | 'trial';
export type Term = 'P1M' | 'P1Y' | 'P3Y';

export interface PlanServicePlan {
  id: string;
  name: string;
  workload: string;
  tier: number;
  holdsUserData: boolean;
  quotaLabel?: string | undefined;
}

export interface PlanOffer {
  id: string;
  name: string;
  skuId: string;
  skuPartNumber: string;
  kind: 'base' | 'add-on';
  /** For an add-on: the bases it needs (empty = any base). */
  baseOfferIds: string[];
  billingKind: 'license' | 'usage';
  term: Term;
  billingCycle: 'monthly' | 'annual';
  minQuantity: number;
  maxQuantity: number;
  status: 'available' | 'end-of-sale';
  existingCustomersOnly: boolean;
  successorOfferId: string | null;
  successorAddOnOfferIds: string[];
  markets: string[];
  /** Minor units per seat per term; null: not priced, so never orderable (SPEC §11). */
  unitPrice: number | null;
  currency: string;
  /**
   * The price list on the plan's day, at the offer's own term and billing plan: one entry per
   * market. When given, the planner prices the offer in the tenant's market from it (no entry: not
   * orderable there), and `markets`/`unitPrice`/`currency` above are only the offer's listing.
   */
  prices?: { market: string; currency: string; unitPrice: number }[] | undefined;
  refundWindowHours: number;
  servicePlans: PlanServicePlan[];
  /** SPEC §11 classes (absent: a commercial product for people, of no family). */
  segment?: 'commercial' | 'education' | 'government' | 'nonprofit' | undefined;
  purpose?: 'user' | 'unattended' | 'device' | 'developer' | 'trial' | 'free' | undefined;
  family?: string | undefined;
  /** For an add-on: the SKUs of the bases it needs, besides `baseOfferIds` (both empty = any base). */
  requiresBaseSkuIds?: string[] | undefined;
}

export interface PlanSubscription {
  id: string;
  offerId: string;
  skuId: string;
  quantity: number;
  channel: Channel;
  partnerId: string | null;
  /** An indirect reseller its provider (`partnerId`) sold it for (SPEC §7). */
  partnerOnRecordId?: string | null | undefined;
  purchasedVia: string | null;
  billingCycle: 'monthly' | 'annual';
  term: Term;
  termStart: Date;
  termEnd: Date;
  autoRenew: boolean;
  /** From the lifecycle at `now`: does this subscription currently give users access? */
  usersHaveAccess: boolean;
  /** Deleted, cancelled or otherwise gone subscriptions are not sources. */
  isLive: boolean;
  /** When the current term or seats were bought (for the refund window); defaults to termStart. */
  purchasedAt?: Date | undefined;
  /** Price per seat per term paid for it, minor units; defaults to its offer's list price. */
  unitPrice?: number | undefined;
  /** The currency it is paid in; defaults to its offer's. */
  currency?: string | undefined;
}

export interface PlanUser {
  id: string;
  userPrincipalName: string;
  licenses: { skuId: string; excludedPlanIds: string[] }[];
}

export interface Acknowledgment {
  sourceSubscriptionId: string;
  /** Proceed with this base offer (and add-ons) although it does not cover the source. */
  substituteOfferId?: string | undefined;
  addOnOfferIds?: string[] | undefined;
}

/** When to buy the target (SPEC §3.3): as soon as possible, or a few days before the source ends. */
export type ProvisionWhen = 'now' | 'before-end';

export interface ProvisionOption {
  when: ProvisionWhen;
  /** The instant the target is bought (ISO). */
  on: string;
  /** Paying for both from `on` until the source stops billing (minor units). */
  overlapCost: number;
}

export interface PlanOptions {
  /** 'same' (default): the source's seats; 'assigned': only the seats users hold. */
  quantity?: 'same' | 'assigned';
  disposition?: 'let-expire' | 'cancel-now' | 'cancel-on-date';
  /** For cancel-on-date. */
  cancelOn?: Date | undefined;
  acknowledgments?: Acknowledgment[];
  /** When to buy, for every line (default: each line's recommended option). */
  provision?: ProvisionWhen | undefined;
  /** When to buy, per line; wins over `provision`. */
  lineProvision?: { sourceSubscriptionId: string; provision: ProvisionWhen }[] | undefined;
}

export interface PlanSettings {
  expiredDays: number;
  disabledDays: number;
  /** Above this many active subscriptions a tenant cannot duplicate them all at once. */
  maxActiveSubscriptions: number;
  /** `before-end` buys this many days before the source stops (default 7). */
  provisionDaysBeforeEnd?: number;
}

/** The lifecycle's durations are the one copy in domain/lifecycle.ts; the planner adds its own two. */
export const DEFAULT_PLAN_SETTINGS: PlanSettings = Object.freeze({
  expiredDays: DEFAULT_LIFECYCLE.expiredDays,
  disabledDays: DEFAULT_LIFECYCLE.disabledDays,
  maxActiveSubscriptions: 150,
  provisionDaysBeforeEnd: DEFAULT_PROVISION_DAYS_BEFORE_END,
});

export interface PlanInput {
  now: Date;
  tenant: { id: string; country: string; region: string };
  partner: { id: string; region: string };
  hasDelegatedAdmin: boolean;
  /** The planning user's rights in this tenant (SPEC §3.8); absent: the partner may do all it is granted. */
  rights?: PlanRights;
  subscriptions: PlanSubscription[];
  users: PlanUser[];
  catalog: PlanOffer[];
  options?: PlanOptions;
  settings?: PlanSettings;
  /** Sources claimed by other transitions (SPEC §3.7): planned as `under-way`, nothing bought. */
  underWay?: UnderWay[];
  /**
   * SPEC §7: sources held by another partner on the platform that this partner may ask to transfer
   * (`transfer`: no overlap, no loss), and those whose transfer was refused or expired (let-expire).
   */
  transfers?: { transferable: string[]; refused: string[] } | undefined;
}

/** A user's rights, as the planner and apply read them: partner actions and directory roles in the tenant. */
export interface PlanRights {
  /** The user's partner actions (permission table). */
  actions: string[];
  /** The directory roles the user acts with in this tenant (its security groups' roles there). */
  roles: string[];
  /** For each partner action, the least partner role that has it (to name what is missing). */
  partnerRoleOf: Record<string, string>;
}

export interface Reason {
  code: string;
  params: Record<string, string | number | boolean | string[]>;
}

export type Verdict = 'ready' | 'needs-acknowledgment' | 'blocked';
export type Disposition =
  | 'let-expire'
  | 'cancel-now'
  | 'cancel-on-date'
  | 'other-party'
  | 'under-way'
  | 'transfer';

/** A source another open (or applied) transition already moves: this plan leaves it alone. */
export interface UnderWay {
  sourceSubscriptionId: string;
  /** The transition that moves it, when it is the acting partner's own (else null: not ours to name). */
  transitionId: string | null;
}

export interface Reassignment {
  userId: string;
  userPrincipalName: string;
  fromSkuId: string;
  toSkuIds: string[];
  /** Switched-off plans carried over to the target where the target has them. */
  excludedPlanIds: string[];
}

export interface PlanLine {
  sourceSubscriptionId: string;
  sourceOfferId: string;
  sourceSkuId: string;
  channel: Channel;
  targetOfferId: string | null;
  addOnOfferIds: string[];
  targetSkuIds: string[];
  choice: 'same-offer' | 'successor' | 'equivalent' | 'acknowledged-substitute' | 'none';
  quantity: number;
  assignedSeats: number;
  reassignLicenses: boolean;
  reassignments: Reassignment[];
  disposition: Disposition;
  /** For an `under-way` line: the transition that already moves this source (null: another partner's). */
  transitionId?: string | null;
  /** Who must act on the source: turning auto-renew off, cancelling, or the other party. */
  sourceActor: 'partner' | 'customer' | 'partner-of-record' | 'volume-licensing-admin' | 'none';
  provisionAt: string;
  /** The day the target is bought (ISO date, UTC). */
  provisionOn: string;
  /** The dates compared, with their overlap cost (empty when nothing is bought). */
  provisionOptions: ProvisionOption[];
  /** The option chosen (the partner's, else the recommended one) and the recommended one. */
  provision: ProvisionWhen;
  recommendedProvision: ProvisionWhen;
  /** May the source still be cancelled (inside its new-commerce window, or a policy with no window)? */
  cancellable: boolean;
  sourceEndsAt: string;
  /** Remaining term value lost if the source were cancelled now (minor units of `sourceCurrency`). */
  lossIfCancelledNow: number;
  /** Paying both until the source leaves (minor units of `currency`). */
  overlapCost: number;
  /** What the target is bought in: the tenant's market's currency. */
  currency: string;
  /** What the source is paid in (it may have been bought elsewhere, in another currency). */
  sourceCurrency: string;
  creditEligible: boolean;
  creditFiledBy?: 'partner' | 'customer';
  /**
   * For a credit-eligible line: what paying twice costs on the source, from the purchase to the
   * source's end of billing (overlap days × seats × its price per seat-day), in `creditCurrency`.
   */
  creditAmount?: number;
  creditCurrency?: string;
  workloadsGained: string[];
  workloadsAtRisk: string[];
  plansAtRisk: string[];
  usersAtRisk: number;
  featuresLost: string[];
  lowerTier: { workload: string; from: string; to: string; quotaFrom?: string; quotaTo?: string }[];
  verdict: Verdict;
  reasons: Reason[];
  /** The directory roles this line's partner steps need (least privilege). */
  requiredRoles: string[];
  /** Whether the person planning may run every partner step of this line, and what they lack. */
  appliedBy: { canApply: boolean; missing: string[] };
}

export interface TimelineStep {
  at: string;
  step:
    | 'provision'
    | 'assign-target-licenses'
    | 'remove-source-licenses'
    | 'turn-off-auto-renew'
    | 'file-credit-request'
    | 'cancel-source'
    | 'source-expires'
    | 'source-disabled'
    | 'source-deleted'
    | 'other-party-action'
    | 'request-transfer';
  lineIndex: number;
  actor: 'partner' | 'customer' | 'partner-of-record' | 'volume-licensing-admin' | 'platform';
}

export interface SeatPoint {
  at: string;
  pool: number;
  assigned: number;
}

/**
 * A plan's sums in one currency: the seats bought and the overlap paid in it (lines whose target is
 * priced in it), the source seats and the loss if cancelled now (lines whose source is paid in it).
 */
export interface PlanTotal {
  currency: string;
  quantity: number;
  sourceSeats: number;
  overlapCost: number;
  lossIfCancelledNow: number;
}

export interface Plan {
  verdict: Verdict;
  reasons: Reason[];
  lines: PlanLine[];
  timeline: TimelineStep[];
  /**
   * Seats per SKU over time (pool vs assigned): the coverage chart, and the proof it never dips. A
   * SKU has a point now, at each step of a line that moves it, and wherever its figures change.
   */
  seats: { skuId: string; points: SeatPoint[] }[];
  /** One entry per currency, never mixed (SPEC §11). */
  totals: PlanTotal[];
  path: 'duplicate-now' | 'expired-grace';
}
