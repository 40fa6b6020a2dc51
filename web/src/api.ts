/**
 * The console's fetch client. The session lives in an HttpOnly cookie set by POST /api/auth/login
 * (never in localStorage); every non-GET call carries the CSRF token the server handed out.
 */

import i18n from 'i18next';

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
export interface BookTransition {
  id: string;
  customer: { tenantId: string; companyName: string; defaultDomain: string };
  tenantId: string;
  verdict: string;
  status: string;
  group: string;
  lines: number;
  plannedAt: string;
  createdAt: string;
  updatedAt: string;
}

export const TRANSITION_GROUPS = [
  'planned',
  'applying',
  'waiting-customer',
  'waiting-partner',
  'failed',
  'done',
] as const;

export interface BulkRunSummary {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  customers: number;
  counts: Record<'ready' | 'needs-acknowledgment' | 'blocked' | 'refused' | 'under-way', number>;
}

export interface BulkRunReport extends BulkRunSummary {
  items: {
    tenantId: string;
    companyName: string | null;
    transitionId: string | null;
    verdict: string;
    reasons: { code: string; line?: number; text: string; textEs: string }[];
  }[];
}

export interface HomeData {
  now: string;
  attention: {
    total: number;
    items: {
      subscriptionId: string;
      customer: { tenantId: string; companyName: string; defaultDomain: string };
      offerId: string;
      offerName: string | null;
      channel: string;
      status: string;
      expired: boolean;
      termEnd: string;
      autoRenew: boolean;
    }[];
  };
  transitions: Record<string, number>;
  pendingRequests: {
    id: string;
    customer: { tenantId: string; companyName: string; defaultDomain: string } | null;
    createdAt: string;
    expiresAt: string;
  }[];
  plansAwaitingAcknowledgment: {
    transitionId: string;
    customer: { tenantId: string; companyName: string };
    verdict: string;
    createdAt: string;
  }[];
}

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

// ---- API shapes the console reads (see ../shared/API.md and src/modules/*/*.schemas.ts) ----

export interface User {
  id: string;
  email: string;
  displayName?: string;
  kind: 'partner' | 'customer' | 'operator' | string;
  roles: string[];
  partnerId?: string;
  tenantId?: string;
  csrfToken?: string;
  /** The actions the user may take (from /api/auth/me; absent in the login answer's user). */
  permissions?: string[];
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: User;
  csrfToken?: string;
}

/** Every money amount of a plan: minor units of `currency`. */
export interface Money {
  amount: number;
  currency: string;
}

export interface Customer {
  id: string;
  companyName: string;
  defaultDomain: string;
  country: string;
  region: string;
  createdAt: string;
  relationship?: { id: string; status: string; acceptedAt?: string | null } | null;
}

export interface Subscription {
  id: string;
  tenantId: string;
  offerId: string;
  offerName?: string;
  skuId: string;
  quantity: number;
  assignedSeats: number;
  status: string;
  channel: string;
  partnerId?: string;
  purchasedVia?: string;
  billingCycle: string;
  term?: string;
  termStart: string;
  termEnd: string;
  autoRenew: boolean;
  unitPrice?: number | null;
  currency?: string | null;
  canChange?: boolean;
  nextChangeAt?: string | null;
  refundWindow?: { hours: number; endsAt: string | null; isOpen: boolean };
}

export interface ChangedSubscription extends Subscription {
  amountRefunded: number;
  amountLost: number;
}

export interface SubscriptionHistoryEntry {
  id: string;
  at: string;
  action: string;
  actorEmail: string | null;
  quantity?: { from?: number; to: number };
  autoRenew?: boolean;
  status?: string;
  offer?: { from: string | null; to: string };
  amountRefunded?: number;
  amountCredited?: number;
  amountCharged?: number;
}

export interface UpgradeOptions {
  subscriptionId: string;
  offerId: string;
  market: string;
  items: {
    offerId: string;
    name: string;
    skuId: string;
    unitPrice: number;
    currency: string | null;
    minQuantity: number;
    maxQuantity: number;
    estimate: { credit: number; charge: number; net: number };
  }[];
}

export interface SeatPool {
  skuId: string;
  skuPartNumber: string | null;
  name: string | null;
  seats: number;
  assigned: number;
  available: number;
  graceSeats: number;
}

export interface Order {
  id: string;
  tenantId: string;
  status: string;
  createdAt: string;
  lineItems: {
    offerId: string;
    quantity: number;
    subscriptionId: string;
    offerName?: string;
    amount?: number;
    currency?: string;
  }[];
  totals?: { amount: number; currency: string }[];
}

export interface ServicePlan {
  id: string;
  name: string;
  workload: string;
  holdsUserData: boolean;
  quotaLabel?: string;
}

