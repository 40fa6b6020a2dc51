// The clock module's face: nothing but its routes (registered in app.ts); no module imports it.
export { registerClock } from './clock.routes.ts';
