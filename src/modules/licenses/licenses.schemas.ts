import { Type } from '@sinclair/typebox';
import { DateTime, Id, Obj, Page } from '../../platform/http/schemas.ts';
import { Guid, ServicePlanView } from '../catalog/index.ts';

export const LicenseInput = Obj({
  skuId: Guid,
  excludedPlans: Type.Optional(Type.Array(Guid, { maxItems: 100, uniqueItems: true })),
});

export const LicenseUpdateBody = Obj(
  {
    assign: Type.Array(LicenseInput, { maxItems: 50 }),
    remove: Type.Array(Guid, { maxItems: 50, uniqueItems: true }),
  },
  { required: ['assign', 'remove'] },
);

export const BulkLicenseUpdateBody = Obj({
  updates: Type.Array(
    Obj(
      {
        userId: Id,
        assign: Type.Array(LicenseInput, { maxItems: 50 }),
        remove: Type.Array(Guid, { maxItems: 50, uniqueItems: true }),
      },
      { required: ['userId', 'assign', 'remove'] },
    ),
    { minItems: 1, maxItems: 200 },
  ),
});

export const UserParams = Obj({ tenantId: Id, userId: Id });

export const LicenseView = Type.Object(
  {
    skuId: Type.String(),
    skuPartNumber: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    excludedPlans: Type.Array(Type.String()),
    assignedAt: DateTime,
    /** False when the SKU's pool holds fewer seats than assignments and this user is among the latest. */
    hasAccess: Type.Boolean(),
    /** The SKU's service plans minus the excluded ones. */
    servicePlans: Type.Array(ServicePlanView),
  },
  { $id: 'UserLicense' },
);

export const LicensedUserView = Type.Object(
  {
    id: Type.String(),
    userPrincipalName: Type.String(),
    displayName: Type.String(),
    licenses: Type.Array(LicenseView),
    hasAccess: Type.Boolean(),
  },
  { $id: 'TenantUser' },
);
export const LicensedUserPage = Page(LicensedUserView, { $id: 'TenantUserPage' });
export const LicensedUserList = Type.Object({
  items: Type.Array(LicensedUserView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const SeatPoolView = Type.Object(
  {
    skuId: Type.String(),
    skuPartNumber: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    seats: Type.Integer(),
    assigned: Type.Integer(),
    available: Type.Integer(),
    /** Seats removed by a reduction whose assigned users keep access until `graceEndsAt` (earliest). */
    graceSeats: Type.Integer(),
    graceEndsAt: Type.Union([DateTime, Type.Null()]),
    usersWithoutAccess: Type.Array(Type.Object({ id: Type.String(), userPrincipalName: Type.String() })),
  },
  { $id: 'SeatPool' },
);
export const SeatPoolPage = Page(SeatPoolView, { $id: 'SeatPoolPage' });
