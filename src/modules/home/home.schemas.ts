import { Type } from '@sinclair/typebox';
import { DateTime } from '../../platform/http/schemas.ts';

const Customer = Type.Object({
  tenantId: Type.String(),
  companyName: Type.String(),
  defaultDomain: Type.String(),
});

export const HomeView = Type.Object({
  now: DateTime,
  attention: Type.Object({
    /** How many subscriptions need attention in the whole book (`items` lists the first 50). */
    total: Type.Integer(),
    items: Type.Array(
      Type.Object({
        subscriptionId: Type.String(),
        customer: Customer,
        offerId: Type.String(),
        offerName: Type.Union([Type.String(), Type.Null()]),
        channel: Type.String(),
        status: Type.String(),
        expired: Type.Boolean(),
        termEnd: DateTime,
        autoRenew: Type.Boolean(),
      }),
    ),
  }),
  /** The partner's GDAP grants that end within 30 days and do not auto-extend, soonest first. */
  delegatedAdminEnding: Type.Array(
    Type.Object({ grantId: Type.String(), customer: Customer, expiresAt: DateTime }),
  ),
  /** Transitions of the book in each group (planned, applying, waiting-customer, …). */
  transitions: Type.Record(Type.String(), Type.Integer()),
  pendingRequests: Type.Array(
    Type.Object({
      id: Type.String(),
      customer: Type.Union([Customer, Type.Null()]),
      createdAt: DateTime,
      expiresAt: DateTime,
    }),
  ),
  plansAwaitingAcknowledgment: Type.Array(
    Type.Object({
      transitionId: Type.String(),
      customer: Type.Object({ tenantId: Type.String(), companyName: Type.String() }),
      verdict: Type.String(),
      createdAt: DateTime,
    }),
  ),
});
