import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, Obj } from '../../platform/http/schemas.ts';
import { NOTIFICATION_KINDS } from './notifications.rules.ts';

const Text = Type.String();
const Data = Type.Object({
  tenantId: Type.Optional(Text),
  tenantName: Type.Optional(Type.Union([Text, Type.Null()])),
  partnerName: Type.Optional(Type.Union([Text, Type.Null()])),
  transitionId: Type.Optional(Text),
  transferId: Type.Optional(Text),
  creditRequestId: Type.Optional(Text),
  invoiceId: Type.Optional(Text),
  grantId: Type.Optional(Text),
  number: Type.Optional(Text),
  verdict: Type.Optional(Text),
  code: Type.Optional(Text),
  stepKind: Type.Optional(Text),
  decision: Type.Optional(Text),
  amount: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  expiresAt: Type.Optional(Text),
  daysBefore: Type.Optional(Type.Integer()),
});

export const NotificationView = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k))),
    data: Data,
    createdAt: DateTime,
    readAt: Type.Union([DateTime, Type.Null()]),
  },
  { $id: 'Notification' },
);

export const NotificationPage = Type.Object(
  {
    items: Type.Array(NotificationView),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    /** All of the user's unread notifications, not only this page's. */
    unreadCount: Type.Integer(),
  },
  { $id: 'NotificationPage' },
);

export const NotificationQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  unread: Type.Optional(Type.Boolean()),
});

export const NotificationParams = Obj({ id: Id });
export const ReadAllView = Type.Object({ marked: Type.Integer(), unreadCount: Type.Integer() });
