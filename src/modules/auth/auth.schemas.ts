import { Type } from '@sinclair/typebox';
import { DateTime, Email, Id, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  kind: Type.String(),
  roles: Type.Array(Type.String()),
  partnerId: Type.Optional(Type.String()),
  tenantId: Type.Optional(Type.String()),
});

/** Sent as `x-csrf-token` on changing calls made with the session cookie (not needed with a bearer token). */
const CsrfToken = Type.String({
  description: 'Send as the x-csrf-token header on every non-GET call authenticated by the session cookie',
});

export const LoginBody = Obj({ email: Email, password: NonEmpty(200) });
export const LoginResponse = Type.Object({
  token: Type.String(),
  expiresAt: DateTime,
  user: UserView,
  csrfToken: CsrfToken,
});
/** The signed-in user, and the CSRF token of this session (the console reads it after a reload). */
export const MeView = Type.Composite([UserView, Type.Object({ csrfToken: CsrfToken })]);

export const CreateApiTokenBody = Obj({
  name: NonEmpty(100),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
});
export const ApiTokenView = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  expiresAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
});
export const CreatedApiToken = Type.Composite([ApiTokenView, Type.Object({ token: Type.String() })]);
export const ApiTokenParams = Obj({ tokenId: Id });
export const ApiTokenPage = Page(ApiTokenView);
