-- Traslado 0005: transitions (a saved plan and its execution) and their steps.
create table transitions (
  id                  text primary key,
  tenant_id           text not null references tenants (id),
  partner_id          text not null references partners (id),
  created_by_user_id  text,
  status              text not null check (status in ('planned', 'applying', 'waiting', 'applied', 'failed')),
  verdict             text not null check (verdict in ('ready', 'needs-acknowledgment', 'blocked')),
  options             jsonb not null default '{}',
  plan                jsonb not null,
  planned_at          timestamptz not null,
  apply_requested_at  timestamptz,
  -- Steps run as the user who asked to apply (their partner, their roles), and are audited so.
  apply_requested_by  text,
  finished_at         timestamptz,
  created_at          timestamptz not null,
  updated_at          timestamptz not null
);
create index transitions_partner_tenant_idx on transitions (partner_id, tenant_id, created_at);

-- One row per step of a plan, keyed by (transition, step key): executing a step twice is impossible
-- by construction, and a crash leaves each step either done or still to do.
create table transition_steps (
  transition_id  text not null references transitions (id),
  step_key       text not null,
  seq            integer not null,
  line_index     integer,
  kind           text not null,
  actor          text not null,
  due_at         timestamptz not null,
  status         text not null check (status in ('pending', 'running', 'done', 'waiting', 'failed', 'skipped')),
  attempts       integer not null default 0,
  detail         jsonb not null default '{}',
  error          text,
  updated_at     timestamptz not null,
  primary key (transition_id, step_key)
);
