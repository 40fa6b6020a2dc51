/**
 * The console's fetch client. The session lives in an HttpOnly cookie set by POST /api/auth/login
 * (never in localStorage); every non-GET call carries the CSRF token the server handed out.
 */

import i18n from 'i18next';
import type { components, paths } from './api-types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly data?: unknown,
  ) {
    super(description);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// Kept in memory only: the server hands it out again on GET /api/auth/me after a reload.
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

// Told when a call finds the session gone (expired or revoked elsewhere), so the console signs out.
let onSessionLost: (() => void) | undefined;
export function setSessionLostHandler(handler: (() => void) | undefined) {
  onSessionLost = handler;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Sent on creating calls; the caller keeps it for retries of the same user action. */
  idempotencyKey?: string;
  query?: Record<string, string | number | undefined | null>;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  // The server answers error descriptions in this language (English or Spanish), same code.
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': i18n.resolvedLanguage ?? i18n.language ?? 'en',
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'network_error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const body = (json ?? {}) as { code?: string; description?: string; data?: unknown };
    if (res.status === 401 && !path.startsWith('/api/auth/')) onSessionLost?.();
    throw new ApiError(
      res.status,
      body.code ?? 'http_error',
      body.description ?? `HTTP ${res.status}`,
      body.data,
    );
  }
  return json as T;
}

/** A list page with the total the filter shows (the server's sorted lists). */
export interface ListPage<T> extends Page<T> {
  total?: number;
}

/**
 * Downloads a list as CSV (`Accept: text/csv`): every row its filter shows, through the same
 * session and language as every other call; the browser saves it as `filename`.
 */
export async function downloadCsv(
  path: string,
  query: Record<string, string | number | undefined | null>,
  filename: string,
): Promise<void> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  let res: Response;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, {
      headers: { accept: 'text/csv', 'accept-language': i18n.resolvedLanguage ?? i18n.language ?? 'en' },
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'network_error');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { code?: string; description?: string };
    if (res.status === 401) onSessionLost?.();
    throw new ApiError(res.status, body.code ?? 'http_error', body.description ?? `HTTP ${res.status}`);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One transition of the partner's book (GET /api/transitions). */
export type BookTransition = Ok<'/api/transitions', 'get'>['items'][number];

export const TRANSITION_GROUPS = [
  'planned',
  'applying',
  'waiting-customer',
  'waiting-partner',
  'failed',
  'done',
] as const;

/** A bulk plan run in the list (GET /api/bulk-plan-runs). */
export type BulkRunSummary = Ok<'/api/bulk-plan-runs', 'get'>['items'][number];

/** A bulk plan run with its customers (GET /api/bulk-plan-runs/{runId}). */
export type BulkRunReport = Ok<'/api/bulk-plan-runs/{runId}', 'get'>;

/** Home for the whole book (GET /api/home). */
export type HomeData = Ok<'/api/home', 'get'>;

/** A key made once per user action and reused when the same action is retried. */
export function newIdempotencyKey(): string {
  // randomUUID exists only in secure contexts (HTTPS or localhost); a console opened over plain
  // HTTP on a LAN address still needs keys, and getRandomValues is available everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- API shapes the console reads: generated from the server's OpenAPI document ----
// web/src/api-types.ts is generated from openapi.json (npm run docs:openapi), so `tsc -p web`
// checks every view against the server's real contract. Names below are the console's; the
// server's shared schemas are listed in src/api-components.ts.

type Schemas = components['schemas'];
/** The JSON body of a path's 200 or 201 answer. */
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : never
  : never;

/** A user as the login answer and lists show it; `/api/auth/me` adds its permissions and CSRF token. */
export type User = Schemas['User'] & Partial<Pick<Schemas['Me'], 'csrfToken' | 'permissions'>>;
export type LoginResponse = Schemas['LoginResponse'];
/** Every money amount of a plan: minor units of `currency`. */
export type Money = Schemas['Money'];
export type Customer = Schemas['Customer'];
export type Subscription = Schemas['Subscription'];
export type ChangedSubscription = Schemas['ChangedSubscription'];
export type SubscriptionHistoryEntry = Schemas['SubscriptionHistoryEntry'];
export type UpgradeOptions = Schemas['UpgradeOptions'];
export type SeatPool = Schemas['SeatPool'];
export type Order = Schemas['Order'];
export type ServicePlan = Schemas['ServicePlan'];
export type UserLicense = Schemas['UserLicense'];
export type TenantUser = Schemas['TenantUser'];
export type Grant = Schemas['Grant'];
export type PartnerDelegatedAdmin = Schemas['PartnerDelegatedAdmin'];
export type DelegatedAdminAsked = NonNullable<Schemas['RelationshipRequest']['delegatedAdmin']>;
/** A partner's invitation; the answer that creates one also carries its link (`url`, `token`). */
export type RelationshipRequest = Schemas['RelationshipRequest'] &
  Partial<Pick<Ok<'/api/relationship-requests', 'post'>, 'url' | 'token'>>;
export type Invitation = Schemas['Invitation'];
export type Reason = Schemas['Reason'];
export type PlanLine = Schemas['PlanLine'];
export type TransitionStep = Schemas['Transition']['steps'][number];
export type Transition = Schemas['Transition'];
export type TransitionSummary = Schemas['TransitionSummary'];

/** What the planner is told to accept for a line (a request body, so written here). */
export interface Acknowledgment {
  sourceSubscriptionId: string;
  substituteOfferId?: string;
  addOnOfferIds?: string[];
}

export type Offer = Schemas['Offer'];
export type AuditEvent = Schemas['AuditEvent'];
export type Clock = Ok<'/api/clock', 'get'>;
export type TenantPartner = Schemas['TenantPartner'];
export type CustomerTask = Schemas['CustomerTaskPage']['items'][number];
export type TaskSku = NonNullable<CustomerTask['users']>[number]['remove'];
export type CreditRequest = Schemas['CreditRequest'];
export type Tenant = Ok<'/api/tenant', 'get'>;
/** A partner-to-partner transfer (SPEC §7): whole subscriptions change partner of record at once. */
export type Transfer = Schemas['Transfer'];
/** SPEC §9: the customer's Azure plan with this partner (usage-based). */
export type AzurePlan = Schemas['AzurePlan'];
export type AzureSubscription = Schemas['AzureSubscription'];
export type AzureUsage = Schemas['AzureUsage'];
export type AzureBlocker = Schemas['AzureBlocker'];
export type AzureCheckLine = Schemas['AzureCheckLine'];
export type AzureTransfer = Schemas['AzureTransfer'];
