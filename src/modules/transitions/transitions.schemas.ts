import { Type } from '@sinclair/typebox';
import { ListPage, listQueryFields } from '../../platform/http/list.ts';
import { DateTime, DateTimeInput, Id, Obj, Page, PageQuery, Str } from '../../platform/http/schemas.ts';
import { AzurePlanLineView } from '../azure/index.ts';
import { TRANSITION_GROUPS } from './transitions.repo.ts';

const Provision = Type.Union([Type.Literal('now'), Type.Literal('before-end')]);

export const PlanOptionsBody = Obj({
  options: Type.Optional(
    Obj({
      quantity: Type.Optional(Type.Union([Type.Literal('same'), Type.Literal('assigned')])),
      disposition: Type.Optional(
        Type.Union([Type.Literal('let-expire'), Type.Literal('cancel-now'), Type.Literal('cancel-on-date')]),
      ),
      cancelOn: Type.Optional(DateTimeInput),
      acknowledgments: Type.Optional(
        Type.Array(
          Obj({
            sourceSubscriptionId: Id,
            substituteOfferId: Type.Optional(Id),
            addOnOfferIds: Type.Optional(Type.Array(Id, { maxItems: 2 })),
          }),
          { maxItems: 200 },
        ),
      ),
      /** When to buy every line's target (default: each line's recommended date). */
      provision: Type.Optional(Provision),
      /** When to buy, per line (wins over `provision`). */
      lineProvision: Type.Optional(
        Type.Array(Obj({ sourceSubscriptionId: Id, provision: Provision }), { maxItems: 200 }),
      ),
    }),
  ),
});

/** Every money amount (API.md, second round): minor units of `currency`. */
export const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() }, { $id: 'Money' });

export const ReasonView = Type.Object(
  {
    code: Type.String(),
    params: Type.Record(Type.String(), Type.Unknown()),
    text: Type.String(),
    textEs: Type.String(),
  },
  { $id: 'Reason' },
);

export const LineView = Type.Object(
  {
    sourceSubscriptionId: Type.String(),
    sourceOfferId: Type.String(),
    sourceSkuId: Type.String(),
    channel: Type.String(),
    targetOfferId: Type.Union([Type.String(), Type.Null()]),
    addOnOfferIds: Type.Array(Type.String()),
    targetSkuIds: Type.Array(Type.String()),
    choice: Type.String(),
    quantity: Type.Integer(),
    assignedSeats: Type.Integer(),
    reassignLicenses: Type.Boolean(),
    reassignments: Type.Array(
      Type.Object({
        userId: Type.String(),
        userPrincipalName: Type.String(),
        fromSkuId: Type.String(),
        toSkuIds: Type.Array(Type.String()),
        excludedPlanIds: Type.Array(Type.String()),
      }),
    ),
    disposition: Type.String(),
    /** For an `under-way` line: the transition that already moves this source (null: another partner's). */
    transitionId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    sourceActor: Type.String(),
    provisionAt: DateTime,
    provisionOn: Type.String({ format: 'date' }),
    provisionOptions: Type.Array(Type.Object({ when: Type.String(), on: DateTime, overlapCost: Money })),
    provision: Type.String(),
    recommendedProvision: Type.String(),
    cancellable: Type.Boolean(),
    sourceEndsAt: DateTime,
    lossIfCancelledNow: Money,
    overlapCost: Money,
    /** The target's currency (the tenant's market's) and the source's. */
    currency: Type.String(),
    sourceCurrency: Type.String(),
    creditEligible: Type.Boolean(),
    creditFiledBy: Type.Optional(Type.String()),
    creditAmount: Type.Optional(Money),
    creditCurrency: Type.Optional(Type.String()),
    workloadsGained: Type.Array(Type.String()),
    workloadsAtRisk: Type.Array(Type.String()),
    plansAtRisk: Type.Array(Type.String()),
    usersAtRisk: Type.Integer(),
    featuresLost: Type.Array(Type.String()),
    lowerTier: Type.Array(Type.Record(Type.String(), Type.String())),
    verdict: Type.String(),
    reasons: Type.Array(ReasonView),
    /** The directory roles this line's partner steps need (SPEC §3.8, §10). */
    requiredRoles: Type.Array(Type.String()),
    /** Whether the person who planned may run every partner step of the line; what they lack (partner or directory roles). */
    appliedBy: Type.Object({ canApply: Type.Boolean(), missing: Type.Array(Type.String()) }),
  },
  { $id: 'PlanLine' },
);

