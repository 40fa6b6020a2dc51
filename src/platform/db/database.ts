import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/**
 * The typed view of the migrated schema. `test/schema/database-interface.test.ts` checks it against the
 * database, so a migration that drifts from this file fails the suite.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface PartnersTable {
  id: string;
  name: string;
  country: string;
  region: string;
  kind: ColumnType<string, string | undefined, string>;
  /** Certified Azure expert managed services provider (migration 0020): may take billing transfers. */
  azure_expert_msp: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
}

export interface TenantsTable {
  id: string;
  company_name: string;
  default_domain: string;
  country: string;
  region: string;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  /** Null until the account's holder sets one through a one-time link. */
  password_hash: string | null;
  kind: 'partner' | 'customer' | 'operator';
  partner_id: string | null;
  tenant_id: string | null;
  created_at: Timestamp;
  disabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface DirectoryUsersTable {
  id: string;
  tenant_id: string;
  user_principal_name: string;
  display_name: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  kind: 'session' | 'api-token';
  name: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface RelationshipsTable {
  id: string;
  partner_id: string;
  tenant_id: string;
  status: 'accepted' | 'removed';
  accepted_at: Timestamp;
  removed_at: Timestamp | null;
  /** For an indirect reseller: the provider that transacts for it with this tenant (migration 0018). */
  indirect_provider_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: Timestamp;
  actor_user_id: string | null;
  actor_email: string | null;
  actor_roles: ColumnType<string[], string[] | undefined, string[]>;
  actor_partner_id: string | null;
  actor_tenant_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  tenant_id: string | null;
  partner_id: string | null;
  request_id: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

export interface PlatformSettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
}

export interface DelegatedAdminGrantsTable {
  id: string;
  partner_id: string;
  tenant_id: string;
  kind: 'dap' | 'gdap';
  roles: ColumnType<string[], string[] | undefined, string[]>;
  duration_days: number | null;
  auto_extend: ColumnType<boolean, boolean | undefined, boolean>;
  status: 'requested' | 'active' | 'declined' | 'revoked' | 'removed';
  requested_at: Timestamp;
  approved_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
  request_expires_at: Timestamp | null;
  relationship_request_id: string | null;
}

export interface SecurityGroupsTable {
  id: string;
  partner_id: string;
  name: string;
  auto_assign_roles: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SecurityGroupMembersTable {
  group_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface DelegatedAdminAssignmentsTable {
  grant_id: string;
  group_id: string;
  role: string;
  created_at: Timestamp;
}

export interface RelationshipRequestsTable {
  id: string;
  partner_id: string;
  tenant_id: string | null;
  token_hash: string;
  delegated_admin: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  status: 'pending' | 'accepted' | 'declined' | 'withdrawn';
  created_by_user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  responded_at: Timestamp | null;
  responded_by_user_id: string | null;
  responded_tenant_id: string | null;
  relationship_id: string | null;
  /** A reseller asking through one of its providers: accepting relates both (migration 0018). */
  indirect_provider_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CreditRequestsTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  filed_by: 'customer' | 'partner';
  partner_id: string | null;
  filed_by_user_id: string | null;
  reason: string;
  requested_amount: number | null;
  new_subscription_id: ColumnType<string | null, string | null | undefined, string | null>;
  currency: ColumnType<string | null, string | null | undefined, string | null>;
  status: 'submitted' | 'approved' | 'rejected';
  decided_amount: number | null;
  decided_at: Timestamp | null;
  decided_by_user_id: string | null;
  created_at: Timestamp;
}

export interface DelegatedAdminRemindersTable {
  grant_id: string;
  expires_at: Date;
  days_before: number;
  sent_at: Date;
}

export interface OutboxEventsTable {
  id: string;
  type: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  published_at: Timestamp | null;
  /** Insertion order (an identity column): deliveries of one subject go out in this order. */
  seq: Generated<number>;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  event_id: string;
  event_seq: number;
  kind: string;
  partner_id: string | null;
  tenant_id: string | null;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

export interface WebhooksTable {
  id: string;
  partner_id: string;
  url: string;
  events: ColumnType<string[], string, string>;
  secret: string;
  created_by_user_id: string | null;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  subject: string;
  seq: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface CatalogProductsTable {
  sku_id: string;
  sku_part_number: string;
  name: string;
  service_plans: ColumnType<{ id: string; name: string; displayName?: string }[], string, string>;
  source: 'reference' | 'operator';
  created_at: Timestamp;
  updated_at: Timestamp;
  // SPEC §11 classes (0011); null on rows stored before them.
  segment: ColumnType<
    'commercial' | 'education' | 'government' | 'nonprofit' | null,
    string | null | undefined,
    string | null
  >;
  purpose: ColumnType<
    'user' | 'unattended' | 'device' | 'developer' | 'trial' | 'free' | null,
    string | null | undefined,
    string | null
  >;
  family: ColumnType<string | null, string | null | undefined, string | null>;
  is_add_on: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  requires_base_sku_ids: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  max_seats: ColumnType<number | null, number | null | undefined, number | null>;
  refund_window_hours: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface OffersTable {
  id: string;
  name: string;
  sku_id: string;
  kind: 'base' | 'add-on';
  base_offer_ids: ColumnType<string[], string[] | undefined, string[]>;
  billing_kind: 'license' | 'usage';
  term: 'P1M' | 'P1Y' | 'P3Y';
  billing_cycle: 'monthly' | 'annual';
  min_quantity: number;
  max_quantity: number;
  markets: ColumnType<string[], string[] | undefined, string[]>;
  unit_price: number | null;
  currency: string | null;
  refund_window_hours: number;
  status: 'available' | 'end-of-sale';
  existing_customers_only: boolean;
  successor_offer_id: string | null;
  successor_add_on_offer_ids: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** An offer's price in one market, term and billing plan, over a span of days (migration 0014). */
export interface OfferPricesTable {
  offer_id: string;
  market: string;
  currency: string;
  term: 'P1M' | 'P1Y' | 'P3Y';
  billing_cycle: 'monthly' | 'annual';
  unit_price: number;
  /** ISO dates (YYYY-MM-DD) on write; read them with to_char (see catalog.repo). */
  effective_from: ColumnType<Date, string, string>;
  effective_to: ColumnType<Date | null, string | null, string | null>;
}

export interface OrdersTable {
  id: string;
  tenant_id: string;
  partner_id: string;
  created_by_user_id: string | null;
  status: 'completed';
  line_items: ColumnType<{ offerId: string; quantity: number; subscriptionId: string }[], string, string>;
  /** An indirect reseller the provider ordered for (migration 0018). */
  partner_on_record_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface SubscriptionsTable {
  id: string;
  tenant_id: string;
  offer_id: string;
  sku_id: string;
  quantity: number;
  channel: 'direct' | 'partner' | 'volume' | 'trial';
  partner_id: string | null;
  purchased_via: string | null;
  order_id: string | null;
  billing_cycle: 'monthly' | 'annual';
  term: 'P1M' | 'P1Y' | 'P3Y';
  term_start: Timestamp;
  term_end: Timestamp;
  auto_renew: boolean;
  unit_price: number;
  currency: string | null;
  refund_window_hours: number;
  purchased_at: Timestamp;
  /** Open batches of added seats, each with its own refund window (migration 0013). */
  seat_batches: ColumnType<{ seats: number; addedAt: string }[], string | undefined, string>;
  suspended_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  /** The open partner-to-partner transfer holding it (migration 0017): nobody changes it meanwhile. */
  transfer_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** An indirect reseller the provider (`partner_id`) sold it for (migration 0018). */
  partner_on_record_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The start of the last charge period billed (migration 0023): the billing sweep looks past it. */
  billed_through: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SubscriptionSeatReductionsTable {
  id: string;
  subscription_id: string;
  tenant_id: string;
  partner_id: string | null;
  sku_id: string;
  seats: number;
  grace_seats: number;
  reduced_at: Timestamp;
  grace_ends_at: Timestamp;
  settled_at: Timestamp | null;
}

export interface SubscriptionSeatReductionNoticesTable {
  reduction_id: string;
  days_before: number;
  sent_at: Timestamp;
}

export interface LicenseAssignmentsTable {
  tenant_id: string;
  directory_user_id: string;
  sku_id: string;
  excluded_plans: ColumnType<string[], string[] | undefined, string[]>;
  assigned_at: Timestamp;
}

/** A bulk plan run (migration 0024). */
export interface BulkPlanRunsTable {
  id: string;
  partner_id: string;
  created_at: Date;
  finished_at: Date | null;
  customers: Generated<number>;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
}

/** One customer of a bulk plan run: its verdict, reasons and saved transition. */
export interface BulkPlanRunCustomersTable {
  run_id: string;
  seq: number;
  tenant_id: string;
  company_name: string | null;
  transition_id: string | null;
  verdict: string;
  reasons: ColumnType<{ code: string; params: Record<string, unknown>; line?: number }[], string, string>;
}

export interface TransitionsTable {
  id: string;
  tenant_id: string;
  partner_id: string;
  created_by_user_id: string | null;
  status: 'planned' | 'applying' | 'waiting' | 'applied' | 'failed';
  verdict: 'ready' | 'needs-acknowledgment' | 'blocked';
  options: ColumnType<Record<string, unknown>, string, string>;
  plan: ColumnType<unknown, string, string>;
  planned_at: Timestamp;
  apply_requested_at: Timestamp | null;
  apply_requested_by: string | null;
  finished_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TransitionStepsTable {
  transition_id: string;
  step_key: string;
  seq: number;
  line_index: number | null;
  kind: string;
  actor: string;
  due_at: Timestamp;
  status: 'pending' | 'running' | 'done' | 'waiting' | 'failed' | 'skipped';
  attempts: ColumnType<number, number | undefined, number>;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
  error: string | null;
  updated_at: Timestamp;
}

/** A source subscription claimed by an open transition (at most one unreleased claim per source). */
export interface TransitionClaimsTable {
  source_subscription_id: string;
  transition_id: string;
  tenant_id: string;
  line_index: number;
  claimed_at: Timestamp;
  released_at: Timestamp | null;
}

export interface TransfersTable {
  id: string;
  tenant_id: string;
  source_partner_id: string;
  target_partner_id: string;
  status: 'pending' | 'completed' | 'rejected' | 'expired';
  requested_by_user_id: string | null;
  transition_id: string | null;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
  decided_by_user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IndirectLinksTable {
  provider_id: string;
  reseller_id: string;
  status: 'active' | 'removed';
  created_at: Timestamp;
}

export interface IndirectInvitationsTable {
  id: string;
  provider_id: string;
  token_hash: string;
  status: 'pending' | 'accepted';
  created_by_user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  accepted_by_user_id: string | null;
  reseller_id: string | null;
}

export interface TransferLineItemsTable {
  transfer_id: string;
  subscription_id: string;
  status: 'pending' | 'transferred' | 'declined';
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_start: Timestamp;
  locked_until: Timestamp | null;
}

export interface PasswordLinksTable {
  id: string;
  token_hash: string;
  user_id: string;
  purpose: 'reset' | 'set';
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** Invoices (migration 0019): one per partner, currency and closed month. */
export interface InvoicesTable {
  id: string;
  number: string;
  partner_id: string;
  currency: string;
  /** A date column: both drivers read it as a Date; select it `::text` to get the UTC day. */
  period_start: ColumnType<Date, string, string>;
  period_end: ColumnType<Date, string, string>;
  total: number;
  line_count: number;
  status: 'issued';
  created_at: Timestamp;
}

export type ChargeType =
  | 'new'
  | 'renew'
  | 'addQuantity'
  | 'removeQuantity'
  | 'cancel'
  | 'cycleCharge'
  | 'transferIn'
  | 'transferOut'
  | 'convert'
  | 'usage'
  | 'credit';

/** Billing lines (migration 0019): one per causing event, keyed by `source_key`. */
export interface BillingLinesTable {
  id: string;
  source_key: string;
  partner_id: string;
  reseller_partner_id: string | null;
  tenant_id: string;
  subscription_id: string | null;
  order_id: string | null;
  offer_id: string | null;
  product_id: string | null;
  product_name: string | null;
  sku_id: string | null;
  sku_name: string | null;
  charge_type: ChargeType;
  unit_price: number;
  effective_unit_price: number;
  unit_type: ColumnType<string, string | undefined, string>;
  /** Exact decimals as text (numeric): seats are whole, usage is not. */
  quantity: ColumnType<string, string | number, string | number>;
  billable_quantity: ColumnType<string, string | number, string | number>;
  subtotal: number;
  tax_total: ColumnType<number, number | undefined, number>;
  total: number;
  currency: string;
  customer_unit_price: number;
  customer_subtotal: number;
  /** A date column: both drivers read it as a Date; select it `::text` to get the UTC day. */
  charge_start: ColumnType<Date, string, string>;
  charge_end: ColumnType<Date, string, string>;
  term: string | null;
  billing_cycle: string | null;
  reference_id: string | null;
  credit_reason_code: string | null;
  occurred_at: Timestamp;
  /** A date column: both drivers read it as a Date; select it `::text` to get the UTC day. */
  billing_month: ColumnType<Date, string, string>;
  invoice_id: string | null;
  created_at: Timestamp;
}

/** A partner's markup, in basis points, per offer and optionally per customer (migration 0019). */
export interface PriceRulesTable {
  id: string;
  partner_id: string;
  offer_id: string | null;
  tenant_id: string | null;
  markup_bp: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A partner's Azure plan for one customer (migration 0020). */
export interface AzurePlansTable {
  id: string;
  tenant_id: string;
  partner_id: string;
  currency: string;
  created_by_user_id: string | null;
  created_at: Timestamp;
}

export type AzureKind =
  | 'azure-plan'
  | 'pay-as-you-go'
  | 'enterprise-agreement'
  | 'enterprise-customer-agreement'
  | 'other';

export interface AzureSubscriptionsTable {
  id: string;
  tenant_id: string;
  kind: AzureKind;
  partner_id: string | null;
  plan_id: string | null;
  friendly_name: string;
  status: 'active' | 'disabled' | 'deleted';
  currency: string;
  billing_country: string;
  billing_account_id: string | null;
  origin_kind: string | null;
  partner_since: Timestamp | null;
  moved_from_subscription_id: string | null;
  disabled_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AzureResourcesTable {
  subscription_id: string;
  resource_id: string;
  resource_type: string;
  is_classic: ColumnType<boolean, boolean | undefined, boolean>;
  has_reservation: ColumnType<boolean, boolean | undefined, boolean>;
  is_marketplace: ColumnType<boolean, boolean | undefined, boolean>;
  moved_from_subscription_id: string | null;
  moved_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AzureUsageTable {
  subscription_id: string;
  /** ISO date on write; read with to_char. */
  usage_date: ColumnType<Date, string, string>;
  meter_id: string;
  resource_id: string;
  meter_name: string;
  meter_category: string;
  unit: string;
  /** numeric: written and read as a decimal string (read with ::text), never a float. */
  quantity: ColumnType<string, string, string>;
  unit_price: number;
  amount: number;
  currency: string;
  imported_at: Timestamp;
}

export interface AzureTransfersTable {
  id: string;
  tenant_id: string;
  partner_id: string;
  requested_by_user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AzureTransferLinesTable {
  transfer_id: string;
  subscription_id: string;
  path: 'billing-transfer' | 'resource-move';
  eligible: boolean;
  blockers: ColumnType<
    { code: string; resourceType?: string; resourceId?: string; blocksSubscription: boolean }[],
    string,
    string
  >;
  status: 'blocked' | 'awaiting-approval' | 'ready' | 'completed';
  new_subscription_id: string | null;
  completed_at: Timestamp | null;
  completed_by_user_id: string | null;
}

export interface Database {
  partners: PartnersTable;
  tenants: TenantsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  directory_users: DirectoryUsersTable;
  sessions: SessionsTable;
  relationships: RelationshipsTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  platform_settings: PlatformSettingsTable;
  delegated_admin_grants: DelegatedAdminGrantsTable;
  delegated_admin_reminders: DelegatedAdminRemindersTable;
  delegated_admin_assignments: DelegatedAdminAssignmentsTable;
  security_groups: SecurityGroupsTable;
  security_group_members: SecurityGroupMembersTable;
  login_failures: LoginFailuresTable;
  password_links: PasswordLinksTable;
  transitions: TransitionsTable;
  transition_steps: TransitionStepsTable;
  transition_claims: TransitionClaimsTable;
  bulk_plan_runs: BulkPlanRunsTable;
  bulk_plan_run_customers: BulkPlanRunCustomersTable;
  relationship_requests: RelationshipRequestsTable;
  credit_requests: CreditRequestsTable;
  outbox_events: OutboxEventsTable;
  catalog_products: CatalogProductsTable;
  offers: OffersTable;
  offer_prices: OfferPricesTable;
  orders: OrdersTable;
  subscriptions: SubscriptionsTable;
  license_assignments: LicenseAssignmentsTable;
  subscription_seat_reductions: SubscriptionSeatReductionsTable;
  subscription_seat_reduction_notices: SubscriptionSeatReductionNoticesTable;
  transfers: TransfersTable;
  transfer_line_items: TransferLineItemsTable;
  indirect_links: IndirectLinksTable;
  indirect_invitations: IndirectInvitationsTable;
  invoices: InvoicesTable;
  billing_lines: BillingLinesTable;
  price_rules: PriceRulesTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  azure_plans: AzurePlansTable;
  azure_subscriptions: AzureSubscriptionsTable;
  azure_resources: AzureResourcesTable;
  azure_usage: AzureUsageTable;
  azure_transfers: AzureTransfersTable;
  azure_transfer_lines: AzureTransferLinesTable;
}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type PartnerRow = Selectable<PartnersTable>;
export type TenantRow = Selectable<TenantsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
