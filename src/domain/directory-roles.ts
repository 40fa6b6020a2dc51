/**
 * The directory's built-in roles a delegated-admin grant (GDAP) may carry: the fixed list shipped in
 * data/directory-roles.csv (SPEC §10), with what each lets a partner do in the customer's tenant.
 * A unit test keeps this list and the CSV equal. Pure: no I/O.
 */
export const DELEGATED_TASKS = [
  'read-users',
  'assign-licenses',
  'manage-users',
  'billing',
  'support',
] as const;
export type DelegatedTask = (typeof DELEGATED_TASKS)[number];

export interface DirectoryRole {
  name: string;
  templateId: string;
  nameEs: string;
  /** What the role lets Traslado do in the tenant (empty: nothing Traslado does). */
  tasks: readonly DelegatedTask[];
  /** What it allows, in a few words (English). */
  allows: string;
  /** The same in Spanish (the console shows it in Spanish). */
  allowsEs: string;
}

export const GLOBAL_ADMINISTRATOR = 'Global Administrator';

// biome-ignore format: one role per line, as in the CSV
export const DIRECTORY_ROLES: readonly DirectoryRole[] = [
  { name: 'Global Administrator', templateId: '62e90394-69f5-4237-9190-012177145e10', nameEs: 'Administrador global', tasks: ['read-users', 'assign-licenses', 'manage-users', 'billing', 'support'], allows: 'everything; never auto-extended in a delegated grant', allowsEs: 'todo; nunca se amplía automáticamente en una concesión delegada' },
  { name: 'User Administrator', templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1', nameEs: 'Administrador de usuarios', tasks: ['read-users', 'assign-licenses', 'manage-users'], allows: 'users and their licenses', allowsEs: 'los usuarios y sus licencias' },
  { name: 'License Administrator', templateId: '4d6ac14f-3453-41d0-bef9-a3e0c569773a', nameEs: 'Administrador de licencias', tasks: ['read-users', 'assign-licenses'], allows: 'the least role that moves licenses', allowsEs: 'el rol mínimo que mueve licencias' },
  { name: 'Billing Administrator', templateId: 'b0f54661-2d74-4c50-afa3-1ec803f12efe', nameEs: 'Administrador de facturación', tasks: ['billing'], allows: 'the tenant\'s own subscriptions and billing: auto-renew and cancellation of direct subscriptions; credit requests', allowsEs: 'las suscripciones y la facturación propias del inquilino: renovación automática y cancelación de suscripciones directas; solicitudes de crédito' },
  { name: 'Service Support Administrator', templateId: 'f023fd81-a637-4b56-95fd-791ac0226033', nameEs: 'Administrador de soporte técnico del servicio', tasks: ['support'], allows: 'support requests to the vendor', allowsEs: 'las solicitudes de soporte al fabricante' },
  { name: 'Helpdesk Administrator', templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8', nameEs: 'Administrador del departamento de soporte técnico', tasks: ['read-users', 'support'], allows: 'password resets for non-admins; support requests', allowsEs: 'restablecer contraseñas de usuarios sin rol de administrador; solicitudes de soporte' },
  { name: 'Directory Readers', templateId: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', nameEs: 'Lectores de directorios', tasks: ['read-users'], allows: 'read only', allowsEs: 'solo lectura' },
  { name: 'Global Reader', templateId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', nameEs: 'Lector global', tasks: ['read-users'], allows: 'read only, everywhere', allowsEs: 'solo lectura, en todo' },
  { name: 'Exchange Administrator', templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de', nameEs: 'Administrador de Exchange', tasks: [], allows: 'mailboxes (no license moves)', allowsEs: 'los buzones (no mueve licencias)' },
  { name: 'SharePoint Administrator', templateId: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', nameEs: 'Administrador de SharePoint', tasks: [], allows: 'sites and files (no license moves)', allowsEs: 'los sitios y archivos (no mueve licencias)' },
  { name: 'Teams Administrator', templateId: '69091246-20e8-4a56-aa4d-066075b2a7a8', nameEs: 'Administrador de Teams', tasks: [], allows: 'Teams (no license moves)', allowsEs: 'Teams (no mueve licencias)' },
  { name: 'Security Administrator', templateId: '194ae4cb-b126-40b2-bd5b-6091b380977d', nameEs: 'Administrador de seguridad', tasks: [], allows: 'security settings', allowsEs: 'la configuración de seguridad' },
  { name: 'Intune Administrator', templateId: '3a2c62db-5318-420d-8d74-23affee5d9d5', nameEs: 'Administrador de Intune', tasks: [], allows: 'devices', allowsEs: 'los dispositivos' },
  { name: 'Privileged Role Administrator', templateId: 'e8611ab8-c189-46e8-94e1-60213ab1f814', nameEs: 'Administrador de roles con privilegios', tasks: [], allows: 'role assignments; high risk', allowsEs: 'las asignaciones de roles; riesgo alto' },
  { name: 'Privileged Authentication Administrator', templateId: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13', nameEs: 'Administrador de autenticación con privilegios', tasks: [], allows: 'authentication methods of any user; high risk', allowsEs: 'los métodos de autenticación de cualquier usuario; riesgo alto' },
  { name: 'Authentication Administrator', templateId: 'c4e39bd9-1100-46d3-8c65-fb160da0071f', nameEs: 'Administrador de autenticación', tasks: [], allows: 'authentication methods of non-admins', allowsEs: 'los métodos de autenticación de usuarios sin rol de administrador' },
  { name: 'Cloud Device Administrator', templateId: '7698a772-787b-4ac8-901f-60d6b08affd2', nameEs: 'Administrador de dispositivos en la nube', tasks: [], allows: 'devices in the directory', allowsEs: 'los dispositivos del directorio' },
  { name: 'Application Administrator', templateId: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', nameEs: 'Administrador de aplicaciones', tasks: [], allows: 'app registrations', allowsEs: 'los registros de aplicaciones' },
  { name: 'Cloud Application Administrator', templateId: '158c047a-c907-4556-b7ef-446551a6b5f7', nameEs: 'Administrador de aplicaciones en la nube', tasks: [], allows: 'app registrations without the app proxy', allowsEs: 'los registros de aplicaciones sin el proxy de aplicación' },
  { name: 'Groups Administrator', templateId: 'fdd7a751-b60b-444a-984c-02652fe8fa1c', nameEs: 'Administrador de grupos', tasks: [], allows: 'groups', allowsEs: 'los grupos' },
  { name: 'Reports Reader', templateId: '4a5d8f65-41da-4de4-8968-e035b65339cf', nameEs: 'Lector de informes', tasks: [], allows: 'usage reports', allowsEs: 'los informes de uso' },
  { name: 'Message Center Reader', templateId: '790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b', nameEs: 'Lector del centro de mensajes', tasks: [], allows: 'service messages', allowsEs: 'los mensajes del servicio' },
  { name: 'Directory Writers', templateId: '9360feb5-f418-4baa-8175-e2a00bac4301', nameEs: 'Escritores de directorios', tasks: [], allows: 'basic directory writes for apps', allowsEs: 'escrituras básicas en el directorio para aplicaciones' },
  { name: 'Office Apps Administrator', templateId: '2b745bdf-0803-4d80-aa65-822c4493daac', nameEs: 'Administrador de aplicaciones de Office', tasks: [], allows: 'Office apps settings', allowsEs: 'la configuración de las aplicaciones de Office' },
  { name: 'Windows 365 Administrator', templateId: '11451d60-acb2-45eb-a7d6-43d0f0125c13', nameEs: 'Administrador de Windows 365', tasks: [], allows: 'Cloud PCs', allowsEs: 'los PC en la nube' },
  { name: 'Power Platform Administrator', templateId: '11648597-926c-4cf3-9c36-bcebb0ba8dcc', nameEs: 'Administrador de Power Platform', tasks: [], allows: 'Power Platform environments', allowsEs: 'los entornos de Power Platform' },
  { name: 'Dynamics 365 Administrator', templateId: '44367163-eba1-44c3-98af-f5787879f96a', nameEs: 'Administrador de Dynamics 365', tasks: [], allows: 'Dynamics environments', allowsEs: 'los entornos de Dynamics' },
  { name: 'Compliance Administrator', templateId: '17315797-102d-40b4-93e0-432062caca18', nameEs: 'Administrador de cumplimiento', tasks: [], allows: 'compliance settings', allowsEs: 'la configuración de cumplimiento' },
  { name: 'Password Administrator', templateId: '966707d0-3269-4727-9be2-8c3a10f19b9d', nameEs: 'Administrador de contraseñas', tasks: [], allows: 'password resets for non-admins', allowsEs: 'restablecer contraseñas de usuarios sin rol de administrador' },
  { name: 'Teams Communications Administrator', templateId: 'baf37b3a-610e-45da-9e62-d9d1e5e8914b', nameEs: 'Administrador de comunicaciones de Teams', tasks: [], allows: 'calling and meetings', allowsEs: 'las llamadas y reuniones' },
];

const BY_NAME = new Map(DIRECTORY_ROLES.map((r) => [r.name.toLowerCase(), r]));

/** The role of that name (case-insensitive), or undefined: an unknown role is refused. */
export function findDirectoryRole(name: string): DirectoryRole | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** The roles' names as the list spells them; unknown names listed apart. */
export function normaliseRoles(names: readonly string[]): { roles: string[]; unknown: string[] } {
  const roles: string[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const r = findDirectoryRole(n);
    if (!r) unknown.push(n);
    else if (!roles.includes(r.name)) roles.push(r.name);
  }
  return { roles, unknown };
}

/**
 * Each task Traslado does in a customer's tenant, and the roles that allow it, least privilege
 * first (SPEC §10): reading users → Directory Readers or above; license assignment → License or
 * User Administrator; the customer's direct subscriptions and credit requests → Billing
 * Administrator; support requests → Service Support Administrator.
 */
export const TASK_LEAST_ROLE: Record<DelegatedTask, string> = {
  'read-users': 'Directory Readers',
  'assign-licenses': 'License Administrator',
  'manage-users': 'User Administrator',
  billing: 'Billing Administrator',
  support: 'Service Support Administrator',
};

export const TASK_DESCRIPTIONS: Record<DelegatedTask, string> = {
  'read-users': "Read the tenant's users and their licenses",
  'assign-licenses': 'Assign and remove licenses',
  'manage-users': 'Create and change users',
  billing: "Change the customer's direct subscriptions (auto-renew, cancel); file credit requests",
  support: 'File support requests with the vendor',
};

/** The roles that allow a task: its least role first, then the rest in list order. */
export function rolesForTask(task: DelegatedTask): string[] {
  const least = TASK_LEAST_ROLE[task];
  return [
    least,
    ...DIRECTORY_ROLES.filter((r) => r.tasks.includes(task) && r.name !== least).map((r) => r.name),
  ];
}

/** The tasks a set of held roles allows. */
export function tasksOf(roles: Iterable<string>): Set<DelegatedTask> {
  const out = new Set<DelegatedTask>();
  for (const n of roles) for (const t of findDirectoryRole(n)?.tasks ?? []) out.add(t);
  return out;
}

export function allowsTask(roles: Iterable<string>, task: DelegatedTask): boolean {
  return tasksOf(roles).has(task);
}

/** Least-privilege templates the console offers instead of free text. */
export const ROLE_TEMPLATES = {
  'license-moves': ['License Administrator'],
  'billing-and-credits': ['Billing Administrator'],
  'read-only': ['Directory Readers'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Why a GDAP request is refused, or null: every role must be on the list, and Global Administrator
 * is never auto-extended (SPEC §10).
 */
export function checkGrantRoles(
  names: readonly string[],
  autoExtend: boolean,
): { code: 'unknown_directory_role'; roles: string[] } | { code: 'global_admin_auto_extend' } | null {
  const { roles, unknown } = normaliseRoles(names);
  if (unknown.length > 0) return { code: 'unknown_directory_role', roles: unknown };
  if (autoExtend && roles.includes(GLOBAL_ADMINISTRATOR)) return { code: 'global_admin_auto_extend' };
  return null;
}
