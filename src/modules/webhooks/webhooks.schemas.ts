import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, NonEmpty, Obj } from '../../platform/http/schemas.ts';

export const CreateWebhookBody = Obj({
  url: NonEmpty(2048),
  /** Event types (GET /api/webhooks lists them as `eventTypes`). */
  events: Type.Array(NonEmpty(100), { minItems: 1, maxItems: 50 }),
});

export const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: DateTime,
});

/** Only the answer to creating it carries the secret (`whsec_…`): keep it then. */
export const CreatedWebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: DateTime,
  secret: Type.String(),
});

export const WebhookList = Type.Object({
  items: Type.Array(WebhookView),
  /** Every event type an endpoint may ask for. */
  eventTypes: Type.Array(Type.String()),
});

export const DeliveryView = Type.Object({
  id: Type.String(),
  /** The event's id, sent as `webhook-id` (the same on every attempt and replay). */
  eventId: Type.String(),
  eventType: Type.String(),
  /** What the event is about (`transfer:<id>`, `transition:<id>`...): delivered in order per subject. */
  subject: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([DateTime, Type.Null()]),
  deliveredAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
});

export const DeliveryPage = Type.Object({
  items: Type.Array(DeliveryView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const WebhookParams = Obj({ id: Id });
export const DeliveryParams = Obj({ id: Id, deliveryId: Id });
export const DeliveryQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
