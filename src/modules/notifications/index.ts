// The notifications module's face: the outbox consumer (wired in app.ts) and the routes.
export { registerNotifications } from './notifications.routes.ts';
export { notifyFromEvents } from './notifications.service.ts';
