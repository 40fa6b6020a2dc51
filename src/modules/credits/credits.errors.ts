import { channelWord, statusWord, when } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

export const CREDITS_ERRORS = {
  credit_not_direct: {
    status: 422,
    en: (p) =>
      `Only subscriptions bought direct can get a credit here; this one is a ${channelWord(p.channel, 'en')} subscription: its channel handles it.`,
    es: (p) =>
      `Aquí solo pueden recibir un crédito las suscripciones compradas directamente; esta es una suscripción ${channelWord(p.channel, 'es')}: la gestiona su canal.`,
  },
  credit_request_not_found: {
    status: 404,
    en: 'No such credit request.',
    es: 'No existe esa solicitud de crédito.',
  },
  credit_subscription_not_found: {
    status: 404,
    en: 'The tenant has no such subscription.',
    es: 'El inquilino no tiene esa suscripción.',
  },
  credit_request_decided: {
    status: 409,
    en: (p) => `This credit request was already ${statusWord(p.status, 'en')}.`,
    es: (p) => `Esta solicitud de crédito ya está ${statusWord(p.status, 'es')}.`,
  },
  credit_amount_required: {
    status: 422,
    en: 'Approving needs an amount (minor units): none was asked for.',
    es: 'Para aprobarla hace falta un importe (en unidades menores): no se pidió ninguno.',
  },
  credit_amount_too_high: {
    status: 422,
    en: (p) =>
      `The amount ${p.amount} is more than ${p.bound === 'overlap' ? 'the credit computed for the days paid twice' : "the subscription's term cost"} (${p.max}${p.currency ? ` ${p.currency}` : ''} in minor units).`,
    es: (p) =>
      `El importe ${p.amount} supera ${p.bound === 'overlap' ? 'el crédito calculado para los días pagados dos veces' : 'el coste del periodo de la suscripción'} (${p.max}${p.currency ? ` ${p.currency}` : ''} en unidades menores).`,
  },
  credit_window_closed: {
    status: 422,
    en: (p) =>
      `A credit for duplicate licenses can be requested up to ${p.days} days after the new purchase (${when(p.purchasedAt)}); that window closed on ${when(p.closedOn)}.`,
    es: (p) =>
      `Un crédito por licencias duplicadas se puede solicitar hasta ${p.days} días después de la nueva compra (${when(p.purchasedAt)}); ese plazo terminó el ${when(p.closedOn)}.`,
  },
  credit_new_subscription_invalid: {
    status: 422,
    en: (p) =>
      `The new purchase must be a subscription bought through a partner; this one is a ${channelWord(p.channel, 'en')} subscription.`,
    es: (p) =>
      `La nueva compra debe ser una suscripción comprada a través de un partner; esta es una suscripción ${channelWord(p.channel, 'es')}.`,
  },
} satisfies ErrorSpecs;
