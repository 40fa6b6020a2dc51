// The subscriptions module's face: the use cases and batch readers orders, licenses, credits,
// relationships and transitions call; the rows stay behind subscriptions.repo.ts.

export { billDueSubscriptionCharges } from './subscriptions.billing.ts';
export { BILLING_SWEEP_QUEUE, billDueChargesNow } from './subscriptions.jobs.ts';
export {
  type AssignedSeatsBySku,
  findSubscription,
  findSubscriptions,
  findSubscriptionsOfTenants,
  firstPageStatement,
  lockSeatPool,
  lockSeatPools,
  type SubscriptionRow,
  subscriptionsOfTenants,
} from './subscriptions.repo.ts';
export { SubscriptionView as SubscriptionViewSchema } from './subscriptions.schemas.ts';
export {
  actOnDirectSubscriptions,
  type Channel,
  changePartnerOfRecord,
  claimSeatReductionNotice,
  countPartnerSubscriptionsInUse,
  createOrderedSubscriptionsMany,
  endingInBook,
  getCustomerSubscription,
  holdForTransfer,
  holdingsOfTenants,
  lifecycleSettings,
  type OrderedSubscriptions,
  openSeatReductions,
  type PoolCtx,
  releaseTransferHold,
  type SubscriptionView,
  seatGraceOf,
  seatPoolsOf,
  seatPoolsOfTenants,
  settleSeatReduction,
  soldForResellers,
  stateOf,
  subscriptionChannelOf,
  subscriptionChannelsOf,
  subscriptionChannelsOfTenants,
  subscriptionSummaries,
  subscriptionViewsOf,
  transferableSubscriptionIds,
} from './subscriptions.service.ts';
