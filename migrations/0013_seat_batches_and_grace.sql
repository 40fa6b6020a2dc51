-- Traslado 0013: seat reductions as new commerce does them. Each batch of seats added opens its own
-- 7-day window (kept as a small JSON list on the subscription: only open batches matter, closed ones
-- are dropped when it is next written), replacing the single "since the last increase" pair.
-- A reduction below the seats assigned gives the assigned users a grace period (90 days) before the
-- newest assignments lose the license; notices go out at 30, 7 and 1 days before, once each.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table subscriptions add column seat_batches jsonb not null default '[]';
alter table subscriptions drop column seats_added_at;
alter table subscriptions drop column seats_floor;

create table subscription_seat_reductions (
  id               text primary key,
  subscription_id  text not null references subscriptions (id),
  tenant_id        text not null references tenants (id),
  partner_id       text references partners (id),
  sku_id           text not null,
  seats            integer not null check (seats > 0),
  -- The removed seats that were in use: access keeps counting them until grace_ends_at.
  grace_seats      integer not null check (grace_seats > 0),
  reduced_at       timestamptz not null,
  grace_ends_at    timestamptz not null,
  settled_at       timestamptz
);
create index subscription_seat_reductions_open on subscription_seat_reductions (tenant_id, sku_id)
  where settled_at is null;
create index subscription_seat_reductions_due on subscription_seat_reductions (grace_ends_at)
  where settled_at is null;

create table subscription_seat_reduction_notices (
  reduction_id  text not null references subscription_seat_reductions (id),
  days_before   integer not null check (days_before in (30, 7, 1)),
  sent_at       timestamptz not null,
  primary key (reduction_id, days_before)
);
