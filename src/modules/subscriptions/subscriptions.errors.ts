import { channelWord, statusWord, when } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

const UPGRADE_REASONS_EN: Record<string, string> = {
  same: 'it is the offer the subscription already has',
  'not-base': 'it is an add-on, not a base offer',
  'end-of-sale': 'it is no longer sold',
  family: 'it belongs to another product family',
  segment: 'it belongs to another segment',
  term: 'its term is different',
  cycle: 'its billing cycle is different',
  market: "it is not sold or priced in the customer's market in the subscription's currency",
  price: 'its price is not higher than the current one',
};
const UPGRADE_REASONS_ES: Record<string, string> = {
  same: 'es la oferta que la suscripción ya tiene',
  'not-base': 'es un complemento, no una oferta base',
  'end-of-sale': 'ya no se vende',
  family: 'pertenece a otra familia de productos',
  segment: 'pertenece a otro segmento',
  term: 'su periodo es distinto',
  cycle: 'su ciclo de facturación es distinto',
  market: 'no se vende ni tiene precio en el mercado del cliente en la moneda de la suscripción',
  price: 'su precio no es mayor que el actual',
};

export const SUBSCRIPTIONS_ERRORS = {
  subscription_not_found: { status: 404, en: 'No such subscription.', es: 'No existe esa suscripción.' },
  subscription_not_changeable: {
    status: 403,
    en: (p) =>
      p.channel === 'partner'
        ? 'This subscription belongs to another partner of record; only that partner can change it.'
        : `This is a ${channelWord(p.channel, 'en')} subscription: only its own channel can change it, not this partner.`,
    es: (p) =>
      p.channel === 'partner'
        ? 'Esta suscripción pertenece a otro partner de registro; solo ese partner puede cambiarla.'
        : `Esta es una suscripción ${channelWord(p.channel, 'es')}: solo su propio canal puede cambiarla, no este partner.`,
  },
  subscription_not_active: {
    status: 422,
    en: (p) => `The subscription is ${statusWord(p.state, 'en')}; this change is not possible any more.`,
    es: (p) => `La suscripción está ${statusWord(p.state, 'es')}; este cambio ya no es posible.`,
  },
  seat_reduction_outside_window: {
    status: 422,
    en: (p) =>
      `Seats can only be reduced within ${p.refundWindowHours} hours of buying or adding them; add seats any time, or let the term end.`,
    es: (p) =>
      `Las licencias solo se pueden reducir en las ${p.refundWindowHours} horas siguientes a comprarlas o añadirlas; puede añadir licencias en cualquier momento, o dejar que termine el periodo.`,
  },
  subscription_partner_invalid: {
    status: 422,
    en: (p) =>
      p.channel === 'partner'
        ? 'A partner subscription needs the partnerId of its partner of record.'
        : `A ${channelWord(p.channel, 'en')} subscription has no partner of record; leave partnerId out.`,
    es: (p) =>
      p.channel === 'partner'
        ? 'Una suscripción de partner necesita el partnerId de su partner de registro.'
        : `Una suscripción ${channelWord(p.channel, 'es')} no tiene partner de registro; omita partnerId.`,
  },
  subscription_term_invalid: {
    status: 422,
    en: 'The term must end after it starts.',
    es: 'El periodo debe terminar después de empezar.',
  },
  subscription_transfer_pending: {
    status: 409,
    en: (p) =>
      `A transfer of this subscription to another partner is open (${p.transferId}); nobody can change it until the transfer ends.`,
    es: (p) =>
      `Hay abierta una transferencia de esta suscripción a otro partner (${p.transferId}); nadie puede cambiarla hasta que termine la transferencia.`,
  },
  cancellation_window_closed: {
    status: 409,
    en: (p) =>
      `This subscription can no longer be cancelled: its cancellation window closed${p.closedAt ? ` on ${when(p.closedAt)}` : ''}. Turn auto-renew off to let it end at its term end.`,
    es: (p) =>
      `Esta suscripción ya no se puede cancelar: su plazo de cancelación terminó${p.closedAt ? ` el ${when(p.closedAt)}` : ''}. Desactive la renovación automática para que termine al final de su periodo.`,
  },
  subscription_upgrade_not_eligible: {
    status: 422,
    en: (p) =>
      `${p.offerName ?? p.offerId} is not an upgrade of this subscription: ${UPGRADE_REASONS_EN[String(p.reason)] ?? p.reason}.`,
    es: (p) =>
      `${p.offerName ?? p.offerId} no es una mejora de esta suscripción: ${UPGRADE_REASONS_ES[String(p.reason)] ?? p.reason}.`,
  },
  subscription_upgrade_quantity: {
    status: 422,
    en: (p) =>
      `An upgrade keeps at least the current ${p.current} seats (${p.quantity} asked); reduce seats separately, within the rules for reductions.`,
    es: (p) =>
      `Una mejora mantiene al menos las ${p.current} licencias actuales (pedidas: ${p.quantity}); reduzca licencias aparte, según las reglas de reducción.`,
  },
} satisfies ErrorSpecs;
