import { Type } from '@sinclair/typebox';
import { GDAP_MAX_DAYS, GDAP_MIN_DAYS } from '../../domain/delegated-admin.ts';
import { DateTime, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

/** GDAP roles are named directory roles (e.g. "User Administrator"); any short name is kept as given. */
export const GdapRoles = Type.Array(NonEmpty(100), { minItems: 1, maxItems: 30, uniqueItems: true });
export const GdapDuration = Type.Integer({ minimum: GDAP_MIN_DAYS, maximum: GDAP_MAX_DAYS });

export const GdapRequestBody = Obj({
  roles: GdapRoles,
  durationDays: GdapDuration,
  autoExtend: Type.Optional(Type.Boolean()),
});

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const GrantView = Type.Object({
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
});
export const GrantPage = Page(GrantView);
export const GdapRequestView = Type.Composite([GrantView, Type.Object({ url: Type.String() })]);

export const PartnerDelegatedAdminView = Type.Object({
  tenantId: Type.String(),
  partnerId: Type.String(),
  /** True while an active DAP or GDAP lets this partner act on the customer's behalf. */
  canActOnBehalf: Type.Boolean(),
  grants: Type.Array(GrantView),
});

export const RevokeView = Type.Object({
  partnerId: Type.String(),
  tenantId: Type.String(),
  revokedGrantIds: Type.Array(Type.String()),
});

export const GrantParams = Obj({ id: Id });
export const PartnerParams = Obj({ partnerId: Id });
export const TenantPartnerParams = Obj({ tenantId: Id });
export const LegacyDapBody = Obj({ partnerId: Id });
