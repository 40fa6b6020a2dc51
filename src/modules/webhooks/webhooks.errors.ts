import type { ErrorSpecs } from '../../platform/errors.ts';

/** Outbound webhooks. */
export const WEBHOOKS_ERRORS = {
  webhook_not_found: {
    status: 404,
    en: 'No such webhook of your partner.',
    es: 'Su partner no tiene ningún webhook con ese identificador.',
  },
  webhook_delivery_not_found: {
    status: 404,
    en: 'No such delivery of this webhook.',
    es: 'Este webhook no tiene ninguna entrega con ese identificador.',
  },
  webhook_url_invalid: {
    status: 400,
    en: (p) =>
      p.httpsOnly
        ? 'The webhook URL must be an absolute https:// URL on this install.'
        : 'The webhook URL must be an absolute http:// or https:// URL.',
    es: (p) =>
      p.httpsOnly
        ? 'La URL del webhook debe ser una URL https:// completa en esta instalación.'
        : 'La URL del webhook debe ser una URL http:// o https:// completa.',
  },
  webhook_event_unknown: {
    status: 400,
    en: (p) => {
      const events = Array.isArray(p.events) ? (p.events as string[]) : [];
      return `Unknown event type${events.length === 1 ? '' : 's'}: ${events.join(', ')}.`;
    },
    es: (p) => {
      const events = Array.isArray(p.events) ? (p.events as string[]) : [];
      return `${events.length === 1 ? 'Tipo de evento desconocido' : 'Tipos de evento desconocidos'}: ${events.join(', ')}.`;
    },
  },
} as const satisfies ErrorSpecs;
