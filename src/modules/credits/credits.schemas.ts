import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

/** Amounts are integer minor units (cents). */
const Amount = Type.Integer({ minimum: 0, maximum: 2_000_000_000 });
const Status = Type.Union([Type.Literal('submitted'), Type.Literal('approved'), Type.Literal('rejected')]);

export const FileCreditBody = Obj({
  subscriptionId: Id,
  reason: NonEmpty(2000),
  amount: Type.Optional(Amount),
  /**
   * The partner subscription whose purchase made these licenses duplicate: the amount is then
   * computed (overlap days × seats × the source's price), and refused 120 days after that purchase.
   */
  newSubscriptionId: Type.Optional(Id),
});

export const DecisionBody = Obj({
  decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  amount: Type.Optional(Amount),
});

export const CreditRequestView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    subscriptionId: Type.String(),
    filedBy: Type.Union([Type.Literal('customer'), Type.Literal('partner')]),
    partnerId: Type.Union([Type.String(), Type.Null()]),
    reason: Type.String(),
    amount: Type.Union([Type.Integer(), Type.Null()]),
    newSubscriptionId: Type.Union([Type.String(), Type.Null()]),
    /** The subscription's currency: `amount` and `decidedAmount` are its minor units. */
    currency: Type.Union([Type.String(), Type.Null()]),
    status: Status,
    decidedAmount: Type.Union([Type.Integer(), Type.Null()]),
    decidedAt: Type.Union([DateTime, Type.Null()]),
    createdAt: DateTime,
    /** The customer's company name (in lists). */
    customerName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'CreditRequest' },
);
export const CreditRequestPage = Page(CreditRequestView, { $id: 'CreditRequestPage' });

export const CreditQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  status: Type.Optional(Status),
});
export const CreditParams = Obj({ id: Id });
