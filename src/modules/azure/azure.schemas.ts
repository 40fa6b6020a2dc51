import { Type } from '@sinclair/typebox';
import { BLOCKER_CODES, OWN_KINDS } from '../../domain/azure.ts';
import { Country, Cursor, DateTime, Id, NonEmpty, Obj, Page, Str } from '../../platform/http/schemas.ts';

const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

const Status = lit(['active', 'disabled', 'deleted'] as const);
const Kind = lit(['azure-plan', ...OWN_KINDS] as const);
const Currency = Type.String({ minLength: 3, maxLength: 3, pattern: '^[A-Za-z]{3}$' });
const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', maxLength: 7 });
const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });

export const AzurePlanView = Type.Object(
  {
    /** The plan subscription's id. */
    id: Type.String(),
    tenantId: Type.String(),
    partnerId: Type.String(),
    offerId: Type.String(),
    billingKind: Type.Literal('usage'),
    currency: Type.String(),
    status: Type.Literal('active'),
    createdAt: DateTime,
  },
  { $id: 'AzurePlan' },
);

export const AzureResourceView = Type.Object({
  resourceId: Type.String(),
  resourceType: Type.String(),
  isClassic: Type.Boolean(),
  hasReservation: Type.Boolean(),
  isMarketplace: Type.Boolean(),
  movedFromSubscriptionId: Type.Union([Type.String(), Type.Null()]),
});

export const AzureSubscriptionView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    /** `azure-plan` under a partner's plan; otherwise the customer's own, bought elsewhere. */
    kind: Kind,
    friendlyName: Type.String(),
    status: Status,
    partnerId: Type.Union([Type.String(), Type.Null()]),
    planId: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String(),
    billingCountry: Type.String(),
    billingAccountId: Type.Union([Type.String(), Type.Null()]),
    /** What it was before a billing transfer made it the partner's. */
    originKind: Type.Union([Type.String(), Type.Null()]),
    /** Usage dated from this day on is the partner's. */
    partnerSince: Type.Union([DateTime, Type.Null()]),
    movedFromSubscriptionId: Type.Union([Type.String(), Type.Null()]),
    disabledAt: Type.Union([DateTime, Type.Null()]),
    deletesAt: Type.Union([DateTime, Type.Null()]),
    deletedAt: Type.Union([DateTime, Type.Null()]),
    createdAt: DateTime,
    resources: Type.Array(AzureResourceView),
  },
  { $id: 'AzureSubscription' },
);
export const AzureSubscriptionPage = Page(AzureSubscriptionView, { $id: 'AzureSubscriptionPage' });

export const CreateAzureSubscriptionBody = Obj({ friendlyName: NonEmpty(64) });
export const UpdateAzureSubscriptionBody = Obj({
  status: Type.Optional(lit(['active', 'disabled'] as const)),
  friendlyName: Type.Optional(NonEmpty(64)),
});
export const AzureSubscriptionParams = Obj({ tenantId: Id, id: Id });

const ResourceInput = Obj({
  /** The resource's ARM id. */
  resourceId: NonEmpty(512),
  resourceType: NonEmpty(200, { pattern: '^[A-Za-z0-9.]+(/[A-Za-z0-9.]+)+$' }),
  isClassic: Type.Optional(Type.Boolean()),
  hasReservation: Type.Optional(Type.Boolean()),
  isMarketplace: Type.Optional(Type.Boolean()),
});

export const RecordOwnAzureBody = Obj({
  kind: lit(OWN_KINDS),
  friendlyName: NonEmpty(64),
  currency: Type.Optional(Currency),
  billingCountry: Type.Optional(Country),
  /** The enterprise enrollment or billing account it is billed under. */
  billingAccountId: Type.Optional(NonEmpty(100)),
  status: Type.Optional(Status),
  resources: Type.Optional(Type.Array(ResourceInput, { maxItems: 500 })),
});

