import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Id, Obj, Page } from '../../platform/http/schemas.ts';

const Day = Type.String({ format: 'date', maxLength: 10 });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 });
/** Minor units (cents), an integer; `currency` beside it says which. */
const Minor = Type.Integer();
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const InvoiceView = Type.Object(
  {
    id: Type.String(),
    /** Human number, one sequence for the install with no gaps: `TR-00000001`. */
    number: Type.String(),
    partnerId: Type.String(),
    /** The closed month: from periodStart (its first day) up to, not including, periodEnd. */
    periodStart: Day,
    periodEnd: Day,
    currency: Currency,
    /** The sum of the invoice's lines' totals, in minor units of `currency`. */
    total: Minor,
    status: Type.Literal('issued'),
    lineCount: Type.Integer(),
    createdAt: DateTime,
  },
  { $id: 'Invoice' },
);
export const InvoicePage = Page(InvoiceView, { $id: 'InvoicePage' });

export const InvoiceLineView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    customerName: Type.String(),
    /** The indirect reseller of record, when there is one. */
    resellerPartnerId: Nullable(Type.String()),
    subscriptionId: Nullable(Type.String()),
    orderId: Nullable(Type.String()),
    offerId: Nullable(Type.String()),
    productId: Nullable(Type.String()),
    productName: Nullable(Type.String()),
    skuId: Nullable(Type.String()),
    skuName: Nullable(Type.String()),
    chargeType: Type.String(),
    unitPrice: Minor,
    effectiveUnitPrice: Minor,
    unitType: Type.String(),
    /** Exact decimals as text: seats are whole ("5"), usage may not be ("2.5"). */
    quantity: Type.String(),
    billableQuantity: Type.String(),
    subtotal: Minor,
    taxTotal: Minor,
    total: Minor,
    currency: Currency,
    customerUnitPrice: Minor,
    customerSubtotal: Minor,
    chargeStartDate: Day,
    chargeEndDate: Day,
    /** The month the line was written for; earlier than the invoice's period when it came late. */
    billingMonth: Day,
    term: Nullable(Type.String()),
    billingCycle: Nullable(Type.String()),
    referenceId: Nullable(Type.String()),
    creditReasonCode: Nullable(Type.String()),
    occurredAt: DateTime,
  },
  { $id: 'InvoiceLine' },
);

export const InvoiceDetail = Type.Composite(
  [
    InvoiceView,
    Type.Object({
      /** The invoice's lines, paged (`?cursor=&limit=`), in a stable order. */
      lines: Page(InvoiceLineView),
    }),
  ],
  { $id: 'InvoiceDetail' },
);

export const InvoiceQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  currency: Type.Optional(Currency),
});
export const InvoiceLinesQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export const InvoiceParams = Obj({ id: Id });
