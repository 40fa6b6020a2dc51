// The transitions module's face: the clock wakes the planner's tick queue; home reads the book's
// groups, the sources already under way and the plans awaiting acknowledgment.

export { TICK_QUEUE } from './transitions.jobs.ts';
export {
  claimedAmong,
  countBookGroups,
  plansAwaitingAcknowledgment,
  TRANSITION_GROUPS,
  type TransitionGroup,
} from './transitions.repo.ts';
