import { Type } from '@sinclair/typebox';
import { ListPage, listQueryFields } from '../../platform/http/list.ts';
import { Id, Obj } from '../../platform/http/schemas.ts';

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
    /** The customer's company name, when the row is about a tenant. */
    tenantName: Type.Union([Type.String(), Type.Null()]),
    /** The target's name (a customer, partner, user's e-mail or offer), when it has one. */
    targetName: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AuditEvent' },
);

export const AuditQuery = Obj({
  ...listQueryFields,
  tenantId: Type.Optional(Id),
  /** An action (`transition.planned`), or a family of them ending in a dot (`transition.`). */
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9.-]+$' })),
});

export const AuditPage = ListPage(AuditEvent, { $id: 'AuditEventPage' });
