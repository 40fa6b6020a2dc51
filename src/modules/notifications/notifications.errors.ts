import type { ErrorSpecs } from '../../platform/errors.ts';

/** In-app notifications. */
export const NOTIFICATIONS_ERRORS = {
  notification_not_found: {
    status: 404,
    en: 'No such notification of yours.',
    es: 'No tiene ninguna notificación con ese identificador.',
  },
} as const satisfies ErrorSpecs;
