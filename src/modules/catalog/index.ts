// The catalog module's face: the offer and product readers other modules price and check with,
// the offer-name expression a subscription read joins, and the shared field schemas.
export { allOfferIds, offerNameOf, offerNameRow } from './catalog.repo.ts';
export { BillingCycle, Guid, ServicePlanView, Term } from './catalog.schemas.ts';
export { baseOffersOf, type OfferView, offersById, productsBySku } from './catalog.service.ts';
