import { statusWord } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

/** Reseller relationships, their requests and the invitation links. */
export const RELATIONSHIPS_ERRORS = {
  relationship_exists: {
    status: 409,
    en: 'This partner already has a reseller relationship with the tenant.',
    es: 'Este partner ya tiene una relación de revendedor con el inquilino.',
  },
  relationship_not_found: {
    status: 404,
    en: 'There is no reseller relationship between this partner and the tenant.',
    es: 'No hay ninguna relación de revendedor entre este partner y el inquilino.',
  },
  relationship_target_mismatch: {
    status: 422,
    en: 'The tenant id and the domain name two different tenants.',
    es: 'El identificador del inquilino y el dominio corresponden a dos inquilinos distintos.',
  },
  relationship_has_active_subscriptions: {
    status: 409,
    en: (p) =>
      `The partner still has ${p.count} active subscription(s) in this tenant; they must end before the relationship can be removed.`,
    es: (p) =>
      `El partner todavía tiene ${p.count} ${Number(p.count) === 1 ? 'suscripción activa' : 'suscripciones activas'} en este inquilino; deben terminar antes de poder quitar la relación.`,
  },
  relationship_request_not_found: {
    status: 404,
    en: 'No such relationship request.',
    es: 'No existe esa solicitud de relación.',
  },
  relationship_request_not_pending: {
    status: 409,
    en: (p) => `This relationship request is already ${statusWord(p.status, 'en')}.`,
    es: (p) => `Esta solicitud de relación ya está ${statusWord(p.status, 'es')}.`,
  },
  invitation_invalid: {
    status: 404,
    en: 'This invitation link is not valid: it is malformed, or it was altered.',
    es: 'Este enlace de invitación no es válido: está mal formado o se ha alterado.',
  },
  invitation_expired: {
    status: 410,
    en: 'This invitation link has expired; ask the partner for a new one.',
    es: 'Este enlace de invitación ha expirado; pida uno nuevo al partner.',
  },
  invitation_used: {
    status: 409,
    en: 'This invitation was already answered; a link works once.',
    es: 'Esta invitación ya se respondió; un enlace solo funciona una vez.',
  },
  invitation_withdrawn: {
    status: 410,
    en: 'The partner withdrew this invitation.',
    es: 'El partner retiró esta invitación.',
  },
  invitation_wrong_tenant: {
    status: 403,
    en: 'This invitation was sent to another tenant; only its global admin can answer it.',
    es: 'Esta invitación se envió a otro inquilino; solo su Administrador global puede responderla.',
  },
} satisfies ErrorSpecs;
