-- Traslado 0018: the two-tier model (SPEC §7). An indirect provider links indirect resellers; a
-- reseller never transacts: its provider places orders with the reseller as partner of record.
create table indirect_links (
  provider_id  text not null references partners (id),
  reseller_id  text not null references partners (id),
  status       text not null check (status in ('active', 'removed')),
  created_at   timestamptz not null,
  primary key (provider_id, reseller_id),
  check (provider_id <> reseller_id)
);
create index indirect_links_reseller_idx on indirect_links (reseller_id);

-- A provider's link for a reseller, accepted once by the reseller's account admin.
create table indirect_invitations (
  id                    text primary key,
  provider_id           text not null references partners (id),
  token_hash            text not null unique,
  status                text not null check (status in ('pending', 'accepted')),
  created_by_user_id    text,
  created_at            timestamptz not null,
  expires_at            timestamptz not null,
  accepted_at           timestamptz,
  accepted_by_user_id   text,
  reseller_id           text references partners (id)
);

-- A reseller asks a customer through one of its providers: accepting gives both a relationship,
-- and the reseller's names the provider that transacts for it there.
alter table relationship_requests add column indirect_provider_id text references partners (id);
alter table relationships add column indirect_provider_id text references partners (id);

-- Orders and subscriptions a provider placed for a reseller name the reseller as partner of record.
alter table orders add column partner_on_record_id text references partners (id);
alter table subscriptions add column partner_on_record_id text references partners (id);
create index subscriptions_on_record_idx on subscriptions (partner_on_record_id) where partner_on_record_id is not null;
