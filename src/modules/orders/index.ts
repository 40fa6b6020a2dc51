// The orders module's face: the order a transition's step places.
export { placeTransitionOrder } from './orders.service.ts';
