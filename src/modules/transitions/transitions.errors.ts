import { roleList } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

// What changed under a plan (transitions.steps.ts), said in words.
const CHANGED: Record<
  string,
  { en: (p: Record<string, unknown>) => string; es: (p: Record<string, unknown>) => string }
> = {
  'source-gone': {
    en: (p) => `subscription ${p.subscriptionId} is gone`,
    es: (p) => `la suscripción ${p.subscriptionId} ya no existe`,
  },
  'assigned-seats-grew': {
    en: (p) => `${p.assigned} licenses are assigned now, the plan moves ${p.planned}`,
    es: (p) => `ahora hay ${p.assigned} licencias asignadas y el plan traslada ${p.planned}`,
  },
  'target-not-assigned': {
    en: (p) => `user ${p.userId} could not get the new license`,
    es: (p) => `el usuario ${p.userId} no pudo recibir la nueva licencia`,
  },
  'source-partner-changed': {
    en: (p) => `subscription ${p.subscriptionId} has another partner of record now`,
    es: (p) => `la suscripción ${p.subscriptionId} tiene ahora otro partner de registro`,
  },
};

const VERDICT: Record<string, { en: string; es: string }> = {
  ready: { en: 'This plan is ready', es: 'Este plan está listo' },
  'needs-acknowledgment': { en: 'This plan needs acknowledgment', es: 'Este plan necesita confirmación' },
  blocked: { en: 'This plan is blocked', es: 'Este plan está bloqueado' },
};

export const TRANSITIONS_ERRORS = {
  transition_not_found: { status: 404, en: 'No such transition.', es: 'No existe esa transición.' },
  bulk_run_not_found: {
    status: 404,
    en: 'No such bulk plan run.',
    es: 'No existe esa planificación masiva.',
  },
  transition_in_progress: {
    status: 409,
    en: (p) =>
      `Another transition already moves ${Array.isArray(p.subscriptionIds) ? p.subscriptionIds.length : 'some'} of these subscriptions${Array.isArray(p.transitionIds) && p.transitionIds.length ? ` (${p.transitionIds.join(', ')})` : ''}: plan again to see them as under way.`,
    es: (p) =>
      `Otra transición ya traslada ${Array.isArray(p.subscriptionIds) ? p.subscriptionIds.length : 'algunas'} de estas suscripciones${Array.isArray(p.transitionIds) && p.transitionIds.length ? ` (${p.transitionIds.join(', ')})` : ''}: vuelva a planificar para verlas en curso.`,
  },
  transition_not_ready: {
    status: 422,
    en: (p) =>
      `${VERDICT[String(p.verdict)]?.en ?? 'This plan is not ready'}: acknowledge or resolve its lines and plan again before applying.`,
    es: (p) =>
      `${VERDICT[String(p.verdict)]?.es ?? 'Este plan no está listo'}: confirme o resuelva sus líneas y vuelva a planificar antes de aplicarlo.`,
  },
  transition_world_changed: {
    status: 409,
    en: (p) => {
      const why = CHANGED[String(p.reason)]?.en(p);
      return `The customer's situation changed since the plan was made${why ? ` (${why})` : ''}; plan again.`;
    },
    es: (p) => {
      const why = CHANGED[String(p.reason)]?.es(p);
      return `La situación del cliente cambió desde que se hizo el plan${why ? ` (${why})` : ''}; vuelva a planificar.`;
    },
  },
  transition_step_unsupported: {
    status: 422,
    en: 'This step cannot be executed automatically.',
    es: 'Este paso no se puede ejecutar automáticamente.',
  },
  transition_apply_forbidden: {
    status: 403,
    en: (p) =>
      `You may not run every step this plan gives to the partner (missing: ${roleList(p.missing, 'en', true)}); nothing was applied. A colleague with those roles can apply it, or plan again to hand those steps to the customer.`,
    es: (p) =>
      `No puede realizar todos los pasos que este plan asigna al partner (le falta: ${roleList(p.missing, 'es', true)}); no se ha aplicado nada. Un compañero con esos roles puede aplicarlo, o vuelva a planificar para pasar esos pasos al cliente.`,
  },
  relationship_required: {
    status: 422,
    en: 'This customer has not accepted a reseller relationship with you: request one and wait for the customer to accept it.',
    es: 'Este cliente no ha aceptado una relación de revendedor con usted: solicítela y espere a que el cliente la acepte.',
  },
} satisfies ErrorSpecs;
