-- Traslado 0004: reseller-relationship invitations, GDAP request fields, credit requests, outbox.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.

-- A partner's request for a reseller relationship: an invitation link with a signed, single-use,
-- expiring token. Only a hash of the token is kept. `tenant_id` is null for a prospect (whichever
-- tenant's global admin accepts it); `responded_tenant_id` is the tenant that answered.
create table relationship_requests (
  id                   text primary key,
  partner_id           text not null references partners (id),
  tenant_id            text references tenants (id),
  token_hash           text not null unique,
  -- The delegated admin asked for with the relationship (GDAP roles and duration), or null.
  delegated_admin      jsonb,
  status               text not null check (status in ('pending', 'accepted', 'declined', 'withdrawn')),
  created_by_user_id   text,
  created_at           timestamptz not null,
  expires_at           timestamptz not null,
  responded_at         timestamptz,
  responded_by_user_id text,
  responded_tenant_id  text references tenants (id),
  relationship_id      text references relationships (id)
);
create index relationship_requests_partner_idx on relationship_requests (partner_id, created_at, id);

-- A GDAP request expires unapproved after a while; its end is stored, not recomputed.
alter table delegated_admin_grants add column request_expires_at timestamptz;
alter table delegated_admin_grants add column relationship_request_id text references relationship_requests (id);
create index delegated_admin_grants_tenant_idx on delegated_admin_grants (tenant_id, status);

-- Credit requests for subscriptions bought direct, routed to the operator's billing support.
-- subscription_id names a row of the subscriptions module's table (no foreign key: that module
-- owns its table and its migrations).
create table credit_requests (
  id                    text primary key,
  tenant_id             text not null references tenants (id),
  subscription_id       text not null,
  filed_by              text not null check (filed_by in ('customer', 'partner')),
  partner_id            text references partners (id),
  filed_by_user_id      text,
  reason                text not null,
  -- Minor units (cents); null = "whatever billing support finds due".
  requested_amount      integer check (requested_amount is null or requested_amount >= 0),
  status                text not null check (status in ('submitted', 'approved', 'rejected')),
  decided_amount        integer check (decided_amount is null or decided_amount >= 0),
  decided_at            timestamptz,
  decided_by_user_id    text,
  created_at            timestamptz not null
);
create index credit_requests_tenant_idx on credit_requests (tenant_id, created_at, id);
create index credit_requests_status_idx on credit_requests (status, created_at, id);

-- Events for webhooks, written in the same transaction as the change; a publisher sets published_at.
create table outbox_events (
  id            text primary key,
  type          text not null,
  payload       jsonb not null,
  created_at    timestamptz not null,
  published_at  timestamptz
);
create index outbox_events_unpublished_idx on outbox_events (created_at) where published_at is null;
