import { Type } from '@sinclair/typebox';
import { Cursor, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

export const Guid = Type.String({
  minLength: 36,
  maxLength: 36,
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
});
export const Market = Type.String({ minLength: 2, maxLength: 2, pattern: '^[A-Za-z]{2}$' });
export const Term = Type.Union([Type.Literal('P1M'), Type.Literal('P1Y'), Type.Literal('P3Y')]);
export const BillingCycle = Type.Union([Type.Literal('monthly'), Type.Literal('annual')]);
const Kind = Type.Union([Type.Literal('base'), Type.Literal('add-on')]);
const BillingKind = Type.Union([Type.Literal('license'), Type.Literal('usage')]);
const OfferStatus = Type.Union([Type.Literal('available'), Type.Literal('end-of-sale')]);
const Currency = Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' });
const Quantity = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const Money = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 });
const OfferIds = Type.Array(Id, { maxItems: 20, uniqueItems: true });

export const ServicePlanView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    workload: Type.String(),
    tier: Type.Integer(),
    holdsUserData: Type.Boolean(),
    quotaLabel: Type.Optional(Type.String()),
  },
  { $id: 'ServicePlan' },
);

const Day = Type.String({ format: 'date', minLength: 10, maxLength: 10 });

export const PriceView = Type.Object(
  {
    market: Type.String(),
    currency: Type.String(),
    term: Term,
    billingCycle: BillingCycle,
    unitPrice: Type.Integer(),
    effectiveFrom: Type.String({ format: 'date' }),
    effectiveTo: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  },
  { $id: 'Price' },
);

export const PricesBody = Obj({
  prices: Type.Array(
    Obj({
      market: Market,
      currency: Currency,
      term: Term,
      billingCycle: BillingCycle,
      unitPrice: Money,
      effectiveFrom: Type.Optional(Day),
      effectiveTo: Type.Optional(Type.Union([Day, Type.Null()])),
    }),
    { maxItems: 1000 },
  ),
});

export const OfferView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    skuId: Type.String(),
    skuPartNumber: Type.String(),
    kind: Kind,
    baseOfferIds: Type.Array(Type.String()),
    billingKind: BillingKind,
    servicePlans: Type.Array(ServicePlanView),
    term: Term,
    billingCycle: BillingCycle,
    minQuantity: Type.Integer(),
    maxQuantity: Type.Integer(),
    status: OfferStatus,
    existingCustomersOnly: Type.Boolean(),
    successorOfferId: Type.Optional(Type.String()),
    successorAddOnOfferIds: Type.Array(Type.String()),
    segment: Type.Union([
      Type.Literal('commercial'),
      Type.Literal('education'),
      Type.Literal('government'),
      Type.Literal('nonprofit'),
    ]),
    purpose: Type.Union([
      Type.Literal('user'),
      Type.Literal('unattended'),
      Type.Literal('device'),
      Type.Literal('developer'),
      Type.Literal('trial'),
      Type.Literal('free'),
    ]),
    family: Type.String(),
    /** For an add-on: the SKU ids of the bases it needs (empty: any base). */
    requiresBaseSkuIds: Type.Array(Type.String()),
    markets: Type.Array(Type.String()),
    /**
     * Minor units per seat per term, at the offer's term and billing plan: with `?market=`, the price
     * in that market (null: not sold there); without, its first priced market's. Null until priced.
     */
    unitPrice: Type.Union([Type.Integer(), Type.Null()]),
    currency: Type.Union([Type.String(), Type.Null()]),
    /** The price list (SPEC §11): per market, currency, term and billing plan, with effective dates. */
    prices: Type.Array(PriceView),
    refundWindowHours: Type.Integer(),
  },
  { $id: 'Offer' },
);
export const OfferPage = Page(OfferView, { $id: 'OfferPage' });

export const OffersQuery = Obj({
  market: Type.Optional(Market),
  status: Type.Optional(OfferStatus),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const OfferParams = Obj({ offerId: Id });

const editable = {
  name: Type.Optional(NonEmpty(200)),
  kind: Type.Optional(Kind),
  baseOfferIds: Type.Optional(OfferIds),
  billingKind: Type.Optional(BillingKind),
  term: Type.Optional(Term),
  billingCycle: Type.Optional(BillingCycle),
  minQuantity: Type.Optional(Quantity),
  maxQuantity: Type.Optional(Quantity),
  markets: Type.Optional(Type.Array(Market, { maxItems: 250, uniqueItems: true })),
  unitPrice: Type.Optional(Type.Union([Money, Type.Null()])),
  currency: Type.Optional(Type.Union([Currency, Type.Null()])),
  refundWindowHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 8760 })),
  status: Type.Optional(OfferStatus),
  existingCustomersOnly: Type.Optional(Type.Boolean()),
  successorOfferId: Type.Optional(Type.Union([Id, Type.Null()])),
  successorAddOnOfferIds: Type.Optional(OfferIds),
};

export const CreateOfferBody = Obj({
  id: Type.Optional(Id),
  skuId: Guid,
  skuPartNumber: Type.Optional(NonEmpty(120)),
  productName: Type.Optional(NonEmpty(200)),
  servicePlans: Type.Optional(
    Type.Array(Obj({ id: Guid, name: NonEmpty(120) }), { minItems: 1, maxItems: 200 }),
  ),
  ...editable,
});

export const UpdateOfferBody = Obj(editable, { minProperties: 1 });
