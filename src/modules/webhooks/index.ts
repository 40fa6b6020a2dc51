// The webhooks module's face: the outbox consumer and the delivery job (wired in app.ts), the routes,
// and the pending count /metrics reads.
export { registerEventJobs, runEvents } from './webhooks.jobs.ts';
export { countPendingDeliveries } from './webhooks.repo.ts';
export { registerWebhooks } from './webhooks.routes.ts';
export { deliverDue, enqueueDeliveries } from './webhooks.service.ts';
