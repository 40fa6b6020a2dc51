// The transitions module's face: the clock wakes the planner's tick queue.
export { TICK_QUEUE } from './transitions.jobs.ts';
