// The outbox module's face: events recorded in the caller's transaction, published after commit
// to the consumers the composition root hands the publisher (notifications, webhooks).
export { eventsByIds, hasUnpublished } from './outbox.repo.ts';
export {
  type OutboxConsumer,
  type OutboxEvent,
  type OutboxEventType,
  publishPending,
  recordEvent,
  recordEvents,
} from './outbox.service.ts';
