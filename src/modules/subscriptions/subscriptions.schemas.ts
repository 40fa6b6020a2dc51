import { Type } from '@sinclair/typebox';
import { ListPage, listQueryFields } from '../../platform/http/list.ts';
import { Cursor, DateTime, DateTimeInput, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';
import { BillingCycle, Term } from '../catalog/index.ts';

export const Channel = Type.Union([
  Type.Literal('direct'),
  Type.Literal('partner'),
  Type.Literal('volume'),
  Type.Literal('trial'),
]);
const State = Type.Union([
  Type.Literal('active'),
  Type.Literal('suspended'),
  Type.Literal('expired'),
  Type.Literal('disabled'),
  Type.Literal('deleted'),
]);

export const SubscriptionView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    offerId: Type.String(),
    offerName: Type.Optional(Type.String()),
    skuId: Type.String(),
    quantity: Type.Integer(),
    /** Seats of this subscription taken by users (the SKU's pool split oldest subscription first). */
    assignedSeats: Type.Integer(),
    /** The lifecycle state now, derived from the dates and the platform clock. */
    status: State,
    channel: Channel,
    partnerId: Type.Optional(Type.String()),
    /** Sold by an indirect provider (`partnerId`) for this indirect reseller (SPEC §7). */
    partnerOnRecordId: Type.Optional(Type.String()),
    purchasedVia: Type.Optional(Type.String()),
    orderId: Type.Optional(Type.String()),
    billingCycle: BillingCycle,
    term: Term,
    termStart: DateTimeInput,
    termEnd: DateTimeInput,
    autoRenew: Type.Boolean(),
    renewals: Type.Integer(),
    usersHaveAccess: Type.Boolean(),
    adminsHaveAccess: Type.Boolean(),
    dataRetained: Type.Boolean(),
    nextChangeAt: Type.Union([DateTime, Type.Null()]),
    suspendedAt: Type.Union([DateTime, Type.Null()]),
    cancelledAt: Type.Union([DateTime, Type.Null()]),
    unitPrice: Type.Integer(),
    currency: Type.Union([Type.String(), Type.Null()]),
    refundWindow: Type.Object({
      hours: Type.Integer(),
      endsAt: Type.Union([DateTime, Type.Null()]),
      isOpen: Type.Boolean(),
    }),
    /** Whether the caller may change it (a partner: only its own partner-channel subscriptions). */
    canChange: Type.Optional(Type.Boolean()),
    createdAt: DateTime,
  },
  { $id: 'Subscription' },
);
export const SubscriptionPage = Page(SubscriptionView);
export const SubscriptionListPage = ListPage(SubscriptionView);

export const ChangedSubscriptionView = Type.Composite(
  [
    SubscriptionView,
    Type.Object({
      /** Minor units returned to the customer by this change (prorated, inside the refund window). */
      amountRefunded: Type.Integer(),
      /** Minor units paid for the rest of the term and not returned (cancelling outside the window). */
      amountLost: Type.Integer(),
    }),
  ],
  { $id: 'ChangedSubscription' },
);

export const SubscriptionsQuery = Obj({
  channel: Type.Optional(Channel),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const TenantSubscriptionParams = Obj({ tenantId: Id, id: Id });
export const OwnSubscriptionParams = Obj({ id: Id });

export const ChangeSubscriptionBody = Obj(
  {
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    autoRenew: Type.Optional(Type.Boolean()),
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('cancelled')]),
    ),
  },
  { minProperties: 1 },
);

export const ChangeOwnSubscriptionBody = Obj(
  {
    autoRenew: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.Literal('cancelled')),
  },
  { minProperties: 1 },
);

export const RecordSubscriptionBody = Obj({
  offerId: Id,
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  channel: Channel,
  partnerId: Type.Optional(Id),
  purchasedVia: Type.Optional(NonEmpty(60)),
  billingCycle: BillingCycle,
  termStart: DateTimeInput,
  termEnd: DateTimeInput,
  autoRenew: Type.Boolean(),
});

export const UpgradeBody = Obj({
  targetOfferId: Id,
  /** Seats after the upgrade: the current seats or more (default: the current seats). */
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
});

const ConvertEstimate = Type.Object({
  /** Minor units paid back: the old offer's rest of the charge period for the current seats. */
  credit: Type.Integer(),
  /** Minor units charged: the new offer's rest of the charge period for the seats. */
  charge: Type.Integer(),
  net: Type.Integer(),
});

export const UpgradedSubscriptionView = Type.Composite([
  SubscriptionView,
  Type.Object({
    upgrade: Type.Object({
      fromOfferId: Type.String(),
      fromSkuId: Type.String(),
      licensesMoved: Type.Integer(),
      amountCredited: Type.Integer(),
      amountCharged: Type.Integer(),
    }),
  }),
]);

export const UpgradeOptions = Type.Object(
  {
    subscriptionId: Type.String(),
    offerId: Type.String(),
    family: Type.Union([Type.String(), Type.Null()]),
    segment: Type.Union([Type.String(), Type.Null()]),
    market: Type.String(),
    items: Type.Array(
      Type.Object({
        offerId: Type.String(),
        name: Type.String(),
        skuId: Type.String(),
        skuPartNumber: Type.String(),
        family: Type.String(),
        segment: Type.String(),
        term: Term,
        billingCycle: BillingCycle,
        unitPrice: Type.Integer(),
        currency: Type.Union([Type.String(), Type.Null()]),
        minQuantity: Type.Integer(),
        maxQuantity: Type.Integer(),
        estimate: ConvertEstimate,
      }),
    ),
  },
  { $id: 'UpgradeOptions' },
);

export const SubscriptionHistoryEntry = Type.Object(
  {
    id: Type.String(),
    at: DateTime,
    /** recorded, changed, cancelled, upgraded, seats.over-assigned, … */
    action: Type.String(),
    actorEmail: Type.Union([Type.String(), Type.Null()]),
    quantity: Type.Optional(Type.Object({ from: Type.Optional(Type.Integer()), to: Type.Integer() })),
    autoRenew: Type.Optional(Type.Boolean()),
    status: Type.Optional(Type.String()),
    offer: Type.Optional(Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String() })),
    amountRefunded: Type.Optional(Type.Integer()),
    amountCredited: Type.Optional(Type.Integer()),
    amountCharged: Type.Optional(Type.Integer()),
  },
  { $id: 'SubscriptionHistoryEntry' },
);
export const SubscriptionHistoryPage = Page(SubscriptionHistoryEntry);
/** A partner's list of a customer's subscriptions: channel and status filters, sort, paging, CSV. */
export const SubscriptionListQuery = Obj({
  ...listQueryFields,
  channel: Type.Optional(Channel),
  status: Type.Optional(State),
});
