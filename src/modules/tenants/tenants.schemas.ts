import { Type } from '@sinclair/typebox';
import { ListPage, listQueryFields } from '../../platform/http/list.ts';
import {
  Country,
  Cursor,
  DateTime,
  Domain,
  Email,
  NewPassword,
  NonEmpty,
  Obj,
  Page,
  Str,
} from '../../platform/http/schemas.ts';
import { PasswordLinkView } from '../auth/index.ts';

export const RelationshipSummary = Type.Union([
  Type.Object({ id: Type.String(), status: Type.String(), acceptedAt: DateTime }),
  Type.Null(),
]);

export const TenantView = Type.Object(
  {
    id: Type.String(),
    companyName: Type.String(),
    defaultDomain: Type.String(),
    country: Type.String(),
    region: Type.String(),
    createdAt: DateTime,
    relationship: Type.Optional(RelationshipSummary),
  },
  { $id: 'Customer' },
);
export const TenantPage = Page(TenantView);
export const TenantListPage = ListPage(TenantView);

const Upn = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' });
const Guid = Type.String({
  minLength: 36,
  maxLength: 36,
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
});
export const DirectoryUserBody = Obj({
  userPrincipalName: Upn,
  displayName: NonEmpty(200),
  /** SKUs to assign at once, from the tenant's seat pools (checked like a license update). */
  licenses: Type.Optional(
    Type.Array(
      Obj({
        skuId: Guid,
        excludedPlans: Type.Optional(Type.Array(Guid, { maxItems: 100, uniqueItems: true })),
      }),
      { maxItems: 50 },
    ),
  ),
});
export const DirectoryUserView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  userPrincipalName: Type.String(),
  displayName: Type.String(),
  licenses: Type.Optional(
    Type.Array(
      Type.Object({
        skuId: Type.String(),
        excludedPlans: Type.Array(Type.String()),
        hasAccess: Type.Boolean(),
      }),
    ),
  ),
});

const tenantFields = {
  companyName: NonEmpty(200),
  defaultDomain: Domain,
  country: Country,
  users: Type.Optional(Type.Array(DirectoryUserBody, { maxItems: 1000 })),
};
/** The operator's: `admin.password` stays (demo and test installs seed with it); left out, a link. */
export const CreateTenantBody = Obj({
  ...tenantFields,
  admin: Type.Optional(
    Obj({
      email: Email,
      password: Type.Optional(NewPassword),
      displayName: Type.Optional(NonEmpty(200)),
    }),
  ),
});
/** A partner's: the customer's admin takes no password; it sets its own through the link answered. */
export const CreateCustomerBody = Obj({
  ...tenantFields,
  admin: Type.Optional(Obj({ email: Email, displayName: Type.Optional(NonEmpty(200)) })),
});
export const CreatedTenantView = Type.Composite([
  TenantView,
  Type.Object({
    adminPasswordLink: Type.Optional(PasswordLinkView),
  }),
]);

export const CustomersQuery = Obj({
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  search: Type.Optional(Str(100)),
});

export const CreateTenantAccountBody = Obj({
  email: Email,
  password: NewPassword,
  displayName: Type.Optional(NonEmpty(200)),
  roles: Type.Array(Type.Union([Type.Literal('global-admin'), Type.Literal('tenant-user')]), {
    minItems: 1,
    maxItems: 2,
    uniqueItems: true,
  }),
});

/** `GET /api/customers`: search (`q`, or `search` as before), country, sort, paging, CSV. */
export const CustomerListQuery = Obj({
  ...listQueryFields,
  search: Type.Optional(Str(100)),
  q: Type.Optional(Str(100)),
  country: Type.Optional(Country),
});