export const TransitionView = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    /** Its customer, by name (`GET /api/transitions/{id}`). */
    customer: Type.Optional(
      Type.Object({ tenantId: Type.String(), companyName: Type.String(), defaultDomain: Type.String() }),
    ),
    /** What its done provision steps bought: orders and subscriptions (`GET /api/transitions/{id}`). */
    bought: Type.Optional(
      Type.Object({ orders: Type.Array(Type.String()), subscriptions: Type.Array(Type.String()) }),
    ),
    partnerId: Type.String(),
    status: Type.String(),
    verdict: Type.String(),
    path: Type.String(),
    plannedAt: DateTime,
    reasons: Type.Array(ReasonView),
    lines: Type.Array(LineView),
    timeline: Type.Array(
      Type.Object({ at: DateTime, step: Type.String(), lineIndex: Type.Integer(), actor: Type.String() }),
    ),
    seats: Type.Array(
      Type.Object({
        skuId: Type.String(),
        points: Type.Array(Type.Object({ at: DateTime, pool: Type.Integer(), assigned: Type.Integer() })),
      }),
    ),
    /** One entry per currency: sums never mix currencies (SPEC §11). */
    totals: Type.Array(
      Type.Object({
        currency: Type.String(),
        quantity: Type.Integer(),
        sourceSeats: Type.Integer(),
        overlapCost: Money,
        lossIfCancelledNow: Money,
      }),
    ),
    /** SPEC §9: one line per Azure subscription the customer holds on its own: its path and blockers. */
    azure: Type.Array(AzurePlanLineView),
    steps: Type.Array(
      Type.Object({
        key: Type.String(),
        kind: Type.String(),
        lineIndex: Type.Union([Type.Integer(), Type.Null()]),
        actor: Type.String(),
        dueAt: DateTime,
        status: Type.String(),
        attempts: Type.Integer(),
        error: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
  },
  { $id: 'Transition' },
);

export const TransitionSummary = Type.Object(
  {
    id: Type.String(),
    status: Type.String(),
    verdict: Type.String(),
    plannedAt: DateTime,
    lines: Type.Integer(),
  },
  { $id: 'TransitionSummary' },
);

export const TransitionParams = Obj({ transitionId: Id });
export const TransitionPage = Page(TransitionSummary, { $id: 'TransitionSummaryPage' });
export const TransitionListQuery = PageQuery;

const TaskSku = Type.Object({
  skuId: Type.String(),
  skuPartNumber: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
});

export const CustomerTaskPage = Page(
  Type.Object({
    // Null for tasks outside a transition (seats over-assigned after a reduction).
    transitionId: Type.Union([Type.String(), Type.Null()]),
    step: Type.String(),
    /** waiting: the customer's to do now; upcoming: on `dueAt`. */
    status: Type.Union([Type.Literal('waiting'), Type.Literal('upcoming')]),
    partner: Type.Object({ id: Type.String(), name: Type.String() }),
    subscriptionId: Type.Union([Type.String(), Type.Null()]),
    dueAt: DateTime,
    detail: Type.Record(Type.String(), Type.Unknown()),
    /** For a license move: every user, the SKUs to assign and the SKU to remove. */
    users: Type.Optional(
      Type.Array(
        Type.Object({
          userId: Type.String(),
          userPrincipalName: Type.String(),
          assign: Type.Array(TaskSku),
          remove: TaskSku,
        }),
      ),
    ),
  }),
  { $id: 'CustomerTaskPage' },
);

const Group = Type.Union(TRANSITION_GROUPS.map((g) => Type.Literal(g)));

/** `GET /api/transitions`: the partner's book, filtered (API.md "Lists"). */
export const BookQuery = Obj({
  ...listQueryFields,
  status: Type.Optional(
    Type.Union(['planned', 'applying', 'waiting', 'applied', 'failed'].map((s) => Type.Literal(s))),
  ),
  group: Type.Optional(Group),
  tenantId: Type.Optional(Id),
  q: Type.Optional(Str(100)),
  /** Only the transitions a bulk plan run created. */
  runId: Type.Optional(Id),
});

export const BookItemView = Type.Object({
  id: Type.String(),
  customer: Type.Object({
    tenantId: Type.String(),
    companyName: Type.String(),
    defaultDomain: Type.String(),
  }),
  tenantId: Type.String(),
  verdict: Type.String(),
  status: Type.String(),
  group: Group,
  lines: Type.Integer(),
  plannedAt: DateTime,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const BookPage = ListPage(BookItemView);

const RunCounts = Type.Object({
  ready: Type.Integer(),
  'needs-acknowledgment': Type.Integer(),
  blocked: Type.Integer(),
  refused: Type.Integer(),
  'under-way': Type.Integer(),
});
const BulkRunSummary = Type.Object({
  id: Type.String(),
  createdAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
  customers: Type.Integer(),
  counts: RunCounts,
});
export const BulkRunQuery = Obj({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export const BulkRunParams = Obj({ runId: Id });
export const BulkRunPage = Page(BulkRunSummary);
export const BulkRunView = Type.Composite([
  BulkRunSummary,
  Type.Object({
    items: Type.Array(
      Type.Object({
        tenantId: Type.String(),
        companyName: Type.Union([Type.String(), Type.Null()]),
        transitionId: Type.Union([Type.String(), Type.Null()]),
        verdict: Type.String(),
        reasons: Type.Array(
          Type.Object({
            code: Type.String(),
            params: Type.Record(Type.String(), Type.Unknown()),
            line: Type.Optional(Type.Integer()),
            text: Type.String(),
            textEs: Type.String(),
          }),
        ),
      }),
    ),
  }),
]);
