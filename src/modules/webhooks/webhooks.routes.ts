import { Type } from '@sinclair/typebox';
import { readContext, runInTransaction } from '../../platform/http/run.ts';
import { errorResponses } from '../../platform/http/schemas.ts';
import type { App, ServerDeps } from '../../platform/http/server.ts';
import { wakeEvents } from './webhooks.jobs.ts';
import {
  CreatedWebhookView,
  CreateWebhookBody,
  DeliveryPage,
  DeliveryParams,
  DeliveryQuery,
  DeliveryView,
  WebhookList,
  WebhookParams,
  WebhookView,
} from './webhooks.schemas.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  replayDelivery,
} from './webhooks.service.ts';

export function registerWebhooks(app: App, deps: ServerDeps) {
  const config = { action: 'webhooks.manage' as const };
  app.post(
    '/api/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook endpoint; the answer carries its signing secret, shown this once',
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookView, ...errorResponses },
      },
    },
    async (req, reply) =>
      runInTransaction(deps, req, reply, (ctx) => createWebhook(ctx, req.body), { status: 201 }),
  );
  app.get(
    '/api/webhooks',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: "The partner's webhook endpoints and the event types they may ask for",
        response: { 200: WebhookList, ...errorResponses },
      },
    },
    async (req) => listWebhooks(readContext(deps, req)),
  );
  app.get(
    '/api/webhooks/:id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook endpoint',
        params: WebhookParams,
        response: { 200: WebhookView, ...errorResponses },
      },
    },
    async (req) => getWebhook(readContext(deps, req), req.params),
  );
  app.delete(
    '/api/webhooks/:id',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint (its pending deliveries are dropped)',
        params: WebhookParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await runInTransaction(deps, req, reply, (ctx) => deleteWebhook(ctx, req.params), { status: 204 });
      return null;
    },
  );
  app.get(
    '/api/webhooks/:id/deliveries',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log: attempts, last status code, next attempt, delivered at (newest first)',
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryPage, ...errorResponses },
      },
    },
    async (req) => listDeliveries(readContext(deps, req), { id: req.params.id, ...req.query }),
  );
  app.post(
    '/api/webhooks/:id/deliveries/:deliveryId/replay',
    {
      config,
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again (same webhook-id: receivers dedupe on it)',
        params: DeliveryParams,
        response: { 202: DeliveryView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await runInTransaction(deps, req, reply, (ctx) => replayDelivery(ctx, req.params), {
        status: 202,
      });
      await wakeEvents(deps);
      return view;
    },
  );
}
