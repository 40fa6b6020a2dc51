import { Type } from '@sinclair/typebox';
import { DateTime, Obj } from '../../platform/http/schemas.ts';

export const IndirectInvitationParams = Obj({ token: Type.String({ minLength: 1, maxLength: 200 }) });

/** The link is shown once, at creation: only a hash of its token is kept. */
export const IndirectInvitationView = Type.Object({
  id: Type.String(),
  token: Type.String(),
  url: Type.String(),
  expiresAt: DateTime,
});

export const IndirectLinkView = Type.Object({
  providerId: Type.String(),
  providerName: Type.String(),
  resellerId: Type.String(),
  status: Type.Literal('active'),
});

const LinkStatus = Type.Union([Type.Literal('active'), Type.Literal('removed')]);

export const IndirectResellerPage = Type.Object({
  items: Type.Array(
    Type.Object({
      resellerId: Type.String(),
      name: Type.String(),
      status: LinkStatus,
      linkedAt: DateTime,
      /** What the provider sold for this reseller: live subscriptions, their seats, customers. */
      sold: Type.Object({ subscriptions: Type.Integer(), seats: Type.Integer(), customers: Type.Integer() }),
    }),
  ),
  nextCursor: Type.Null(),
});

export const IndirectProviderPage = Type.Object({
  items: Type.Array(
    Type.Object({ providerId: Type.String(), name: Type.String(), status: LinkStatus, linkedAt: DateTime }),
  ),
  nextCursor: Type.Null(),
});
