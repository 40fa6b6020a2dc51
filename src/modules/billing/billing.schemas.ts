import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, Obj, Page, Str, TenantParams } from '../../platform/http/schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Day = Type.String({ format: 'date', description: 'UTC day, YYYY-MM-DD' });
const Month = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  minLength: 7,
  maxLength: 7,
  description: 'YYYY-MM',
});
/** Exact decimal text (seats are whole; usage is not): never a float. */
const Decimal = Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' });

export const ChargeType = Type.Union(
  [
    'new',
    'renew',
    'addQuantity',
    'removeQuantity',
    'cancel',
    'cycleCharge',
    'transferIn',
    'transferOut',
    'convert',
    'usage',
    'credit',
  ].map((t) => Type.Literal(t)),
);

/** A billing line: cost (what the program bills the partner) and customer price, minor units. */
export const BillingLineView = Type.Object(
  {
    id: Type.String(),
    sourceKey: Type.String({ description: 'The event that caused the line (one line per event)' }),
    chargeType: ChargeType,
    partnerId: Type.String(),
    resellerPartnerId: Nullable(Type.String()),
    tenantId: Type.String(),
    subscriptionId: Nullable(Type.String()),
    orderId: Nullable(Type.String()),
    offerId: Nullable(Type.String()),
    productName: Nullable(Type.String()),
    skuId: Nullable(Type.String()),
    unitPrice: Type.Integer({ description: 'Per seat for the whole charge period' }),
    effectiveUnitPrice: Type.Integer({
      description: 'Per seat for the days this line charges, rounded down',
    }),
    unitType: Type.String(),
    quantity: Decimal,
    billableQuantity: Decimal,
    subtotal: Type.Integer({ description: 'effectiveUnitPrice × billableQuantity; negative for refunds' }),
    taxTotal: Type.Integer(),
    total: Type.Integer(),
    currency: Currency,
    customerUnitPrice: Type.Integer(),
    customerSubtotal: Type.Integer(),
    chargeStart: Day,
    chargeEnd: Day,
    term: Nullable(Type.String()),
    billingCycle: Nullable(Type.String()),
    referenceId: Nullable(Type.String()),
    creditReasonCode: Nullable(Type.String()),
    occurredAt: DateTime,
    billingMonth: Month,
    invoiceId: Nullable(Type.String()),
  },
  { $id: 'BillingLine' },
);
export const BillingLinePage = Page(BillingLineView, { $id: 'BillingLinePage' });
export const UnbilledQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const PriceRuleInput = Obj({
  /** A rule for one offer; left out: every offer. */
  offerId: Type.Optional(Id),
  /** A rule for one customer; left out: every customer. */
  tenantId: Type.Optional(Id),
  /** At most two decimals, from -100 to 1000 (12.5 = 12.5 %). */
  markupPercent: Type.Number({ minimum: -100, maximum: 1000 }),
});
export const PriceRulesBody = Obj({ rules: Type.Array(PriceRuleInput, { maxItems: 1000 }) });
export const PriceRulesView = Type.Object({
  rules: Type.Array(
    Type.Object({
      offerId: Type.Optional(Type.String()),
      tenantId: Type.Optional(Type.String()),
      markupPercent: Type.Number(),
      markupBasisPoints: Type.Integer(),
    }),
  ),
});

export const StatementParams = Obj({ tenantId: TenantParams.properties.tenantId, month: Month });
const Total = Type.Object({ currency: Currency, amount: Type.Integer() });
export const StatementView = Type.Object({
  tenantId: Type.String(),
  month: Month,
  lines: Type.Array(
    Type.Object({
      id: Type.String(),
      chargeType: ChargeType,
      subscriptionId: Nullable(Type.String()),
      offerId: Nullable(Type.String()),
      productName: Nullable(Type.String()),
      quantity: Decimal,
      billableQuantity: Decimal,
      unitPrice: Type.Integer({ description: 'Customer price per seat for the charge period' }),
      subtotal: Type.Integer({ description: 'Customer price of the line' }),
      currency: Currency,
      chargeStart: Day,
      chargeEnd: Day,
      creditReasonCode: Nullable(Type.String()),
    }),
  ),
  totals: Type.Array(Total),
});

export const MarginsQuery = Obj({ month: Type.Optional(Month) });
const MarginFigures = {
  currency: Currency,
  mrr: Type.Integer({ description: 'Monthly recurring revenue at customer price' }),
  cost: Type.Integer({ description: 'The same subscriptions at cost, monthly' }),
  margin: Type.Integer({ description: 'mrr − cost' }),
  charged: Type.Integer({ description: "The month's lines at customer price" }),
  chargedCost: Type.Integer({ description: "The month's lines at cost" }),
};
export const MarginsView = Type.Object({
  month: Month,
  asOf: Day,
  customers: Type.Array(Type.Object({ tenantId: Type.String(), companyName: Str(400), ...MarginFigures })),
  totals: Type.Array(Type.Object(MarginFigures)),
});
export const MarginHistoryQuery = Obj({
  months: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 12 })),
});
export const MarginHistoryView = Type.Object({
  from: Month,
  to: Month,
  points: Type.Array(
    Type.Object({
      month: Month,
      currency: Currency,
      revenue: Type.Integer(),
      cost: Type.Integer(),
      margin: Type.Integer(),
    }),
  ),
});
