/**
 * Words the error descriptions share, in English and Spanish: the values a code's params carry
 * (states, statuses, channels, roles, actions) said as a person would, never as an id. Spanish
 * follows Partner Center's terms (Administrador de cuentas, Agente de administrador, Agente de
 * ventas, Agente de facturación, inquilino, expirada).
 */
import { findDirectoryRole } from '../domain/directory-roles.ts';
import { REGION_NAMES, type Region } from '../domain/regions.ts';
import { ACTIONS, type Action } from './auth/permissions.ts';

export type Lang = 'en' | 'es';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** `a, b or c` / `a, b o c` (alternatives), or with `all`: `a, b and c` / `a, b y c`. */
export function list(items: unknown, lang: Lang, all = false): string {
  const xs = Array.isArray(items) ? items.map(str) : [];
  if (xs.length <= 1) return xs.join('');
  const last = all ? (lang === 'es' ? 'y' : 'and') : lang === 'es' ? 'o' : 'or';
  return `${xs.slice(0, -1).join(', ')} ${last} ${xs.at(-1)}`;
}

/** Spanish for what a partner may do (the action's description in permissions.ts). */
const ACTIONS_ES: Record<Action, string> = {
  'session.read': 'ver su propia cuenta y sus roles',
  'session.manage': 'cerrar sesión (aquí o en todas partes) y crear y revocar sus propios tokens de API',
  'session.password': 'cambiar su propia contraseña',
  'partner.read': 'ver el perfil del partner y sus usuarios',
  'partner.manage-users': 'añadir usuarios del partner y cambiar sus roles',
  'partner.manage-access':
    'deshabilitar o habilitar usuarios del partner y restablecer su contraseña con un enlace de un solo uso',
  'offers.read': 'consultar el catálogo',
  'customers.read': 'ver los clientes con los que el partner tiene relación',
  'customers.create': 'crear un inquilino de cliente con este partner como revendedor',
  'relationships.request': 'solicitar una relación de revendedor (enlace de invitación)',
  'subscriptions.read': 'ver las suscripciones de un cliente en todos los canales',
  'subscriptions.manage':
    'cambiar las suscripciones propias del partner (licencias, renovación automática, suspensión, cancelación)',
  'orders.create': 'pedir ofertas para un cliente',
  'licenses.read': 'ver los usuarios de un cliente y sus licencias',
  'licenses.manage': 'asignar y quitar licencias',
  'transitions.plan': 'planificar una transición (simulación)',
  'transitions.apply': 'aplicar un plan de transición',
  'billing.read': 'ver facturas, créditos y facturación',
  'credits.file': 'presentar una solicitud de crédito en nombre del cliente',
  'subscriptions.manage-direct':
    'desactivar la renovación automática o cancelar la suscripción directa del cliente en su nombre',
  'partner.manage-groups':
    'crear grupos de seguridad, añadirles agentes y darles roles de privilegios de administrador delegado por cliente',
  'delegated-admin.roles':
    'ver los roles de directorio que puede llevar una concesión de administrador delegado',
  'delegated-admin.request': 'pedir a un cliente privilegios de administrador delegado granulares (GDAP)',
  'transfers.read': 'ver las transferencias entre partners',
  'transfers.request': 'pedir a otro partner que transfiera las suscripciones de un cliente a este partner',
  'transfers.decide': 'aprobar o rechazar, como partner de registro, una transferencia de sus suscripciones',
  'indirect.read': 'ver los revendedores indirectos o proveedores indirectos vinculados',
  'indirect.manage': 'invitar a revendedores (proveedor) o aceptar el vínculo de un proveedor (revendedor)',
  'audit.read': 'consultar el registro de auditoría',
  'tenant.read': 'ver su propio inquilino, sus partners y sus suscripciones',
  'tenant.manage':
    'aceptar invitaciones, revocar privilegios de administrador delegado, cancelar suscripciones directas y presentar créditos',
  'operator.catalog': 'mantener el catálogo',
  'operator.tenants': 'crear inquilinos, sus usuarios y sus suscripciones registradas',
  'operator.clock': 'mover el reloj de la plataforma',
  'operator.billing': 'decidir solicitudes de crédito',
  'billing.price-rules': 'fijar los precios de cliente (márgenes por oferta y por cliente)',
  'invoices.read': 'ver las facturas y descargar sus archivos de conciliación',
  'notifications.read': 'ver y marcar como leídas sus propias notificaciones',
  'webhooks.manage': 'crear, ver y eliminar los webhooks del partner y reenviar sus entregas',
  'azure.read':
    'ver el plan de Azure de un cliente, sus suscripciones de Azure, su uso y sus transferencias de Azure',
  'azure.manage':
    'crear el plan de Azure y las suscripciones de Azure de un cliente, y deshabilitarlas o volver a habilitarlas',
  'azure.transfer':
    'comprobar y pasar al plan de Azure del partner las suscripciones de Azure propias de un cliente',
  'operator.usage': 'importar el uso valorado de Azure',
};

