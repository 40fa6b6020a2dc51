-- Traslado 0019: billing (SPEC §8). Every charge is a billing line written by the event that causes
-- it, exactly once: `source_key` names that event (e.g. `order:<orderId>:<subscriptionId>`,
-- `renew:<subscriptionId>:<termStart>`), and writers insert with `on conflict do nothing`.
-- Lines are unbilled until the month closes into one invoice per partner and currency.
-- Amounts are integers in minor units; quantities of seats are integers, usage quantities exact
-- decimals (never floats).
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
create table invoices (
  id            text primary key,
  number        text not null unique,
  partner_id    text not null references partners (id),
  currency      text not null check (currency ~ '^[A-Z]{3}$'),
  -- The closed month: from period_start (first day) up to, not including, period_end.
  period_start  date not null,
  period_end    date not null,
  total         bigint not null,
  line_count    integer not null check (line_count >= 0),
  status        text not null check (status in ('issued')),
  created_at    timestamptz not null,
  unique (partner_id, currency, period_start),
  check (period_end > period_start)
);

create table billing_lines (
  id                    text primary key,
  -- The event that caused the line: one line per event, whoever writes it and however often.
  source_key            text not null unique,
  -- The partner the program bills (the indirect provider for a reseller's customer).
  partner_id            text not null references partners (id),
  -- The indirect reseller of record, when there is one (ResellerMpnId).
  reseller_partner_id   text references partners (id),
  tenant_id             text not null references tenants (id),
  -- A license subscription or an Azure subscription; no foreign key so both fit.
  subscription_id       text,
  order_id              text,
  offer_id              text,
  product_id            text,
  product_name          text,
  sku_id                text,
  sku_name              text,
  charge_type           text not null check (charge_type in (
                          'new', 'renew', 'addQuantity', 'removeQuantity', 'cancel', 'cycleCharge',
                          'transferIn', 'transferOut', 'convert', 'usage', 'credit')),
  -- Minor units per seat (or per usage unit) for a whole term, and for this line's charge period.
  unit_price            bigint not null,
  effective_unit_price  bigint not null,
  unit_type             text not null default 'Licenses',
  quantity              numeric not null,
  billable_quantity     numeric not null,
  -- Signed: refunds, transfers out and credits are negative.
  subtotal              bigint not null,
  tax_total             bigint not null default 0,
  total                 bigint not null,
  currency              text not null check (currency ~ '^[A-Z]{3}$'),
  -- What the partner charges its customer for this line (price rules), same currency.
  customer_unit_price   bigint not null,
  customer_subtotal     bigint not null,
  charge_start          date not null,
  charge_end            date not null,
  term                  text,
  billing_cycle         text,
  reference_id          text,
  credit_reason_code    text,
  -- The platform-clock instant of the event, and the first day (UTC) of its billing month.
  occurred_at           timestamptz not null,
  billing_month         date not null,
  invoice_id            text references invoices (id),
  created_at            timestamptz not null,
  check (charge_end >= charge_start),
  check (extract(day from billing_month) = 1)
);
create index billing_lines_unbilled_idx on billing_lines (partner_id, billing_month) where invoice_id is null;
create index billing_lines_invoice_idx on billing_lines (invoice_id, id);
create index billing_lines_tenant_idx on billing_lines (tenant_id, billing_month);

-- A partner's customer price: a markup per offer, optionally per customer. The most specific rule
-- wins (offer and tenant, then offer, then tenant, then the partner's default). Basis points keep
-- the percentage exact: 12.5 % is 1250.
create table price_rules (
  id             text primary key,
  partner_id     text not null references partners (id),
  offer_id       text references offers (id),
  tenant_id      text references tenants (id),
  markup_bp      integer not null check (markup_bp between -10000 and 100000),
  created_at     timestamptz not null,
  updated_at     timestamptz not null
);
create unique index price_rules_scope_idx
  on price_rules (partner_id, coalesce(offer_id, ''), coalesce(tenant_id, ''));
