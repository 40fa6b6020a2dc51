import type { ErrorSpecs } from '../../platform/errors.ts';

type Problem = {
  line?: number;
  index?: number;
  message: string;
  problem?: 'bad-dates' | 'overlap' | 'two-currencies';
  market?: string;
  term?: string;
  billingCycle?: string;
  currencies?: string[];
};

// A problem of `checkPriceList` in Spanish; one without its kind (a CSV line's) keeps its text.
function problemEs(x: Problem): string {
  if (x.problem === 'bad-dates') return 'effectiveTo debe ser una fecha posterior a effectiveFrom';
  if (x.problem === 'overlap')
    return `dos precios para el mercado ${x.market}, ${x.term} ${x.billingCycle}, en los mismos días`;
  if (x.problem === 'two-currencies')
    return `el mercado ${x.market} en dos monedas (${(x.currencies ?? []).join(', ')}) en los mismos días`;
  return x.message;
}

function problems(p: Record<string, unknown>, lang: 'en' | 'es'): string {
  const list = Array.isArray(p.problems) ? (p.problems as Problem[]) : undefined;
  if (!list) return lang === 'es' ? 'no es coherente' : 'it is not consistent';
  const shown = list
    .slice(0, 10)
    .map((x) =>
      x.line !== undefined
        ? `${lang === 'es' ? 'línea' : 'line'} ${x.line}: ${lang === 'es' ? problemEs(x) : x.message}`
        : `${lang === 'es' ? 'precio' : 'price'} ${x.index}: ${lang === 'es' ? problemEs(x) : x.message}`,
    )
    .join('; ');
  const more =
    list.length > 10
      ? ` (${lang === 'es' ? 'y' : 'and'} ${list.length - 10} ${lang === 'es' ? 'más' : 'more'})`
      : '';
  return `${shown}${more}`;
}

export const CATALOG_ERRORS = {
  offer_not_found: {
    status: 404,
    en: (p) => `No such offer${p.offerId ? ` ${p.offerId}` : ''}.`,
    es: (p) => `No existe la oferta${p.offerId ? ` ${p.offerId}` : ''}.`,
  },
  offer_exists: {
    status: 409,
    en: (p) => `An offer with id ${p.offerId} already exists.`,
    es: (p) => `Ya existe una oferta con el identificador ${p.offerId}.`,
  },
  sku_not_found: {
    status: 422,
    en: (p) =>
      `SKU ${p.skuId} is not in the catalog: import the product reference first, or give its part number and service plans.`,
    es: (p) =>
      `La SKU ${p.skuId} no está en el catálogo: importe antes la referencia de productos, o indique su número de referencia y sus planes de servicio.`,
  },
  offer_reference_invalid: {
    status: 422,
    en: (p) => `Offer ${p.offerId} named as ${p.field} does not exist or cannot be used there.`,
    es: (p) => `La oferta ${p.offerId} indicada en ${p.field} no existe o no se puede usar ahí.`,
  },
  quantity_limits_invalid: {
    status: 422,
    en: 'The minimum quantity must not exceed the maximum.',
    es: 'La cantidad mínima no puede superar la máxima.',
  },
  price_list_invalid: {
    status: 422,
    en: (p) => `The price list was not applied (nothing changed): ${problems(p, 'en')}.`,
    es: (p) => `No se aplicó la lista de precios (no cambió nada): ${problems(p, 'es')}.`,
  },
} satisfies ErrorSpecs;
