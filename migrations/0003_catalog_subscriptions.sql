-- Traslado 0003: catalog (products from the vendor's reference, offers), orders, subscriptions from
-- every channel, and license assignments pooled by SKU.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.

-- A product (SKU) of the vendor's reference: SKU GUID, part number, name and its service plans
-- ([{ id, name, displayName }]). Workloads are classified on read by the domain table.
create table catalog_products (
  sku_id           text primary key,
  sku_part_number  text not null,
  name             text not null,
  service_plans    jsonb not null default '[]',
  source           text not null check (source in ('reference', 'operator')),
  created_at       timestamptz not null,
  updated_at       timestamptz not null
);

-- What partners can order. Money in minor units; an imported offer has no price and no market yet.
create table offers (
  id                          text primary key,
  name                        text not null,
  sku_id                      text not null references catalog_products (sku_id),
  kind                        text not null check (kind in ('base', 'add-on')),
  base_offer_ids              text[] not null default '{}',
  billing_kind                text not null check (billing_kind in ('license', 'usage')),
  term                        text not null check (term in ('P1M', 'P1Y', 'P3Y')),
  billing_cycle               text not null check (billing_cycle in ('monthly', 'annual')),
  min_quantity                integer not null check (min_quantity >= 1),
  max_quantity                integer not null,
  markets                     text[] not null default '{}',
  unit_price                  bigint check (unit_price is null or unit_price >= 0),
  currency                    text,
  refund_window_hours         integer not null default 0 check (refund_window_hours >= 0),
  status                      text not null check (status in ('available', 'end-of-sale')),
  existing_customers_only     boolean not null default false,
  successor_offer_id          text references offers (id),
  successor_add_on_offer_ids  text[] not null default '{}',
  created_at                  timestamptz not null,
  updated_at                  timestamptz not null,
  check (max_quantity >= min_quantity)
);
create index offers_sku_idx on offers (sku_id);

-- A partner's order for a customer; its line items name the subscriptions it created.
create table orders (
  id                  text primary key,
  tenant_id           text not null references tenants (id),
  partner_id          text not null references partners (id),
  created_by_user_id  text,
  status              text not null check (status in ('completed')),
  line_items          jsonb not null,
  created_at          timestamptz not null
);
create index orders_tenant_idx on orders (tenant_id, created_at, id);

-- A tenant's subscriptions from every channel. Lifecycle state is derived on read from these dates
-- and the platform clock; nothing here is updated by a timer.
create table subscriptions (
  id                   text primary key,
  tenant_id            text not null references tenants (id),
  offer_id             text not null references offers (id),
  sku_id               text not null,
  quantity             integer not null check (quantity >= 1),
  channel              text not null check (channel in ('direct', 'partner', 'volume', 'trial')),
  partner_id           text references partners (id),
  purchased_via        text,
  order_id             text references orders (id),
  billing_cycle        text not null check (billing_cycle in ('monthly', 'annual')),
  term                 text not null check (term in ('P1M', 'P1Y', 'P3Y')),
  term_start           timestamptz not null,
  term_end             timestamptz not null,
  auto_renew           boolean not null,
  unit_price           bigint not null default 0 check (unit_price >= 0),
  currency             text,
  refund_window_hours  integer not null default 0 check (refund_window_hours >= 0),
  -- The refund window runs from the purchase (or the start of a renewed term); seat reductions also
  -- from the last seat increase, down to the seats held before it.
  purchased_at         timestamptz not null,
  seats_added_at       timestamptz,
  seats_floor          integer,
  suspended_at         timestamptz,
  cancelled_at         timestamptz,
  created_at           timestamptz not null,
  updated_at           timestamptz not null,
  check ((channel = 'partner') = (partner_id is not null)),
  check (term_end > term_start)
);
create index subscriptions_tenant_sku_idx on subscriptions (tenant_id, sku_id);
create index subscriptions_partner_idx on subscriptions (partner_id, tenant_id);

-- Licenses are assigned by SKU, not by subscription: the tenant's seats of a SKU form one pool.
create table license_assignments (
  tenant_id          text not null references tenants (id),
  directory_user_id  text not null references directory_users (id),
  sku_id             text not null,
  excluded_plans     text[] not null default '{}',
  assigned_at        timestamptz not null,
  primary key (directory_user_id, sku_id)
);
create index license_assignments_tenant_sku_idx on license_assignments (tenant_id, sku_id);
