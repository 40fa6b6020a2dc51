import { Type } from '@sinclair/typebox';
import { PASSWORD_MAX_LENGTH } from '../../platform/auth/passwords.ts';
import { DateTime, Email, Id, NewPassword, NonEmpty, Obj, Page } from '../../platform/http/schemas.ts';

export const UserView = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    displayName: Type.String(),
    kind: Type.String(),
    roles: Type.Array(Type.String()),
    partnerId: Type.Optional(Type.String()),
    tenantId: Type.Optional(Type.String()),
    /** In lists of a partner's users, and after disabling or enabling one. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { $id: 'User' },
);

/** Sent as `x-csrf-token` on changing calls made with the session cookie (not needed with a bearer token). */
const CsrfToken = Type.String({
  description: 'Send as the x-csrf-token header on every non-GET call authenticated by the session cookie',
});

export const LoginBody = Obj({ email: Email, password: NonEmpty(200) });
export const LoginResponse = Type.Object(
  {
    token: Type.String(),
    expiresAt: DateTime,
    user: UserView,
    csrfToken: CsrfToken,
  },
  { $id: 'LoginResponse' },
);
/** The signed-in user, and the CSRF token of this session (the console reads it after a reload). */
export const MeView = Type.Composite(
  [
    UserView,
    Type.Object({
      csrfToken: CsrfToken,
      permissions: Type.Array(Type.String(), {
        description:
          "The actions (docs/permissions.md) the user's roles allow, from the permission table: the console shows what these permit",
      }),
    }),
  ],
  { $id: 'Me' },
);

export const CreateApiTokenBody = Obj({
  name: NonEmpty(100),
  /** At most TRASLADO_API_TOKEN_MAX_DAYS (default 365); more is refused with 400. */
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500 })),
});
export const ApiTokenView = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTime,
    expiresAt: DateTime,
    lastUsedAt: Type.Union([DateTime, Type.Null()]),
  },
  { $id: 'ApiToken' },
);
export const CreatedApiToken = Type.Composite([ApiTokenView, Type.Object({ token: Type.String() })]);
export const ApiTokenParams = Obj({ tokenId: Id });
export const ApiTokenPage = Page(ApiTokenView, { $id: 'ApiTokenPage' });

/** A password someone chooses (change, reset, set): the policy's length bounds. */
export const ChangePasswordBody = Obj({
  currentPassword: NonEmpty(PASSWORD_MAX_LENGTH),
  newPassword: NewPassword,
});
export const PasswordResetBody = Obj({ email: Email });
export const SetPasswordBody = Obj({
  token: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
  newPassword: NewPassword,
});
/** A one-time set-password link (console path and token), shown once. */
export const PasswordLinkView = Type.Object({
  url: Type.String(),
  token: Type.String(),
  expiresAt: DateTime,
});
