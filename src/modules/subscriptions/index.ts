// The subscriptions module's face: the use cases and batch readers orders, licenses, credits,
// relationships and transitions call; the rows stay behind subscriptions.repo.ts.

export { findSubscription, type SubscriptionRow } from './subscriptions.repo.ts';
export {
  actOnDirectSubscription,
  type Channel,
  claimSeatReductionNotice,
  countPartnerSubscriptionsInUse,
  createOrderedSubscriptions,
  getCustomerSubscription,
  holdingsOf,
  lifecycleSettings,
  openSeatReductions,
  type SubscriptionView,
  seatGraceOf,
  seatPoolsOf,
  settleSeatReduction,
  stateOf,
  subscriptionChannelOf,
} from './subscriptions.service.ts';
