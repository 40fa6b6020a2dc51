// The outbox module's face: events recorded in the caller's transaction, delivered after commit.
export { type OutboxEventType, recordEvent } from './outbox.service.ts';
