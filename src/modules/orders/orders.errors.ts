import { list } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

/** What an order refuses (the rules in src/domain/orders.ts). */
export const ORDERS_ERRORS = {
  offer_not_in_market: {
    status: 422,
    en: (p) => `Offer ${p.offerId} is not sold in market ${p.market}.`,
    es: (p) => `La oferta ${p.offerId} no se vende en el mercado ${p.market}.`,
  },
  quantity_out_of_range: {
    status: 422,
    en: (p) =>
      `Quantity ${p.quantity} of offer ${p.offerId} is outside its limits (${p.minQuantity} to ${p.maxQuantity}).`,
    es: (p) =>
      `La cantidad ${p.quantity} de la oferta ${p.offerId} está fuera de sus límites (de ${p.minQuantity} a ${p.maxQuantity}).`,
  },
  offer_end_of_sale: {
    status: 422,
    en: (p) =>
      `Offer ${p.offerId} is no longer sold${p.successorOfferId ? `; its successor is ${p.successorOfferId}` : ''}.`,
    es: (p) =>
      `La oferta ${p.offerId} ya no se vende${p.successorOfferId ? `; su sucesora es ${p.successorOfferId}` : ''}.`,
  },
  offer_existing_customers_only: {
    status: 422,
    en: (p) =>
      `Offer ${p.offerId} is sold only to tenants that already hold SKU ${p.skuId} through some channel.`,
    es: (p) =>
      `La oferta ${p.offerId} solo se vende a inquilinos que ya tienen la SKU ${p.skuId} por algún canal.`,
  },
  offer_needs_base: {
    status: 422,
    en: (p) =>
      `Add-on ${p.offerId} needs one of its base offers (${list(p.baseOfferIds, 'en')}) in this order or in the tenant.`,
    es: (p) =>
      `El complemento ${p.offerId} necesita una de sus ofertas base (${list(p.baseOfferIds, 'es')}) en este pedido o en el inquilino.`,
  },
  offer_not_priced: {
    status: 422,
    en: (p) =>
      p.market
        ? `Offer ${p.offerId} has no price in market ${p.market}, so it cannot be sold there; the operator must price it first.`
        : `Offer ${p.offerId} has no price yet; the operator must set one before it can be sold.`,
    es: (p) =>
      p.market
        ? `La oferta ${p.offerId} no tiene precio en el mercado ${p.market}, así que no se puede vender allí; el operador debe ponerle precio primero.`
        : `La oferta ${p.offerId} aún no tiene precio; el operador debe fijarlo antes de que se pueda vender.`,
  },
  duplicate_line_item: {
    status: 422,
    en: (p) => `Offer ${p.offerId} appears more than once in the order.`,
    es: (p) => `La oferta ${p.offerId} aparece más de una vez en el pedido.`,
  },
  order_not_found: { status: 404, en: 'No such order.', es: 'No existe ese pedido.' },
} satisfies ErrorSpecs;
