import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/**
 * The typed view of the migrated schema. `test/schema.db.test.ts` checks it against the
 * database, so a migration that drifts from this file fails the suite.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface PartnersTable {
  id: string;
  name: string;
  country: string;
  region: string;
  kind: ColumnType<string, string | undefined, string>;
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
  password_hash: string;
  kind: 'partner' | 'customer' | 'operator';
  partner_id: string | null;
  tenant_id: string | null;
  created_at: Timestamp;
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
}

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
export type PartnerRow = Selectable<PartnersTable>;
export type TenantRow = Selectable<TenantsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
