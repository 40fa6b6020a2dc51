-- Traslado 0021: in-app notifications and outbound webhooks, both fed by the outbox (issue 21).
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.

-- The outbox's order: a number per event in insertion order (created_at ties inside one
-- transaction). Deliveries of one subject go out in this order.
alter table outbox_events add column seq bigint generated always as identity;
create unique index outbox_events_seq_key on outbox_events (seq);

-- One row per recipient user: read state is the user's own.
create table notifications (
  id          text primary key,
  user_id     text not null references users (id) on delete cascade,
  -- The outbox event it came from: an event notifies a user once, however often it is published.
  event_id    text not null,
  -- The event's outbox seq: a user's list is newest first in this order (one event per user once).
  event_seq   bigint not null,
  kind        text not null,
  partner_id  text references partners (id),
  tenant_id   text references tenants (id),
  data        jsonb not null,
  created_at  timestamptz not null,
  read_at     timestamptz,
  unique (user_id, event_id)
);
create index notifications_user_idx on notifications (user_id, event_seq);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

-- A partner's webhook endpoints. The secret signs deliveries (Standard Webhooks' whsec_…), so it
-- is kept as given; it is shown once, when the endpoint is created.
create table webhooks (
  id                  text primary key,
  partner_id          text not null references partners (id),
  url                 text not null,
  events              jsonb not null,
  secret              text not null,
  created_by_user_id  text references users (id),
  created_at          timestamptz not null
);
create index webhooks_partner_idx on webhooks (partner_id, created_at, id);

-- One delivery per (endpoint, event): retried with backoff until delivered or given up on.
create table webhook_deliveries (
  id                text primary key,
  webhook_id        text not null references webhooks (id) on delete cascade,
  event_id          text not null,
  event_type        text not null,
  -- What the event is about (a transfer, a transition, a grant...): one subject's deliveries go
  -- out one at a time, in `seq` order.
  subject           text not null,
  seq               bigint not null,
  status            text not null check (status in ('pending', 'delivered', 'failed')),
  attempts          integer not null default 0,
  last_status_code  integer,
  last_error        text,
  next_attempt_at   timestamptz,
  delivered_at      timestamptz,
  created_at        timestamptz not null,
  unique (webhook_id, event_id)
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_subject_idx on webhook_deliveries (webhook_id, subject, seq)
  where status = 'pending';
create index webhook_deliveries_log_idx on webhook_deliveries (webhook_id, created_at, id);

-- Nothing published the outbox before this migration: its old events are history, not news (no
-- flood of stale notifications on upgrade).
update outbox_events set published_at = created_at where published_at is null;