export interface UserLicense {
  skuId: string;
  skuPartNumber?: string;
  name?: string;
  excludedPlans: string[];
  hasAccess: boolean;
  servicePlans?: ServicePlan[];
}

export interface TenantUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  licenses: UserLicense[];
  hasAccess: boolean;
}

export interface Grant {
  id: string;
  partnerId: string;
  tenantId: string;
  kind: 'dap' | 'gdap';
  roles: string[];
  durationDays: number | null;
  autoExtend: boolean;
  status: string;
  requestedAt: string;
  approvedAt: string | null;
  expiresAt: string | null;
  requestExpiresAt: string | null;
  endedAt: string | null;
}

export interface PartnerDelegatedAdmin {
  tenantId: string;
  partnerId: string;
  canActOnBehalf: boolean;
  grants: Grant[];
}

export interface DelegatedAdminAsked {
  roles: string[];
  durationDays: number;
  autoExtend: boolean;
}

export interface RelationshipRequest {
  id: string;
  status: string;
  tenantId: string | null;
  /** The customer the request is for (null for a prospect until one accepts). */
  customer?: { name: string | null; domain: string } | null;
  delegatedAdmin: DelegatedAdminAsked | null;
  createdAt: string;
  expiresAt: string;
  respondedAt: string | null;
  relationshipId: string | null;
  url?: string;
  token?: string;
}

export interface Invitation {
  kind: string;
  partner: { name: string; country: string; region: string; regionName?: string };
  dap: boolean;
  delegatedAdmin: DelegatedAdminAsked | null;
  expiresAt: string;
}

export interface Reason {
  code: string;
  params: Record<string, unknown>;
  text: string;
  textEs: string;
}

export interface PlanLine {
  sourceSubscriptionId: string;
  sourceOfferId: string;
  sourceSkuId: string;
  channel: string;
  targetOfferId: string | null;
  addOnOfferIds: string[];
  targetSkuIds: string[];
  choice?: string;
  quantity: number;
  assignedSeats?: number;
  reassignLicenses: boolean;
  reassignments?: { userId: string; userPrincipalName: string }[];
  disposition: string;
  /** For an `under-way` line: the transition that already moves this source (null: another partner's). */
  transitionId?: string | null;
  provisionAt?: string;
  provisionOn?: string;
  provision?: 'now' | 'before-end';
  recommendedProvision?: 'now' | 'before-end';
  provisionOptions?: { when: 'now' | 'before-end'; on: string; overlapCost: Money }[];
  cancellable?: boolean;
  sourceActor?: string;
  sourceEndsAt?: string;
  /** In the source's currency (`sourceCurrency`). */
  lossIfCancelledNow: Money;
  overlapCost?: Money;
  /** The target's currency: what the tenant pays in, in its market. */
  currency?: string;
  sourceCurrency?: string;
  creditEligible: boolean;
  creditFiledBy?: 'partner' | 'customer';
  creditAmount?: Money;
  creditCurrency?: string;
  workloadsAtRisk?: string[];
  verdict: string;
  reasons: Reason[];
  /** The delegated-admin roles this line's partner steps need, and whether the planner holds them. */
  requiredRoles?: string[];
  appliedBy?: { canApply: boolean; missing: string[] };
}

export interface TransitionStep {
  key: string;
  kind: string;
  lineIndex: number | null;
  actor: string;
  dueAt: string;
  status: string;
  attempts: number;
  error: string | null;
}

export interface Transition {
  id: string;
  tenantId: string;
  customer?: { tenantId: string; companyName: string; defaultDomain: string };
  bought?: { orders: string[]; subscriptions: string[] };
  partnerId: string;
  status: string;
  verdict: string;
  path: string;
  plannedAt: string;
  reasons: Reason[];
  lines: PlanLine[];
  timeline: { at: string; step: string; lineIndex: number; actor: string }[];
  seats: { skuId: string; points: { at: string; pool: number; assigned: number }[] }[];
  /** One entry per currency: sums never mix currencies. */
  totals: {
    currency: string;
    quantity: number;
    sourceSeats: number;
    overlapCost: Money;
    lossIfCancelledNow: Money;
  }[];
  steps: TransitionStep[];
  /** SPEC §9: the customer's own Azure subscriptions, with their path and blockers (absent on old plans). */
  azure?: AzureCheckLine[];
}

export interface TransitionSummary {
  id: string;
  status: string;
  verdict: string;
  plannedAt: string;
  lines: number;
}

export interface Acknowledgment {
  sourceSubscriptionId: string;
  substituteOfferId?: string;
  addOnOfferIds?: string[];
}

