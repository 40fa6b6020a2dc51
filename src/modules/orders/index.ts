// The orders module's face: the order a transition's step places.
export { type PlacedOrder, placeTransitionOrders } from './orders.service.ts';
