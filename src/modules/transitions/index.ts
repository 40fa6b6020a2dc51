// The transitions module's face: the clock wakes the planner's tick queue; the command line plans
// and applies in bulk (src/cli/plan-report.ts writes and reads the report files).
export {
  type ApplyBulkOptions,
  type ApplyBulkResult,
  applyBulk,
  type BulkApplyEntry,
} from './transitions.apply-bulk.ts';
export { TICK_QUEUE } from './transitions.jobs.ts';
export {
  type BulkPlanOutcome,
  type BulkPlanResult,
  type BulkVerdict,
  bulkActor,
  type PlanBulkOptions,
  planBulk,
  type ReportCustomer,
  SUMMARY_HEADER,
  verdictOf,
} from './transitions.plan-bulk.ts';
export {
  claimedAmong,
  countBookGroups,
  plansAwaitingAcknowledgment,
  TRANSITION_GROUPS,
  type TransitionGroup,
} from './transitions.repo.ts';
