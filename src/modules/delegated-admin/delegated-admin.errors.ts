import { list, roleList, statusWord } from '../../platform/error-words.ts';
import type { ErrorSpecs } from '../../platform/errors.ts';

// The acts `assertDelegatedAdmin` names (its `what`), in Spanish; an act missing here is left out.
const WHAT_ES: Record<string, string> = {
  "see the tenant's users and licenses": 'ver los usuarios y las licencias del inquilino',
  "assign the tenant's licenses": 'asignar las licencias del inquilino',
  "remove the tenant's licenses": 'quitar las licencias del inquilino',
  'file a credit request': 'presentar una solicitud de crédito',
  "change the customer's direct subscription": 'cambiar la suscripción directa del cliente',
};
const whatEs = (what: unknown) => (typeof what === 'string' ? WHAT_ES[what] : undefined);

export const DELEGATED_ADMIN_ERRORS = {
  delegated_admin_required: {
    status: 403,
    en: (p) =>
      p.what
        ? `Without delegated admin on this tenant you cannot ${p.what}: the customer's global admin must do it themselves (or grant you delegated admin first).`
        : 'This needs delegated admin privileges on the customer tenant; ask the customer to grant them, or ask the customer to do it.',
    es: (p) =>
      whatEs(p.what)
        ? `Sin privilegios de administrador delegado en este inquilino no puede ${whatEs(p.what)}: debe hacerlo el Administrador global del cliente (o concederle antes privilegios de administrador delegado).`
        : 'Esto requiere privilegios de administrador delegado en el inquilino del cliente; pida al cliente que se los conceda o que lo haga él mismo.',
  },
  delegated_role_required: {
    status: 403,
    en: (p) =>
      `Your delegated-admin roles on this tenant do not let you ${p.what ?? 'do this'}: it needs ${roleList(p.roles, 'en') || 'another role'} through one of your security groups. Ask your account admin, or the customer to do it.`,
    es: (p) =>
      `Sus roles de privilegios de administrador delegado en este inquilino no le permiten ${whatEs(p.what) ?? 'hacer esto'}: hace falta ${roleList(p.roles, 'es') || 'otro rol'} a través de uno de sus grupos de seguridad. Pídaselo a su Administrador de cuentas, o pida al cliente que lo haga.`,
  },
  unknown_directory_role: {
    status: 400,
    en: (p) =>
      `Not a directory role on the list (GET /api/delegated-admin/roles): ${list(p.roles, 'en', true)}.`,
    es: (p) =>
      `No es un rol de directorio de la lista (GET /api/delegated-admin/roles): ${list(p.roles, 'es', true)}.`,
  },
  global_admin_auto_extend: {
    status: 400,
    en: 'Global Administrator cannot be auto-extended: ask for it without auto-extend, or for a narrower role.',
    es: 'El rol Administrador global no se puede extender automáticamente: pídalo sin extensión automática, o pida un rol más limitado.',
  },
  delegated_admin_grant_not_found: {
    status: 404,
    en: 'No such delegated admin grant of yours on this customer.',
    es: 'No tiene esa concesión de privilegios de administrador delegado en este cliente.',
  },
  delegated_admin_grant_not_granular: {
    status: 409,
    en: 'A legacy DAP carries no roles to give to groups; ask the customer for GDAP instead.',
    es: 'Los privilegios de administrador delegado antiguos (DAP) no llevan roles que dar a los grupos; pida al cliente privilegios de administrador delegado granulares (GDAP).',
  },
  assignment_role_not_granted: {
    status: 422,
    en: (p) =>
      `The grant does not carry ${roleList(p.roles, 'en', true) || 'that role'}; a group can only be given roles the customer granted.`,
    es: (p) =>
      `La concesión no incluye ${roleList(p.roles, 'es', true) || 'ese rol'}; a un grupo solo se le pueden dar roles que el cliente concedió.`,
  },
  security_group_not_found: {
    status: 404,
    en: 'No such security group of yours.',
    es: 'No tiene ese grupo de seguridad.',
  },
  security_group_name_taken: {
    status: 409,
    en: (p) => `You already have a security group named "${p.name}".`,
    es: (p) => `Ya tiene un grupo de seguridad llamado "${p.name}".`,
  },
  security_group_member_invalid: {
    status: 422,
    en: 'Every member must be one of your own partner users.',
    es: 'Cada miembro debe ser uno de los usuarios de su propio partner.',
  },
  delegated_admin_not_found: {
    status: 404,
    en: 'This partner holds no delegated admin on your tenant.',
    es: 'Este partner no tiene privilegios de administrador delegado en su inquilino.',
  },
  delegated_admin_request_not_found: {
    status: 404,
    en: 'No such delegated admin request.',
    es: 'No existe esa solicitud de privilegios de administrador delegado.',
  },
  delegated_admin_request_not_pending: {
    status: 409,
    en: (p) => `This delegated admin request is already ${statusWord(p.status, 'en')}.`,
    es: (p) =>
      `Esta solicitud de privilegios de administrador delegado ya está ${statusWord(p.status, 'es')}.`,
  },
  delegated_admin_request_expired: {
    status: 410,
    en: 'This delegated admin request expired unapproved; the partner must ask again.',
    es: 'Esta solicitud de privilegios de administrador delegado expiró sin aprobarse; el partner debe pedirla de nuevo.',
  },
} satisfies ErrorSpecs;
