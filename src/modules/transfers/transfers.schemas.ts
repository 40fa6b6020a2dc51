import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, Obj, Page } from '../../platform/http/schemas.ts';

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('completed'),
  Type.Literal('rejected'),
  Type.Literal('expired'),
]);
const SubscriptionIds = Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true });

export const RequestTransferBody = Obj({
  /** The partner of record now holding the subscriptions. */
  sourcePartnerId: Id,
  /** Whole subscriptions; all the source's active ones in this tenant when left out. */
  subscriptionIds: Type.Optional(SubscriptionIds),
});

export const ApproveTransferBody = Obj({
  /** The line items given (whole subscriptions); the others stay with the source. */
  subscriptionIds: SubscriptionIds,
});

export const TransferView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    tenantName: Type.String(),
    sourcePartnerId: Type.String(),
    sourcePartnerName: Type.String(),
    targetPartnerId: Type.String(),
    targetPartnerName: Type.String(),
    status: Status,
    /** For a partner: incoming (asked of it as partner of record) or outgoing (it asked). */
    direction: Type.Optional(Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')])),
    lineItems: Type.Array(
      Type.Object({
        subscriptionId: Type.String(),
        status: Type.Union([Type.Literal('pending'), Type.Literal('transferred'), Type.Literal('declined')]),
        offerId: Type.Optional(Type.String()),
        offerName: Type.Optional(Type.String()),
        quantity: Type.Optional(Type.Integer()),
        termEnd: Type.Optional(DateTime),
      }),
    ),
    /** The transition whose plan asked for it, if any. */
    transitionId: Type.Union([Type.String(), Type.Null()]),
    expiresAt: DateTime,
    decidedAt: Type.Union([DateTime, Type.Null()]),
    createdAt: DateTime,
  },
  { $id: 'Transfer' },
);
export const TransferPage = Page(TransferView);

export const TransferQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  status: Type.Optional(Status),
  direction: Type.Optional(Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')])),
});
export const TransferParams = Obj({ id: Id });