export interface Offer {
  id: string;
  name: string;
  skuId: string;
  skuPartNumber: string;
  kind: string;
  term: string;
  billingCycle: string;
  minQuantity: number;
  maxQuantity: number;
  status: string;
  existingCustomersOnly: boolean;
  successorOfferId?: string | null;
  successorAddOnOfferIds?: string[];
  markets: string[];
  unitPrice: number | null;
  currency?: string | null;
  segment?: string;
  purpose?: string;
  family?: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { userId: string | null; email: string | null; roles: string[] };
  action: string;
  targetType: string;
  targetId: string | null;
  tenantId: string | null;
  requestId: string | null;
  /** The customer's company name, when the row is about a tenant. */
  tenantName?: string | null;
  /** The target's name (a customer, partner, user's e-mail or offer), when it has one. */
  targetName?: string | null;
}

export interface Clock {
  now: string;
  offsetDays: number;
  unlocked: boolean;
}

export interface TenantPartner {
  partner: { id: string; name: string; country: string; region: string; kind: string };
  relationship: { id: string; status: string; acceptedAt: string | null };
  delegatedAdmin: { canActOnBehalf: boolean; grants: Grant[] };
}

export interface TaskSku {
  skuId: string;
  skuPartNumber: string | null;
  name: string | null;
}

export interface CustomerTask {
  transitionId: string | null;
  step: string;
  /** waiting: to do now; upcoming: on `dueAt`. */
  status: 'waiting' | 'upcoming';
  partner: { id: string; name: string };
  subscriptionId: string | null;
  dueAt: string;
  detail: Record<string, unknown>;
  /** A license move: every user, the SKUs to assign and the SKU to remove. */
  users?: { userId: string; userPrincipalName: string; assign: TaskSku[]; remove: TaskSku }[];
}

export interface CreditRequest {
  id: string;
  tenantId: string;
  /** The customer's company name (in lists). */
  customerName?: string | null;
  subscriptionId: string;
  filedBy: 'customer' | 'partner';
  partnerId: string | null;
  reason: string;
  amount: number | null;
  newSubscriptionId?: string | null;
  currency?: string | null;
  status: string;
  decidedAmount: number | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface Tenant {
  id: string;
  companyName: string;
  defaultDomain: string;
  country: string;
  region: string;
}

/** A partner-to-partner transfer (SPEC §7): whole subscriptions change partner of record at once. */
export interface Transfer {
  id: string;
  tenantId: string;
  tenantName: string;
  sourcePartnerId: string;
  sourcePartnerName: string;
  targetPartnerId: string;
  targetPartnerName: string;
  status: 'pending' | 'completed' | 'rejected' | 'expired';
  direction?: 'incoming' | 'outgoing';
  lineItems: {
    subscriptionId: string;
    status: 'pending' | 'transferred' | 'declined';
    offerName?: string;
    quantity?: number;
    termEnd?: string;
  }[];
  transitionId: string | null;
  expiresAt: string;
  decidedAt: string | null;
  createdAt: string;
}

/** SPEC §9: the customer's Azure plan with this partner (usage-based). */
export interface AzurePlan {
  id: string;
  tenantId: string;
  partnerId: string;
  currency: string;
  status: string;
  createdAt: string;
}

export interface AzureSubscription {
  id: string;
  tenantId: string;
  kind: string;
  friendlyName: string;
  status: string;
  partnerId: string | null;
  currency: string;
  originKind: string | null;
  movedFromSubscriptionId: string | null;
  deletesAt: string | null;
  resources: { resourceId: string; resourceType: string; movedFromSubscriptionId: string | null }[];
}

export interface AzureUsage {
  month: string;
  items: {
    subscriptionId: string;
    date: string;
    meterId: string;
    meterName: string;
    meterCategory: string;
    unit: string;
    quantity: string;
    amount: Money;
  }[];
  totals: Money[];
}

export interface AzureBlocker {
  code: string;
  resourceType?: string;
  resourceId?: string;
  blocksSubscription: boolean;
  description: string;
}

export interface AzureCheckLine {
  subscriptionId: string;
  friendlyName: string;
  kind: string;
  path: 'billing-transfer' | 'resource-move';
  eligible: boolean;
  blockers: AzureBlocker[];
  resources: { resourceId: string; resourceType: string; canMove: boolean; downtimeRisk: string }[];
  azureTransferId?: string;
  azureTransferStatus?: string;
}

export interface AzureTransfer {
  id: string;
  tenantId: string;
  partnerId: string;
  createdAt: string;
  lines: {
    subscriptionId: string;
    friendlyName: string;
    kind: string;
    path: 'billing-transfer' | 'resource-move';
    eligible: boolean;
    status: string;
    blockers: AzureBlocker[];
    newSubscriptionId: string | null;
  }[];
}
