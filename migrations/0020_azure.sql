-- Traslado 0020: the Azure plan (SPEC §9). A partner's usage-based plan per customer, the Azure
-- subscriptions under it, the customer's own Azure bought elsewhere (pay-as-you-go, enterprise
-- agreement, enterprise customer agreement) with its resources, daily rated usage, and the
-- requests that move a customer's own subscriptions into the partner's plan.

-- A direct-bill partner certified as an Azure expert managed services provider may take enterprise
-- subscriptions by billing-ownership transfer.
alter table partners add column azure_expert_msp boolean not null default false;

-- One plan per customer and partner: the plan subscription every Azure subscription hangs from.
create table azure_plans (
  id                  text primary key,
  tenant_id           text not null references tenants (id),
  partner_id          text not null references partners (id),
  currency            text not null,
  created_by_user_id  text,
  created_at          timestamptz not null,
  unique (partner_id, tenant_id)
);
create index azure_plans_tenant_idx on azure_plans (tenant_id);

-- Every Azure subscription of a tenant: `azure-plan` under a partner's plan, or the customer's own
-- (bought elsewhere, recorded by the operator). A billing transfer turns an own one into an
-- `azure-plan` one in place (`origin_kind` keeps what it was); usage dated from `partner_since`
-- on is the partner's.
create table azure_subscriptions (
  id                          text primary key,
  tenant_id                   text not null references tenants (id),
  kind                        text not null check (kind in ('azure-plan', 'pay-as-you-go', 'enterprise-agreement',
                                'enterprise-customer-agreement', 'other')),
  partner_id                  text references partners (id),
  plan_id                     text references azure_plans (id),
  friendly_name               text not null,
  status                      text not null check (status in ('active', 'disabled', 'deleted')),
  currency                    text not null,
  billing_country             text not null,
  billing_account_id          text,
  origin_kind                 text,
  partner_since               timestamptz,
  moved_from_subscription_id  text references azure_subscriptions (id),
  disabled_at                 timestamptz,
  deleted_at                  timestamptz,
  created_at                  timestamptz not null,
  updated_at                  timestamptz not null,
  check ((kind = 'azure-plan') = (plan_id is not null)),
  check ((plan_id is null) = (partner_id is null)),
  check ((partner_id is null) = (partner_since is null))
);
create index azure_subscriptions_tenant_idx on azure_subscriptions (tenant_id, created_at, id);
create index azure_subscriptions_partner_idx on azure_subscriptions (partner_id) where partner_id is not null;
create index azure_subscriptions_disabled_idx on azure_subscriptions (disabled_at) where status = 'disabled';

-- The resources of a subscription (as the customer's inventory shows them). A resource move
-- changes `subscription_id` and names where it came from.
create table azure_resources (
  subscription_id             text not null references azure_subscriptions (id),
  resource_id                 text not null,
  resource_type               text not null,
  is_classic                  boolean not null default false,
  has_reservation             boolean not null default false,
  is_marketplace              boolean not null default false,
  moved_from_subscription_id  text,
  moved_at                    timestamptz,
  created_at                  timestamptz not null,
  primary key (subscription_id, resource_id)
);

-- Daily rated usage. One row per subscription, meter, day and resource: importing the same row
-- again changes nothing. `amount` = quantity × unit price, rounded down, in minor units.
create table azure_usage (
  subscription_id  text not null references azure_subscriptions (id),
  usage_date       date not null,
  meter_id         text not null,
  resource_id      text not null,
  meter_name       text not null,
  meter_category   text not null,
  unit             text not null,
  quantity         numeric(28, 8) not null check (quantity >= 0),
  unit_price       bigint not null check (unit_price >= 0),
  amount           bigint not null check (amount >= 0),
  currency         text not null,
  imported_at      timestamptz not null,
  primary key (subscription_id, meter_id, usage_date, resource_id)
);
create index azure_usage_date_idx on azure_usage (usage_date, subscription_id);

-- A partner's request to bring some of a customer's own subscriptions into its Azure plan: one
-- line per subscription, with the path, what blocks it (checked at request time), and its end.
create table azure_transfers (
  id                    text primary key,
  tenant_id             text not null references tenants (id),
  partner_id            text not null references partners (id),
  requested_by_user_id  text,
  created_at            timestamptz not null,
  updated_at            timestamptz not null
);
create index azure_transfers_tenant_idx on azure_transfers (tenant_id, created_at, id);
create index azure_transfers_partner_idx on azure_transfers (partner_id, created_at, id);

create table azure_transfer_lines (
  transfer_id          text not null references azure_transfers (id),
  subscription_id      text not null references azure_subscriptions (id),
  path                 text not null check (path in ('billing-transfer', 'resource-move')),
  eligible             boolean not null,
  blockers             jsonb not null,
  status               text not null check (status in ('blocked', 'awaiting-approval', 'ready', 'completed')),
  -- A resource move: the new subscription under the partner's plan.
  new_subscription_id  text references azure_subscriptions (id),
  completed_at         timestamptz,
  completed_by_user_id text,
  primary key (transfer_id, subscription_id)
);
-- At most one open line per subscription: two requests at once are judged by the database.
create unique index azure_transfer_lines_open_uq on azure_transfer_lines (subscription_id)
  where status in ('awaiting-approval', 'ready');
