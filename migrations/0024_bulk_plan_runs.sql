-- Traslado 0024: each bulk plan run (`traslado plan`, issue 21) is recorded, so its report can be
-- read in the console: when, for which partner, the counts by verdict, and one row per customer
-- with its verdict, the reasons and the transition it saved (none when refused or under way).
create table bulk_plan_runs (
  id           text primary key,
  partner_id   text not null references partners (id),
  created_at   timestamptz not null,
  finished_at  timestamptz,
  customers    integer not null default 0,
  counts       jsonb not null default '{}'
);
create index bulk_plan_runs_partner_idx on bulk_plan_runs (partner_id, created_at);

create table bulk_plan_run_customers (
  run_id         text not null references bulk_plan_runs (id),
  seq            integer not null,
  -- No reference: a listed id that names no tenant is reported (refused) too.
  tenant_id      text not null,
  company_name   text,
  transition_id  text,
  verdict        text not null,
  reasons        jsonb not null default '[]',
  primary key (run_id, seq)
);
create index bulk_plan_run_customers_transition_idx on bulk_plan_run_customers (transition_id);
