import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import {
  NotificationPage,
  NotificationParams,
  NotificationQuery,
  NotificationView,
  ReadAllView,
} from './notifications.schemas.ts';
import { listNotifications, readAllNotifications, readNotification } from './notifications.service.ts';

export function registerNotifications(app: App, deps: ServerDeps) {
  app.get(
    '/api/notifications',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['notifications'],
        summary: 'Your notifications, newest first, and how many are unread',
        querystring: NotificationQuery,
        response: { 200: NotificationPage, ...errorResponses },
      },
    },
    async (req) => listNotifications(readContext(deps, req), req.query),
  );
  app.post(
    '/api/notifications/read-all',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark all your notifications read',
        response: { 200: ReadAllView, ...errorResponses },
      },
    },
    async (req, reply) => runInTransaction(deps, req, reply, (ctx) => readAllNotifications(ctx)),
  );
  app.post(
    '/api/notifications/:id/read',
    {
      config: { action: 'notifications.read' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of your notifications read',
        params: NotificationParams,
        response: { 200: NotificationView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => readNotification(ctx, { id: req.params.id })),
  );
}
