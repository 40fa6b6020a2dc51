-- Traslado 0001: partners, tenants, users, sessions, relationships, audit, idempotency, platform settings.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.

create table partners (
  id            text primary key,
  name          text not null,
  country       text not null,
  region        text not null,
  kind          text not null default 'direct-bill' check (kind in ('direct-bill', 'indirect-provider', 'indirect-reseller')),
  created_at    timestamptz not null
);

create table tenants (
  id              text primary key,
  company_name    text not null,
  default_domain  text not null,
  country         text not null,
  region          text not null,
  created_at      timestamptz not null
);
create unique index tenants_default_domain_key on tenants (lower(default_domain));

-- Sign-in accounts: partner staff, customer admins, the platform operator.
create table users (
  id             text primary key,
  email          text not null,
  display_name   text not null,
  password_hash  text not null,
  kind           text not null check (kind in ('partner', 'customer', 'operator')),
  partner_id     text references partners (id),
  tenant_id      text references tenants (id),
  created_at     timestamptz not null,
  check ((kind = 'partner') = (partner_id is not null)),
  check ((kind = 'customer') = (tenant_id is not null))
);
create unique index users_email_key on users (lower(email));

create table user_roles (
  user_id  text not null references users (id) on delete cascade,
  role     text not null check (role in ('account-admin', 'admin-agent', 'sales-agent', 'billing-agent',
                                         'global-admin', 'tenant-user', 'operator')),
  primary key (user_id, role)
);

-- A tenant's directory: the people who get licenses (not necessarily able to sign in here).
create table directory_users (
  id                   text primary key,
  tenant_id            text not null references tenants (id),
  user_principal_name  text not null,
  display_name         text not null,
  created_at           timestamptz not null
);
create unique index directory_users_upn_key on directory_users (tenant_id, lower(user_principal_name));

-- Sessions and API tokens: only a hash of the token is stored.
create table sessions (
  id            text primary key,
  token_hash    text not null unique,
  user_id       text not null references users (id) on delete cascade,
  kind          text not null check (kind in ('session', 'api-token')),
  name          text,
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);
create index sessions_user_idx on sessions (user_id);

-- Reseller relationships between a partner and a tenant. Tenant scoping reads this table.
create table relationships (
  id           text primary key,
  partner_id   text not null references partners (id),
  tenant_id    text not null references tenants (id),
  status       text not null check (status in ('accepted', 'removed')),
  accepted_at  timestamptz not null,
  removed_at   timestamptz,
  created_at   timestamptz not null
);
create unique index relationships_active_key on relationships (partner_id, tenant_id) where status = 'accepted';
create index relationships_tenant_idx on relationships (tenant_id);

create table audit_events (
  id                bigserial primary key,
  at                timestamptz not null,
  actor_user_id     text,
  actor_email       text,
  actor_roles       text[] not null default '{}',
  actor_partner_id  text,
  actor_tenant_id   text,
  action            text not null,
  target_type       text not null,
  target_id         text,
  tenant_id         text,
  partner_id        text,
  request_id        text,
  data              jsonb not null default '{}'
);
create index audit_events_partner_idx on audit_events (partner_id, id);
create index audit_events_tenant_idx on audit_events (tenant_id, id);
create index audit_events_actor_partner_idx on audit_events (actor_partner_id, id);

-- Saved first responses of creating calls, keyed by who called and the Idempotency-Key.
create table idempotency_keys (
  scope         text not null,
  key           text not null,
  request_hash  text not null,
  status_code   integer not null,
  response      jsonb not null,
  created_at    timestamptz not null,
  primary key (scope, key)
);

create table platform_settings (
  key    text primary key,
  value  jsonb not null
);
