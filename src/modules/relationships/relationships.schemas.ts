import { Type } from '@sinclair/typebox';
import { Cursor, DateTime, Domain, Email, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';
import { GdapDuration, GdapRoles, GrantView } from '../delegated-admin/index.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/** Since October 2023 an invitation asks for GDAP only (named roles and a duration), never full DAP. */
export const InvitationDelegatedAdmin = Obj({
  roles: GdapRoles,
  durationDays: GdapDuration,
  autoExtend: Type.Optional(Type.Boolean()),
});

export const RelationshipRequestBody = Obj({
  tenantId: Type.Optional(Id),
  domain: Type.Optional(Domain),
  delegatedAdmin: Type.Optional(InvitationDelegatedAdmin),
  /** An indirect reseller asks through one of its providers: accepting relates both (SPEC §7). */
  indirectProviderId: Type.Optional(Id),
  /** Also e-mail the link to this address (the customer's admin), when SMTP is configured. */
  email: Type.Optional(Email),
});

const RequestStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('accepted'),
  Type.Literal('declined'),
  Type.Literal('expired'),
  Type.Literal('withdrawn'),
]);

const DelegatedAdminAsked = Type.Union([
  Type.Object({ roles: Type.Array(Type.String()), durationDays: Type.Integer(), autoExtend: Type.Boolean() }),
  Type.Null(),
]);

export const RelationshipRequestView = Type.Object(
  {
    id: Type.String(),
    status: RequestStatus,
    /** The tenant asked (null for a prospect until one accepts). */
    tenantId: Nullable(Type.String()),
    /** The customer the request is for (null for a prospect until one accepts). */
    customer: Type.Union([
      Type.Object({
        /** The company's name, once the customer accepted; until then only the domain asked. */
        name: Type.Union([Type.String(), Type.Null()]),
        domain: Type.String(),
      }),
      Type.Null(),
    ]),
    delegatedAdmin: DelegatedAdminAsked,
    /** Reseller invitations never carry legacy full delegated admin. */
    dap: Type.Literal(false),
    createdAt: DateTime,
    expiresAt: DateTime,
    respondedAt: Nullable(DateTime),
    relationshipId: Nullable(Type.String()),
    /** The indirect provider the reseller asks through, if any. */
    indirectProviderId: Nullable(Type.String()),
  },
  { $id: 'RelationshipRequest' },
);
export const RelationshipRequestPage = Page(RelationshipRequestView);

/** The link is shown once, at creation: only a hash of the token is kept. */
export const CreatedRelationshipRequest = Type.Composite([
  RelationshipRequestView,
  Type.Object({ url: Type.String(), token: Type.String(), emailed: Type.Optional(Type.Boolean()) }),
]);

export const RelationshipRequestsQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  status: Type.Optional(RequestStatus),
});

/** Ending a relationship is destructive: the partner says why (kept in the audit trail). */
export const RemoveRelationshipBody = Obj({ reason: NonEmpty(500) });

export const RequestParams = Obj({ id: Id });
export const TokenParams = Obj({ token: Type.String({ minLength: 1, maxLength: 200 }) });
export const PartnerParams = Obj({ partnerId: Id });

/** What the customer sees before answering: who asks, and for what. Nothing else. */
export const InvitationView = Type.Object(
  {
    kind: Type.Literal('reseller-relationship'),
    partner: Type.Object({
      name: Type.String(),
      country: Type.String(),
      region: Type.String(),
      regionName: Type.String(),
    }),
    dap: Type.Literal(false),
    delegatedAdmin: DelegatedAdminAsked,
    /** A reseller asking through its provider: accepting gives both a relationship. */
    indirectProvider: Type.Union([Type.Object({ name: Type.String() }), Type.Null()]),
    expiresAt: DateTime,
  },
  { $id: 'Invitation' },
);

export const RelationshipView = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  tenantId: Type.String(),
  status: Type.String(),
  acceptedAt: DateTime,
  removedAt: Nullable(DateTime),
});

export const AcceptedInvitationView = Type.Object({
  relationship: RelationshipView,
  delegatedAdmin: Type.Union([GrantView, Type.Null()]),
});
export const DeclinedInvitationView = Type.Object({ status: Type.Literal('declined') });

export const TenantPartnerView = Type.Object(
  {
    partner: Type.Object({
      id: Type.String(),
      name: Type.String(),
      country: Type.String(),
      region: Type.String(),
      kind: Type.String(),
    }),
    relationship: Type.Object({ id: Type.String(), status: Type.String(), acceptedAt: DateTime }),
    delegatedAdmin: Type.Object({ canActOnBehalf: Type.Boolean(), grants: Type.Array(GrantView) }),
  },
  { $id: 'TenantPartner' },
);
export const TenantPartnerPage = Page(TenantPartnerView);
