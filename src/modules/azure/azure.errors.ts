import type { ErrorSpecs } from '../../platform/errors.ts';

const codes = (p: Record<string, unknown>) =>
  Array.isArray(p.codes) ? (p.codes as string[]).join(', ') : '';

/** The Azure plan and moving a customer's own Azure into CSP (SPEC §9). */
export const AZURE_ERRORS = {
  azure_plan_not_found: {
    status: 404,
    en: 'This customer has no Azure plan with you.',
    es: 'Este cliente no tiene un plan de Azure con usted.',
  },
  azure_plan_required: {
    status: 422,
    en: "Create the customer's Azure plan first.",
    es: 'Cree primero el plan de Azure del cliente.',
  },
  azure_subscription_not_found: {
    status: 404,
    en: (p) => `No such Azure subscription${p.subscriptionId ? ` ${p.subscriptionId}` : ''}.`,
    es: (p) => `No existe la suscripción de Azure${p.subscriptionId ? ` ${p.subscriptionId}` : ''}.`,
  },
  azure_subscription_not_yours: {
    status: 403,
    en: 'This Azure subscription is not under your Azure plan: only its own owner can change it.',
    es: 'Esta suscripción de Azure no está en su plan de Azure: solo su propietario puede cambiarla.',
  },
  azure_subscription_deleted: {
    status: 409,
    en: 'This Azure subscription was deleted; it cannot change any more.',
    es: 'Esta suscripción de Azure se eliminó; ya no se puede cambiar.',
  },
  azure_subscription_not_own: {
    status: 422,
    en: (p) =>
      `Azure subscription ${p.subscriptionId} is already under a partner's Azure plan: only the customer's own subscriptions move into CSP.`,
    es: (p) =>
      `La suscripción de Azure ${p.subscriptionId} ya está en el plan de Azure de un partner: solo las suscripciones propias del cliente pasan a CSP.`,
  },
  azure_transfer_not_found: {
    status: 404,
    en: 'No such Azure transfer.',
    es: 'No existe esa transferencia de Azure.',
  },
  azure_transfer_open: {
    status: 409,
    en: (p) =>
      `Another Azure transfer (${p.transferId}) already moves subscription ${p.subscriptionId}: finish it first.`,
    es: (p) =>
      `Otra transferencia de Azure (${p.transferId}) ya mueve la suscripción ${p.subscriptionId}: termínela primero.`,
  },
  azure_transfer_blocked: {
    status: 409,
    en: (p) =>
      `Subscription ${p.subscriptionId} can no longer go: ${codes(p) || 'it is blocked'}. Nothing was moved; check again.`,
    es: (p) =>
      `La suscripción ${p.subscriptionId} ya no puede pasar: ${codes(p) || 'está bloqueada'}. No se movió nada; vuelva a comprobarlo.`,
  },
  azure_transfer_nothing_to_approve: {
    status: 409,
    en: 'This Azure transfer has no billing transfer waiting for approval.',
    es: 'Esta transferencia de Azure no tiene ninguna transferencia de facturación pendiente de aprobación.',
  },
  azure_transfer_nothing_to_move: {
    status: 409,
    en: 'This Azure transfer has no resource move ready to run.',
    es: 'Esta transferencia de Azure no tiene ningún traslado de recursos listo para ejecutarse.',
  },
  azure_usage_invalid: {
    status: 400,
    en: (p) => `The usage file cannot be read${p.detail ? `: ${p.detail}` : ''}; nothing was imported.`,
    es: (p) => `No se puede leer el archivo de uso${p.detail ? `: ${p.detail}` : ''}; no se importó nada.`,
  },
} as const satisfies ErrorSpecs;