/** What an action lets one do, lower-case, for "your role does not allow you to …". */
export function actionText(action: unknown, lang: Lang): string | undefined {
  const a = str(action) as Action;
  if (!(a in ACTIONS)) return undefined;
  if (lang === 'es') return ACTIONS_ES[a];
  const d: string = ACTIONS[a];
  return d.charAt(0).toLowerCase() + d.slice(1);
}

const ROLES: Record<string, { en: string; es: string }> = {
  'account-admin': { en: 'Account admin', es: 'Administrador de cuentas' },
  'admin-agent': { en: 'Admin agent', es: 'Agente de administrador' },
  'sales-agent': { en: 'Sales agent', es: 'Agente de ventas' },
  'billing-agent': { en: 'Billing agent', es: 'Agente de facturación' },
  'global-admin': { en: 'Global admin', es: 'Administrador global' },
  'tenant-user': { en: 'Tenant user', es: 'Usuario del inquilino' },
  operator: { en: 'Operator', es: 'Operador' },
};

/**
 * A role by name: a partner or customer role of ours, a directory role (its Spanish name in
 * Spanish), or an action nobody's role carries (said as the act).
 */
export function roleName(role: unknown, lang: Lang): string {
  const r = str(role);
  const ours = ROLES[r];
  if (ours) return ours[lang];
  const dir = findDirectoryRole(r);
  if (dir) return lang === 'es' ? dir.nameEs : dir.name;
  const act = actionText(r, lang);
  if (act) return lang === 'es' ? `el permiso para ${act}` : `the right to ${act}`;
  return r;
}

export function roleList(roles: unknown, lang: Lang, all = false): string {
  return list(
    (Array.isArray(roles) ? roles : []).map((r) => roleName(r, lang)),
    lang,
    all,
  );
}

const STATUS_ES: Record<string, string> = {
  pending: 'pendiente',
  accepted: 'aceptada',
  declined: 'rechazada',
  rejected: 'rechazada',
  approved: 'aprobada',
  expired: 'expirada',
  withdrawn: 'retirada',
  completed: 'completada',
  cancelled: 'cancelada',
  requested: 'solicitada',
  submitted: 'presentada',
  active: 'activa',
  revoked: 'revocada',
  removed: 'eliminada',
  suspended: 'suspendida',
  disabled: 'deshabilitada',
  deleted: 'eliminada',
};

/** A state or status (of a request, transfer, credit or subscription), feminine in Spanish. */
export function statusWord(status: unknown, lang: Lang): string {
  const s = str(status);
  return lang === 'es' ? (STATUS_ES[s] ?? s) : s.replaceAll('-', ' ');
}

const CHANNEL: Record<string, { en: string; es: string }> = {
  direct: { en: 'direct', es: 'directa' },
  partner: { en: 'partner', es: 'de partner' },
  volume: { en: 'volume licensing', es: 'de licencias por volumen' },
  trial: { en: 'trial', es: 'de prueba' },
};

/** A subscription's channel as an adjective: "a direct subscription" / "una suscripción directa". */
export function channelWord(channel: unknown, lang: Lang): string {
  const c = str(channel);
  return CHANNEL[c]?.[lang] ?? c;
}

const KIND_ES: Record<string, string> = {
  partner: 'de partner',
  customer: 'de cliente',
  operator: 'operador',
};

/** A user's kind as an adjective: "a customer user" / "un usuario de cliente". */
export function userKindWord(kind: unknown, lang: Lang): string {
  const k = str(kind);
  return lang === 'es' ? (KIND_ES[k] ?? k) : k;
}

/** Seconds as a person says them: "1 second", "90 seconds" / "1 segundo", "90 segundos". */
export function seconds(n: unknown, lang: Lang): string {
  const v = Number(n);
  if (lang === 'es') return `${v} ${v === 1 ? 'segundo' : 'segundos'}`;
  return `${v} ${v === 1 ? 'second' : 'seconds'}`;
}

/** An ISO time as a day (`2026-01-31`) or day and UTC time (`2026-01-31 12:00 UTC`). */
export function when(iso: unknown): string {
  const s = str(iso);
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
  if (!m) return s;
  return m[2] === '00:00' ? m[1]! : `${m[1]} ${m[2]} UTC`;
}

const REGIONS_ES: Record<Region, string> = {
  africa: 'África',
  'asia-pacific': 'Asia-Pacífico',
  australia: 'Australia',
  brazil: 'Brasil',
  canada: 'Canadá',
  china: 'China',
  europe: 'Europa',
  india: 'India',
  japan: 'Japón',
  korea: 'Corea',
  'latin-america': 'Latinoamérica y el Caribe',
  'middle-east-cee': 'Oriente Medio / Europa Central y Oriental',
  'new-zealand': 'Nueva Zelanda',
  taiwan: 'Taiwán',
  'united-states': 'Estados Unidos',
};

/** A region by id (`europe`) or by English name (`Europe`), named in the language. */
export function regionName(region: unknown, lang: Lang): string {
  const r = str(region);
  const id = (Object.keys(REGION_NAMES) as Region[]).find((k) => k === r || REGION_NAMES[k] === r);
  if (!id) return r;
  return lang === 'es' ? REGIONS_ES[id] : REGION_NAMES[id];
}
