import { Type } from '@sinclair/typebox';
import { GDAP_MAX_DAYS, GDAP_MIN_DAYS } from '../../domain/delegated-admin.ts';
import { DateTime, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

/** GDAP roles are directory roles from the fixed list (GET /api/delegated-admin/roles); others are refused with 400. */
export const GdapRoles = Type.Array(NonEmpty(100), { minItems: 1, maxItems: 30, uniqueItems: true });
export const GdapDuration = Type.Integer({ minimum: GDAP_MIN_DAYS, maximum: GDAP_MAX_DAYS });

export const GdapRequestBody = Obj({
  roles: GdapRoles,
  durationDays: GdapDuration,
  autoExtend: Type.Optional(Type.Boolean()),
});

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const GrantView = Type.Object(
  {
    id: Type.String(),
    partnerId: Type.String(),
    tenantId: Type.String(),
    kind: Type.Union([Type.Literal('dap'), Type.Literal('gdap')]),
    roles: Type.Array(Type.String()),
    durationDays: Type.Union([Type.Integer(), Type.Null()]),
    autoExtend: Type.Boolean(),
    status: Type.Union([
      Type.Literal('requested'),
      Type.Literal('active'),
      Type.Literal('expired'),
      Type.Literal('declined'),
      Type.Literal('revoked'),
      Type.Literal('removed'),
    ]),
    requestedAt: DateTime,
    approvedAt: Nullable(DateTime),
    /** The end in force now (auto-extension applied); null for DAP. */
    expiresAt: Nullable(DateTime),
    requestExpiresAt: Nullable(DateTime),
    endedAt: Nullable(DateTime),
  },
  { $id: 'Grant' },
);
export const GrantPage = Page(GrantView, { $id: 'GrantPage' });
export const GdapRequestView = Type.Composite([GrantView, Type.Object({ url: Type.String() })]);

export const PartnerDelegatedAdminView = Type.Object(
  {
    tenantId: Type.String(),
    partnerId: Type.String(),
    /** True while an active DAP or GDAP lets this partner act on the customer's behalf. */
    canActOnBehalf: Type.Boolean(),
    /** The directory roles the caller acts with in this tenant (its security groups' roles there). */
    myRoles: Type.Array(Type.String()),
    grants: Type.Array(GrantView),
    /** Which of the partner's security groups hold which of each grant's roles. */
    assignments: Type.Array(
      Type.Object({ grantId: Type.String(), groupId: Type.String(), roles: Type.Array(Type.String()) }),
    ),
  },
  { $id: 'PartnerDelegatedAdmin' },
);

export const DirectoryRoleView = Type.Object({
  name: Type.String(),
  nameEs: Type.String(),
  templateId: Type.String(),
  allows: Type.String(),
  allowsEs: Type.String(),
  tasks: Type.Array(Type.String()),
});
export const DirectoryRoleList = Type.Object({
  items: Type.Array(DirectoryRoleView),
  templates: Type.Array(Type.Object({ id: Type.String(), roles: Type.Array(Type.String()) })),
});

const RoleNames = Type.Array(NonEmpty(100), { maxItems: 30, uniqueItems: true });
export const SecurityGroupBody = Obj({
  name: NonEmpty(100),
  memberUserIds: Type.Array(Id, { maxItems: 500, uniqueItems: true }),
  /** Roles this group gets on every GDAP grant that carries them, once the grant is active. */
  autoAssignRoles: Type.Optional(RoleNames),
});
export const SecurityGroupMembersBody = Obj({
  memberUserIds: Type.Array(Id, { maxItems: 500, uniqueItems: true }),
});
export const SecurityGroupView = Type.Object({
  id: Type.String(),
  partnerId: Type.String(),
  name: Type.String(),
  memberUserIds: Type.Array(Type.String()),
  autoAssignRoles: Type.Array(Type.String()),
  createdAt: DateTime,
});
export const SecurityGroupList = Type.Object({ items: Type.Array(SecurityGroupView) });
export const AssignmentsBody = Obj({
  assignments: Type.Array(Obj({ groupId: Id, roles: RoleNames }), { maxItems: 100 }),
});
export const AssignmentsView = Type.Object({
  grantId: Type.String(),
  tenantId: Type.String(),
  assignments: Type.Array(Type.Object({ groupId: Type.String(), roles: Type.Array(Type.String()) })),
});
export const GroupParams = Obj({ id: Id });
export const TenantGrantParams = Obj({ tenantId: Id, grantId: Id });

export const RevokeView = Type.Object({
  partnerId: Type.String(),
  tenantId: Type.String(),
  revokedGrantIds: Type.Array(Type.String()),
});

export const GrantParams = Obj({ id: Id });
export const PartnerParams = Obj({ partnerId: Id });
export const TenantPartnerParams = Obj({ tenantId: Id });
export const LegacyDapBody = Obj({ partnerId: Id });
