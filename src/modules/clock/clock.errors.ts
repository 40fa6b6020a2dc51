import type { ErrorSpecs } from '../../platform/errors.ts';

export const CLOCK_ERRORS = {
  clock_locked: {
    status: 403,
    en: 'The platform clock is locked on this install.',
    es: 'El reloj de la plataforma está bloqueado en esta instalación.',
  },
} satisfies ErrorSpecs;
