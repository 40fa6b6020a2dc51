import { regionName, statusWord } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

/** Partner-to-partner transfers (SPEC §7). */
export const TRANSFERS_ERRORS = {
  transfer_not_found: { status: 404, en: 'No such transfer.', es: 'No existe esa transferencia.' },
  transfer_same_partner: {
    status: 422,
    en: 'You are already the partner of record: there is nothing to transfer to you.',
    es: 'Ya es el partner de registro: no hay nada que transferirle.',
  },
  transfer_region_mismatch: {
    status: 422,
    en: (p) =>
      `Only a partner in the customer's region (${regionName(p.tenantRegion, 'en')}) can take its subscriptions; yours is ${regionName(p.partnerRegion, 'en')}.`,
    es: (p) =>
      `Solo un partner de la región del cliente (${regionName(p.tenantRegion, 'es')}) puede quedarse con sus suscripciones; la suya es ${regionName(p.partnerRegion, 'es')}.`,
  },
  transfer_nothing_to_transfer: {
    status: 422,
    en: 'That partner holds no active subscription of this customer that could be transferred.',
    es: 'Ese partner no tiene ninguna suscripción activa de este cliente que se pueda transferir.',
  },
  transfer_subscription_invalid: {
    status: 422,
    en: (p) =>
      `Subscription ${p.subscriptionId} cannot be transferred: it must be an active subscription of that partner${p.state ? ` (it is ${statusWord(p.state, 'en')})` : ''}.`,
    es: (p) =>
      `La suscripción ${p.subscriptionId} no se puede transferir: debe ser una suscripción activa de ese partner${p.state ? ` (está ${statusWord(p.state, 'es')})` : ''}.`,
  },
  transfer_not_source: {
    status: 403,
    en: 'Only the partner of record answers a transfer request.',
    es: 'Solo el partner de registro responde a una solicitud de transferencia.',
  },
  transfer_not_pending: {
    status: 409,
    en: (p) => `This transfer is already ${statusWord(p.status, 'en')}.`,
    es: (p) => `Esta transferencia ya está ${statusWord(p.status, 'es')}.`,
  },
  transfer_line_items_invalid: {
    status: 422,
    en: 'Approve with whole subscriptions from the request: at least one, and only those it names.',
    es: 'Apruébela con suscripciones completas de la solicitud: al menos una, y solo las que nombra.',
  },
  transfer_target_relationship_gone: {
    status: 409,
    en: "The partner that asked is no longer the customer's reseller: the transfer cannot complete; reject it.",
    es: 'El partner que la pidió ya no es revendedor del cliente: la transferencia no puede completarse; recházela.',
  },
} satisfies ErrorSpecs;
