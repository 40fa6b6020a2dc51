// The licenses module's face: license assignment use cases, the seat-pool lock every seat change
// takes, and the per-SKU assignment count subscriptions join on.

export { listSeatGraceTasks } from './licenses.grace.ts';
export { SEAT_GRACE_QUEUE } from './licenses.jobs.ts';
export { assignedSeatsBySku, holdersOfSkus, licensesOfTenants, moveSkuAssignments } from './licenses.repo.ts';
export { assignSkuToUsers, removeSkuFromUsers, updateUserLicenses } from './licenses.service.ts';
