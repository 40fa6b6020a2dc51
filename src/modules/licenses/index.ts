// The licenses module's face: license assignment use cases, the seat-pool lock every seat change
// takes, and the per-SKU assignment count subscriptions join on.

export { listSeatGraceTasks } from './licenses.grace.ts';
export { SEAT_GRACE_QUEUE } from './licenses.jobs.ts';
export {
  assignedSeatsBySku,
  holdersOfTenantSkus,
  licensesOfTenants,
  moveSkuAssignments,
} from './licenses.repo.ts';
export {
  type AssignRequest,
  assignSkusInBatch,
  assignSkuToUsers,
  removeSkuFromUsers,
  removeSkusInBatch,
  updateUserLicenses,
} from './licenses.service.ts';
