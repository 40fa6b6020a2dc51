import type { Reason } from './types.ts';

/**
 * Human-readable text for every reason the planner gives, in English and Spanish. The console uses
 * the same keys through react-i18next; the API returns the English text beside the code.
 */
type Catalogue = Record<string, (p: Reason['params']) => string>;

// Formatters are costly to build and a bulk plan formats millions of amounts and dates: keep one
// per locale and currency.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function formatter<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}
// The same amounts and days come back again and again (term ends, list prices): keep their
// text too, in a bounded table.
const formatted = new Map<string, string>();
const FORMATTED_MAX = 50_000;
function remember(key: string, make: () => string): string {
  let text = formatted.get(key);
  if (text === undefined) {
    if (formatted.size >= FORMATTED_MAX) formatted.clear();
    text = make();
    formatted.set(key, text);
  }
  return text;
}
const money = (n: unknown, locale: string, currency: unknown) => {
  const code = typeof currency === 'string' ? currency : 'EUR';
  return remember(`n|${locale}|${code}|${String(n)}`, () =>
    formatter(
      `n|${locale}|${code}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency: code }),
    ).format(Number(n) / 100),
  );
};
const day = (iso: unknown, locale: string) =>
  remember(`d|${locale}|${String(iso)}`, () =>
    formatter(
      `d|${locale}`,
      () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }),
    ).format(new Date(String(iso))),
  );
const list = (x: unknown) => (Array.isArray(x) ? x.join(', ') : String(x));
/**
 * Other transitions by count, never by id (the console links them from the line): "another
 * transition" / "3 other transitions".
 */
const others = (ids: unknown, locale: 'en' | 'es') => {
  const n = Array.isArray(ids) ? ids.length : 0;
  if (locale === 'es') return n > 1 ? `otras ${n} transiciones` : 'otra transición';
  return n > 1 ? `${n} other transitions` : 'another transition';
};
const who = (by: unknown, es: boolean) =>
  by === 'partner'
    ? es
      ? 'el partner (con privilegios de administrador delegado)'
      : 'the partner (with delegated admin)'
    : es
      ? 'el administrador del cliente'
      : "the customer's admin";

/**
 * Workloads and paid capabilities in the reader's language: a partner reads "the mailbox" or
 * "Project Online projects", never a plan id or a code like "files, project".
 */
const WORKLOAD_NAMES: Record<'en' | 'es', Record<string, string>> = {
  en: {
    mailbox: 'the mailbox',
    archive: 'the mailbox archive',
    files: 'OneDrive and SharePoint files',
    chat: 'Teams chats and meetings',
    community: 'Viva Engage communities',
    tasks: 'Planner and To Do tasks',
    forms: 'Forms forms and responses',
    project: 'Project Online projects',
    cloudpc: 'the Cloud PC and its disk',
    app: "the app's records",
  },
  es: {
    mailbox: 'el buzón de correo',
    archive: 'el archivo del buzón',
    files: 'los archivos de OneDrive y SharePoint',
    chat: 'los chats y reuniones de Teams',
    community: 'las comunidades de Viva Engage',
    tasks: 'las tareas de Planner y To Do',
    forms: 'los formularios y respuestas de Forms',
    project: 'los proyectos de Project Online',
    cloudpc: 'el PC en la nube y su disco',
    app: 'los registros de la aplicación',
  },
};
const CAPABILITY_NAMES: Record<'en' | 'es', Record<string, string>> = {
  en: { voice: 'voice', security: 'advanced security', analytics: 'analytics' },
  es: { voice: 'voz', security: 'seguridad avanzada', analytics: 'analítica' },
};
const workloads = (x: unknown, locale: 'en' | 'es') =>
  (Array.isArray(x) ? x : [x]).map((w) => WORKLOAD_NAMES[locale][String(w)] ?? String(w)).join(', ');
const capability = (x: unknown, locale: 'en' | 'es') => CAPABILITY_NAMES[locale][String(x)] ?? String(x);

export const MESSAGES: Record<'en' | 'es', Catalogue> = {
  en: {
    'plan.nothing-to-move': () =>
      'Nothing to move: every license-based subscription is already with this partner.',
    'plan.all-under-way': (p) =>
      `Nothing to apply: every subscription is already being moved by ${others(p.transitions, 'en')}.`,
    'plan.some-under-way': (p) =>
      `${p.lines} subscription(s) are already being moved by ${others(p.transitions, 'en')} and are left out.`,
    'plan.expired-grace-path': (p) =>
      `The tenant has ${p.active} active subscriptions (more than ${p.max}): new subscriptions are bought within the 30-day expired grace period instead of duplicating.`,
    'plan.seat-gap': (p) =>
      `On ${day(p.at, 'en')} ${p.sku ?? p.skuId} would have ${p.pool} licenses for ${p.assigned} assigned users.`,
    'offer.end-of-sale': (p) => `${p.offer} is no longer sold.`,
    'offer.not-license': (p) => `${p.offer} is not a license-based offer.`,
    'offer.not-in-market': (p) => `${p.offer} is not sold in market ${p.market}.`,
    'offer.existing-customers-only': (p) => `${p.offer} is sold only to tenants that already hold it.`,
    'offer.not-priced': (p) => `${p.offer} has no price in market ${p.market}: it cannot be ordered there.`,
    'line.successor': (p) => `Moves to the successor: ${p.offer}.`,
    'line.successor-not-orderable': (p) => `The successor ${p.offer} cannot be ordered in this market.`,
    'line.equivalent': (p) => `Moves to the cheapest offer that keeps every user's data: ${p.offer}.`,
    'line.unknown-offer': (p) => `The source's offer ${p.offerId} is not in the catalog.`,
    'line.data-at-risk': (p) =>
      `No orderable offer keeps ${workloads(p.workloads, 'en')}${p.product ? ` of ${p.product}` : ''}: the data of ${p.users} user(s) is at risk.`,
    'line.substitute-not-orderable': (p) =>
      `The acknowledged substitute ${p.offer ?? p.offerId} cannot be ordered.`,
    'line.acknowledged': (p) =>
      `Proceeds with ${p.offer} by explicit acknowledgment${Array.isArray(p.workloads) && p.workloads.length ? ` (losing ${workloads(p.workloads, 'en')})` : ''}.`,
    'line.quantity-raised-to-min': (p) => `${p.quantity} seats raised to the offer's minimum of ${p.min}.`,
    'line.quantity-over-max': (p) =>
      `${p.assigned} users hold this license but the offer allows at most ${p.max} seats.`,
    'line.quantity-lowered-to-max': (p) => `${p.quantity} seats lowered to the offer's maximum of ${p.max}.`,
    'line.same-seat-count': (p) => `The same number of licenses: ${p.quantity}.`,
    'line.seat-count-changed': (p) => `Seats change from ${p.from} to ${p.to} (${p.assigned} assigned).`,
    'line.volume-licensing': () =>
      "A volume-licensing subscription: the customer's volume-licensing admin must let it end.",
    'line.other-partner': () =>
      "Another partner's subscription: that partner (or the customer with it) must let it end.",
    'line.loss-acknowledged': (p) =>
      `Proceeds with ${p.offer} by explicit acknowledgment of what it does not keep (listed on this line).`,
    'line.provision-before-end': (p) =>
      `Buy on ${day(p.on, 'en')}, shortly before the old subscription ends: paying both costs ${money(p.amount, 'en', p.currency)} instead of ${money(p.amountNow, 'en', p.currency)} buying now.`,
    'line.cancellation-window-closed': (p) =>
      `The old subscription can no longer be cancelled (its cancellation window closed on ${day(p.closedOn, 'en')}): auto-renew is turned off and it expires at its end instead.`,
    'line.transfer': (p) =>
      `Asked from its partner of record by transfer: it becomes yours at once with the same offer, seats and end date (${day(p.on, 'en')}); nothing is bought twice, no license moves.`,
    'line.transfer-refused': (p) =>
      `Its partner of record refused (or did not answer) the transfer: it runs to its end on ${day(p.on, 'en')}, with the overlap shown.`,
    'line.under-way': () => 'Already being moved by another transition: nothing is bought again.',
    'line.turn-off-auto-renew': (p) =>
      `Turn auto-renew off and let it expire on ${day(p.on, 'en')}; to be done by ${who(p.by, false)}.`,
    'line.overlap-cost': (p) =>
      `Both subscriptions are paid until ${day(p.until, 'en')}: ${money(p.amount, 'en', p.currency)}.`,
    'line.loss-if-cancelled': (p) =>
      `Cancelling now refunds nothing: ${money(p.amount, 'en', p.currency)} of paid term would be lost.`,
    'line.credit': (p) =>
      `Bought in the admin center: a credit of ${money(p.amount ?? 0, 'en', p.currency)} may be available (the days paid twice), to be requested by ${who(p.by, false)} within 120 days of the purchase.`,
    'line.lower-tier': (p) =>
      `Smaller ${workloads(p.workload, 'en').replace(/^the /, '')}: ${p.from} → ${p.to}. Needs acknowledgment.`,
    'line.paid-capability-lost': (p) =>
      `Loses paid ${capability(p.capability, 'en')}: ${list(p.names)}. The data stays; needs acknowledgment.`,
    'line.reassign-by-customer': (p) =>
      `${p.users} user(s) move to the new licenses; without delegated admin the customer's admin assigns them (the plan waits for it).`,
  },
  es: {
    'plan.nothing-to-move': () =>
      'Nada que trasladar: todas las suscripciones por licencia ya son de este partner.',
    'plan.all-under-way': (p) =>
      `Nada que aplicar: todas las suscripciones ya se están trasladando en ${others(p.transitions, 'es')}.`,
    'plan.some-under-way': (p) =>
      `${p.lines} suscripción(es) ya se están trasladando en ${others(p.transitions, 'es')} y quedan fuera.`,
    'plan.expired-grace-path': (p) =>
      `El inquilino tiene ${p.active} suscripciones activas (más de ${p.max}): las nuevas se compran dentro de los 30 días de gracia tras la expiración, sin duplicar.`,
    'plan.seat-gap': (p) =>
      `El ${day(p.at, 'es')} ${p.sku ?? p.skuId} tendría ${p.pool} licencias para ${p.assigned} usuarios asignados.`,
    'offer.end-of-sale': (p) => `${p.offer} ya no se vende.`,
    'offer.not-license': (p) => `${p.offer} no es una oferta por licencia.`,
    'offer.not-in-market': (p) => `${p.offer} no se vende en el mercado ${p.market}.`,
    'offer.existing-customers-only': (p) => `${p.offer} solo se vende a inquilinos que ya la tienen.`,
    'offer.not-priced': (p) =>
      `${p.offer} no tiene precio en el mercado ${p.market}: no se puede pedir allí.`,
    'line.successor': (p) => `Pasa a la sucesora: ${p.offer}.`,
    'line.successor-not-orderable': (p) => `La sucesora ${p.offer} no se puede pedir en este mercado.`,
    'line.equivalent': (p) =>
      `Pasa a la oferta más barata que conserva los datos de cada usuario: ${p.offer}.`,
    'line.unknown-offer': (p) => `La oferta de origen ${p.offerId} no está en el catálogo.`,
    'line.data-at-risk': (p) =>
      `Ninguna oferta disponible conserva ${workloads(p.workloads, 'es')}${p.product ? ` de ${p.product}` : ''}: los datos de ${p.users} usuario(s) están en riesgo.`,
    'line.substitute-not-orderable': (p) =>
      `El sustituto aceptado ${p.offer ?? p.offerId} no se puede pedir.`,
    'line.acknowledged': (p) =>
      `Continúa con ${p.offer} por aceptación expresa${Array.isArray(p.workloads) && p.workloads.length ? ` (se pierde ${workloads(p.workloads, 'es')})` : ''}.`,
    'line.quantity-raised-to-min': (p) =>
      `${p.quantity} licencias elevadas al mínimo de la oferta, ${p.min}.`,
    'line.quantity-over-max': (p) =>
      `${p.assigned} usuarios tienen esta licencia pero la oferta admite como máximo ${p.max}.`,
    'line.quantity-lowered-to-max': (p) =>
      `${p.quantity} licencias reducidas al máximo de la oferta, ${p.max}.`,
    'line.same-seat-count': (p) => `El mismo número de licencias: ${p.quantity}.`,
    'line.seat-count-changed': (p) => `Las licencias pasan de ${p.from} a ${p.to} (${p.assigned} asignadas).`,
    'line.volume-licensing': () =>
      'Suscripción de licenciamiento por volumen: su administrador debe dejarla terminar.',
    'line.other-partner': () =>
      'Suscripción de otro partner: ese partner (o el cliente con él) debe dejarla terminar.',
    'line.loss-acknowledged': (p) =>
      `Sigue con ${p.offer} por reconocimiento expreso de lo que no conserva (indicado en esta línea).`,
    'line.provision-before-end': (p) =>
      `Comprar el ${day(p.on, 'es')}, poco antes de que termine la suscripción antigua: pagar ambas cuesta ${money(p.amount, 'es', p.currency)} en lugar de ${money(p.amountNow, 'es', p.currency)} si se compra ahora.`,
    'line.cancellation-window-closed': (p) =>
      `La suscripción antigua ya no se puede cancelar (su plazo de cancelación terminó el ${day(p.closedOn, 'es')}): se desactiva la renovación automática y expira al final de su plazo.`,
    'line.transfer': (p) =>
      `Se pide a su partner de registro por transferencia: pasa a ser suya al instante con la misma oferta, licencias y fecha de fin (${day(p.on, 'es')}); no se compra dos veces ni se mueve ninguna licencia.`,
    'line.transfer-refused': (p) =>
      `Su partner de registro rechazó (o no respondió) la transferencia: sigue hasta su fin, el ${day(p.on, 'es')}, con el solapamiento indicado.`,
    'line.under-way': () => 'Ya se está trasladando en otra transición: no se vuelve a comprar nada.',
    'line.turn-off-auto-renew': (p) =>
      `Desactivar la renovación automática y dejarla expirar el ${day(p.on, 'es')}; lo hace ${who(p.by, true)}.`,
    'line.overlap-cost': (p) =>
      `Se pagan ambas suscripciones hasta el ${day(p.until, 'es')}: ${money(p.amount, 'es', p.currency)}.`,
    'line.loss-if-cancelled': (p) =>
      `Cancelar ahora no reembolsa nada: se perderían ${money(p.amount, 'es', p.currency)} de plazo pagado.`,
    'line.credit': (p) =>
      `Comprada en el centro de administración: puede haber un crédito de ${money(p.amount ?? 0, 'es', p.currency)} (los días pagados dos veces), que solicita ${who(p.by, true)} en los 120 días siguientes a la compra.`,
    'line.lower-tier': (p) =>
      `Menor capacidad en ${workloads(p.workload, 'es')}: ${p.from} → ${p.to}. Requiere aceptación.`,
    'line.paid-capability-lost': (p) =>
      `Se pierde ${capability(p.capability, 'es')} de pago: ${list(p.names)}. Los datos se conservan; requiere aceptación.`,
    'line.reassign-by-customer': (p) =>
      `${p.users} usuario(s) pasan a las nuevas licencias; sin privilegios de administrador delegado las asigna el administrador del cliente (el plan lo espera).`,
  },
};

export function renderReason(r: Reason, locale: 'en' | 'es' = 'en'): string {
  const f = MESSAGES[locale][r.code];
  return f ? f(r.params) : r.code;
}
