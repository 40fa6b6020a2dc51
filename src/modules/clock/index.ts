// The clock module's face: its routes (registered in app.ts) and the move, which the CLI shares.
export { registerClock } from './clock.routes.ts';
export { CLOCK_CONTINUATIONS, moveClock } from './clock.service.ts';
