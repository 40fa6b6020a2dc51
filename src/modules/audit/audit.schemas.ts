import { Type } from '@sinclair/typebox';
import { Cursor, Id, Obj, Page } from '../../platform/http/schemas.ts';

export const AuditEvent = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.Object({
      userId: Type.Union([Type.String(), Type.Null()]),
      email: Type.Union([Type.String(), Type.Null()]),
      roles: Type.Array(Type.String()),
      partnerId: Type.Union([Type.String(), Type.Null()]),
      tenantId: Type.Union([Type.String(), Type.Null()]),
    }),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Type.Union([Type.String(), Type.Null()]),
    tenantId: Type.Union([Type.String(), Type.Null()]),
    partnerId: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEvent' },
);

export const AuditQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  tenantId: Type.Optional(Id),
});

export const AuditPage = Page(AuditEvent, { $id: 'AuditEventPage' });
