/**
 * The platform's error codes: bad requests, sign-in, roles, idempotency, rate limits, the
 * clock, and what the database or the server itself refuses. Modules keep theirs in
 * `src/modules/<noun>/<noun>.errors.ts`; `http/error-table.ts` composes them.
 */
import { actionText, list, seconds, when } from './error-words.ts';
import type { ErrorSpecs } from './errors.ts';
import { invalidRequestText } from './http/validation.ts';

export const PLATFORM_ERRORS = {
  invalid_request: {
    status: 400,
    en: (p) => invalidRequestText(p, 'en'),
    es: (p) => invalidRequestText(p, 'es'),
  },
  invalid_sort: {
    status: 400,
    en: (p) =>
      `This list cannot be sorted by "${String(p.sort ?? '').replace(/^-/, '')}"; sort it by ${list(p.allowed, 'en')} (add a leading "-" for descending order).`,
    es: (p) =>
      `Esta lista no se puede ordenar por «${String(p.sort ?? '').replace(/^-/, '')}»; ordénela por ${list(p.allowed, 'es')} (con un «-» delante, en orden descendente).`,
  },
  malformed_json: {
    status: 400,
    en: 'The request body is not valid JSON.',
    es: 'El cuerpo de la solicitud no es JSON válido.',
  },
  unsupported_media_type: {
    status: 415,
    en: 'Send the request body as application/json.',
    es: 'Envíe el cuerpo de la solicitud como application/json.',
  },
  payload_too_large: {
    status: 413,
    en: 'The request body is too large.',
    es: 'El cuerpo de la solicitud es demasiado grande.',
  },
  uri_too_long: {
    status: 414,
    en: 'A part of the URL is too long.',
    es: 'Una parte de la URL es demasiado larga.',
  },
  not_found: { status: 404, en: 'No such resource.', es: 'No existe ese recurso.' },
  method_not_allowed: {
    status: 405,
    en: 'This method is not allowed here.',
    es: 'Este método no está permitido aquí.',
  },
  unauthenticated: {
    status: 401,
    en: 'Sign in first: the token is missing, expired or revoked.',
    es: 'Inicie sesión primero: el token falta, ha expirado o se ha revocado.',
  },
  too_many_login_attempts: {
    status: 429,
    en: (p) =>
      `Too many failed sign-ins for this account; try again ${
        typeof p.retryAfterSeconds === 'number' ? `in ${seconds(p.retryAfterSeconds, 'en')}` : 'later'
      }.`,
    es: (p) =>
      `Demasiados inicios de sesión fallidos para esta cuenta; inténtelo de nuevo ${
        typeof p.retryAfterSeconds === 'number' ? `en ${seconds(p.retryAfterSeconds, 'es')}` : 'más tarde'
      }.`,
  },
  forbidden: {
    status: 403,
    en: (p) => {
      const act = actionText(p.action, 'en');
      return act ? `Your role does not allow you to ${act}.` : 'Your role does not allow this.';
    },
    es: (p) => {
      const act = actionText(p.action, 'es');
      return act ? `Su rol no le permite ${act}.` : 'Su rol no le permite hacer esto.';
    },
  },
  idempotency_key_reused: {
    status: 409,
    en: 'This Idempotency-Key was already used with a different request body.',
    es: 'Esta Idempotency-Key ya se usó con un cuerpo de solicitud distinto.',
  },
  idempotency_key_invalid: {
    status: 400,
    en: 'The Idempotency-Key must be 1 to 128 visible characters.',
    es: 'La Idempotency-Key debe tener de 1 a 128 caracteres visibles.',
  },
  idempotency_key_unreadable: {
    status: 409,
    en: "This Idempotency-Key's first answer was sealed under another secret and cannot be replayed; use a new key.",
    es: 'La primera respuesta a esta Idempotency-Key se selló con otro secreto y no se puede repetir; use una clave nueva.',
  },
  conflict: {
    status: 409,
    en: 'The resource changed meanwhile; try again.',
    es: 'El recurso cambió mientras tanto; inténtelo de nuevo.',
  },
  rate_limited: {
    status: 429,
    en: (p) =>
      `Too many requests; try again ${
        typeof p.retryAfterSeconds === 'number' ? `in ${seconds(p.retryAfterSeconds, 'en')}` : 'shortly'
      }.`,
    es: (p) =>
      `Demasiadas solicitudes; inténtelo de nuevo ${
        typeof p.retryAfterSeconds === 'number' ? `en ${seconds(p.retryAfterSeconds, 'es')}` : 'en breve'
      }.`,
  },
  csrf_token_invalid: {
    status: 403,
    en: "This change needs your session's security token (the x-csrf-token header, from GET /api/auth/me); reload the page and try again.",
    es: 'Este cambio necesita el token de seguridad de su sesión (el encabezado x-csrf-token, de GET /api/auth/me); recargue la página e inténtelo de nuevo.',
  },
  clock_backwards: {
    status: 422,
    en: (p) => `The clock only moves forward (it is ${when(p.now)}; you asked for ${when(p.requested)}).`,
    es: (p) => `El reloj solo avanza (ahora es ${when(p.now)}; pidió ${when(p.requested)}).`,
  },
  clock_out_of_range: {
    status: 422,
    en: (p) => `The clock cannot move past ${when(p.max)}.`,
    es: (p) => `El reloj no puede pasar de ${when(p.max)}.`,
  },
  internal_error: {
    status: 500,
    en: 'Something went wrong on our side; the change was not made.',
    es: 'Algo ha fallado de nuestro lado; no se ha hecho el cambio.',
  },
  service_unavailable: {
    status: 503,
    en: 'The database is not reachable right now; try again shortly.',
    es: 'La base de datos no está disponible ahora mismo; inténtelo de nuevo en breve.',
  },
  metrics_unauthorized: {
    status: 401,
    en: 'Send the metrics token as a bearer token, or sign in as the operator.',
    es: 'Envíe el token de métricas como token de portador, o inicie sesión como operador.',
  },
} satisfies ErrorSpecs;