const UsageRow = Obj({
  /** The usage day (UTC), YYYY-MM-DD. */
  date: Str(10),
  subscriptionId: Str(64),
  meterId: Str(100),
  meterName: Str(200),
  meterCategory: Type.Optional(Str(100)),
  unit: Str(50),
  /** A decimal string (up to 8 decimals), so no float carries it. */
  quantity: Type.Union([Str(40), Type.Number()]),
  /** Minor units of `currency` per unit. */
  unitPrice: Type.Integer(),
  currency: Str(3),
  resourceId: Type.Optional(Str(512)),
});

/** Rows as JSON, or a CSV file's text (header on line 1; `unitPrice` in minor units). */
export const ImportUsageBody = Type.Union([
  Obj({ rows: Type.Array(UsageRow, { minItems: 1, maxItems: 5000 }) }),
  Obj({ csv: Type.String({ minLength: 1, maxLength: 1_000_000 }) }),
]);

export const ImportUsageResult = Type.Object({
  received: Type.Integer(),
  imported: Type.Integer(),
  unchanged: Type.Integer(),
  /** Each refused row, by its line in the file (JSON rows: index + 1). */
  refused: Type.Array(
    Type.Object({ line: Type.Integer(), problem: Type.String(), detail: Type.Optional(Type.String()) }),
  ),
});

export const UsageQuery = Obj({
  month: Type.Optional(Month),
  subscriptionId: Type.Optional(Id),
});

export const UsageView = Type.Object(
  {
    month: Type.String(),
    items: Type.Array(
      Type.Object({
        subscriptionId: Type.String(),
        date: Type.String({ format: 'date' }),
        meterId: Type.String(),
        meterName: Type.String(),
        meterCategory: Type.String(),
        unit: Type.String(),
        /** A decimal string. */
        quantity: Type.String(),
        amount: Money,
      }),
    ),
    totals: Type.Array(Money),
  },
  { $id: 'AzureUsage' },
);

export const BlockerView = Type.Object(
  {
    code: lit(BLOCKER_CODES),
    resourceType: Type.Optional(Type.String()),
    resourceId: Type.Optional(Type.String()),
    /** True: the subscription cannot go. False: this resource stays behind; the rest moves. */
    blocksSubscription: Type.Boolean(),
    description: Type.String(),
  },
  { $id: 'AzureBlocker' },
);

export const RequestAzureTransferBody = Obj({
  subscriptionIds: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }),
});

export const AzureTransferView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    partnerId: Type.String(),
    createdAt: DateTime,
    lines: Type.Array(
      Type.Object({
        subscriptionId: Type.String(),
        friendlyName: Type.String(),
        kind: Type.String(),
        path: lit(['billing-transfer', 'resource-move'] as const),
        eligible: Type.Boolean(),
        /** blocked; awaiting-approval (billing transfer); ready (resource move); completed. */
        status: lit(['blocked', 'awaiting-approval', 'ready', 'completed'] as const),
        blockers: Type.Array(BlockerView),
        /** A resource move's new subscription under the partner's plan. */
        newSubscriptionId: Type.Union([Type.String(), Type.Null()]),
        completedAt: Type.Union([DateTime, Type.Null()]),
      }),
    ),
  },
  { $id: 'AzureTransfer' },
);
export const AzureTransferPage = Page(AzureTransferView, { $id: 'AzureTransferPage' });
export const AzureTransferParams = Obj({ id: Id });
export const ListQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

/** The Azure lines of a transition plan (SPEC §9): one per own subscription of the customer. */
export const AzurePlanLineView = Type.Object(
  {
    subscriptionId: Type.String(),
    friendlyName: Type.String(),
    kind: Type.String(),
    disposition: lit(['azure-billing-transfer', 'azure-resource-move'] as const),
    path: lit(['billing-transfer', 'resource-move'] as const),
    eligible: Type.Boolean(),
    blockers: Type.Array(BlockerView),
    resources: Type.Array(
      Type.Object({
        resourceId: Type.String(),
        resourceType: Type.String(),
        canMove: Type.Boolean(),
        downtimeRisk: Type.String(),
      }),
    ),
    azureTransferId: Type.Optional(Type.String()),
    azureTransferStatus: Type.Optional(Type.String()),
  },
  { $id: 'AzureCheckLine' },
);
