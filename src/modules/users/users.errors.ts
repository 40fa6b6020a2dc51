import { roleName, userKindWord } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

export const USERS_ERRORS = {
  user_not_found: { status: 404, en: 'No such user.', es: 'No existe ese usuario.' },
  email_taken: {
    status: 409,
    en: 'A user with this e-mail already exists.',
    es: 'Ya existe un usuario con este correo electrónico.',
  },
  invalid_role: {
    status: 422,
    en: (p) => `The role ${roleName(p.role, 'en')} cannot be given to a ${userKindWord(p.kind, 'en')} user.`,
    es: (p) => `El rol ${roleName(p.role, 'es')} no se puede dar a un usuario ${userKindWord(p.kind, 'es')}.`,
  },
} satisfies ErrorSpecs;
