import { Type } from '@sinclair/typebox';
import {
  Country,
  DateTime,
  Email,
  Id,
  NewPassword,
  NonEmpty,
  Obj,
  Page,
} from '../../platform/http/schemas.ts';
import { UserView } from '../auth/index.ts';

export const PartnerView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    country: Type.String(),
    region: Type.String(),
    kind: Type.String(),
    /** Certified Azure expert managed services provider: may take enterprise Azure by billing transfer (SPEC §9). */
    azureExpertMsp: Type.Boolean(),
    createdAt: DateTime,
  },
  { $id: 'Partner' },
);
export const PartnerPage = Page(PartnerView);

const PartnerRole = Type.Union([
  Type.Literal('account-admin'),
  Type.Literal('admin-agent'),
  Type.Literal('sales-agent'),
  Type.Literal('billing-agent'),
]);

export const NewAccount = Obj({
  email: Email,
  password: NewPassword,
  displayName: Type.Optional(NonEmpty(200)),
});

export const CreatePartnerBody = Obj({
  name: NonEmpty(200),
  country: Country,
  kind: Type.Optional(
    Type.Union([
      Type.Literal('direct-bill'),
      Type.Literal('indirect-provider'),
      Type.Literal('indirect-reseller'),
    ]),
  ),
  /** Certified Azure expert managed services provider (SPEC §9). */
  azureExpertMsp: Type.Optional(Type.Boolean()),
  admin: Type.Optional(NewAccount),
});

export const AddPartnerUserBody = Obj({
  email: Email,
  password: NewPassword,
  displayName: Type.Optional(NonEmpty(200)),
  roles: Type.Array(PartnerRole, { minItems: 1, maxItems: 4, uniqueItems: true }),
});
export const SetRolesBody = Obj({
  roles: Type.Array(PartnerRole, { minItems: 1, maxItems: 4, uniqueItems: true }),
});
export const UserParams = Obj({ userId: Id });
export const UserAccessBody = Obj({ disabled: Type.Boolean() });
export const UserPage = Page(UserView);
