import { Type } from '@sinclair/typebox';
import { DateTime, Id, Obj, Page } from '../../platform/http/schemas.ts';
import { SubscriptionViewSchema as SubscriptionView } from '../subscriptions/index.ts';

export const PlaceOrderBody = Obj({
  lineItems: Type.Array(Obj({ offerId: Id, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }), {
    minItems: 1,
    maxItems: 50,
  }),
  /** An indirect provider ordering for one of its resellers: the reseller is partner of record. */
  partnerOnRecordId: Type.Optional(Id),
});

export const OrderParams = Obj({ tenantId: Id, orderId: Id });

export const OrderView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    partnerId: Type.String(),
    /** The indirect reseller this provider ordered for, if any (SPEC §7). */
    partnerOnRecordId: Type.Union([Type.String(), Type.Null()]),
    status: Type.Literal('completed'),
    lineItems: Type.Array(
      Type.Object({
        offerId: Type.String(),
        quantity: Type.Integer(),
        subscriptionId: Type.String(),
        offerName: Type.Optional(Type.String()),
        /** What the purchase charged for this line (its first charge period), minor units. */
        amount: Type.Optional(Type.Integer()),
        currency: Type.Optional(Type.String()),
      }),
    ),
    /** What the order charged, per currency (minor units); empty when no line was billed. */
    totals: Type.Optional(Type.Array(Type.Object({ amount: Type.Integer(), currency: Type.String() }))),
    createdAt: DateTime,
    /** The subscriptions the order created (on the order and on one order; not in lists). */
    subscriptions: Type.Optional(Type.Array(SubscriptionView)),
  },
  { $id: 'Order' },
);
export const OrderPage = Page(OrderView, { $id: 'OrderPage' });
