import type { ErrorSpecs } from '../../platform/errors.ts';

export const PARTNERS_ERRORS = {
  partner_not_found: { status: 404, en: 'No such partner.', es: 'No existe ese partner.' },
  user_disabled: {
    status: 409,
    en: 'This user is disabled: enable it first.',
    es: 'Este usuario está deshabilitado: habilítelo primero.',
  },
  last_account_admin: {
    status: 409,
    en: 'This is the last account admin of the partner: make another user account admin first.',
    es: 'Es el último Administrador de cuentas del partner: haga antes Administrador de cuentas a otro usuario.',
  },
} satisfies ErrorSpecs;
