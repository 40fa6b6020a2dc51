-- Traslado 0017: partner-to-partner transfers of subscriptions (SPEC §7).
-- The target partner asks the partner of record (the source) for whole subscriptions; the source
-- approves some or all of them, or rejects; unanswered after 30 days the request expires.
create table transfers (
  id                     text primary key,
  tenant_id              text not null references tenants (id),
  source_partner_id      text not null references partners (id),
  target_partner_id      text not null references partners (id),
  status                 text not null check (status in ('pending', 'completed', 'rejected', 'expired')),
  requested_by_user_id   text,
  -- Set when applying a transition's plan asked for it: its step waits on the answer.
  transition_id          text references transitions (id),
  expires_at             timestamptz not null,
  decided_at             timestamptz,
  decided_by_user_id     text,
  created_at             timestamptz not null,
  updated_at             timestamptz not null,
  check (source_partner_id <> target_partner_id)
);
create index transfers_source_idx on transfers (source_partner_id, created_at, id);
create index transfers_target_idx on transfers (target_partner_id, created_at, id);
create index transfers_tenant_idx on transfers (tenant_id, created_at, id);
create index transfers_pending_idx on transfers (expires_at) where status = 'pending';
create index transfers_transition_idx on transfers (transition_id) where transition_id is not null;

-- A line item is a whole subscription. `transferred` when approved with it; `declined` when the
-- source left it out, rejected the request, or let it expire.
create table transfer_line_items (
  transfer_id      text not null references transfers (id),
  subscription_id  text not null references subscriptions (id),
  status           text not null check (status in ('pending', 'transferred', 'declined')),
  primary key (transfer_id, subscription_id)
);
-- At most one open transfer per subscription: the database judges two requests at once.
create unique index transfer_line_items_open_uq on transfer_line_items (subscription_id) where status = 'pending';

-- The open transfer holding a subscription: neither partner may change it until it ends. Kept on
-- the subscription row so that a change and a request serialize on the row lock. (No foreign key:
-- the hold is checked and set before the request row is written, in the same transaction.)
alter table subscriptions add column transfer_id text;
