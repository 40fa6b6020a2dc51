import type { ErrorSpecs } from '../../platform/errors.ts';

/** Sign-in, API tokens and password links. */
export const AUTH_ERRORS = {
  invalid_credentials: {
    status: 401,
    en: 'The e-mail or password is not correct.',
    es: 'El correo electrónico o la contraseña no son correctos.',
  },
  api_token_not_found: { status: 404, en: 'No such API token.', es: 'No existe ese token de API.' },
  api_token_needs_session: {
    status: 403,
    en: 'API tokens are created from a signed-in session, not with another API token.',
    es: 'Los tokens de API se crean desde una sesión iniciada, no con otro token de API.',
  },
  api_token_lifetime_too_long: {
    status: 400,
    en: (p) => `An API token lives at most ${p.maxDays} days on this install; ask for fewer.`,
    es: (p) => `En esta instalación un token de API dura como máximo ${p.maxDays} días; pida menos.`,
  },
  current_password_invalid: {
    status: 403,
    en: 'The current password is not correct.',
    es: 'La contraseña actual no es correcta.',
  },
  password_link_invalid: {
    status: 404,
    en: 'This password link is not valid: it is malformed, altered or no longer usable.',
    es: 'Este enlace de contraseña no es válido: está mal formado, se ha alterado o ya no se puede usar.',
  },
  password_link_used: {
    status: 409,
    en: 'This password link was already used; a link works once.',
    es: 'Este enlace de contraseña ya se usó; un enlace solo funciona una vez.',
  },
  password_link_expired: {
    status: 410,
    en: 'This password link has expired; ask for a new one.',
    es: 'Este enlace de contraseña ha expirado; pida uno nuevo.',
  },
} satisfies ErrorSpecs;
