-- Traslado 0002: delegated admin (legacy full DAP and granular GDAP) granted by a tenant to a partner.
create table delegated_admin_grants (
  id            text primary key,
  partner_id    text not null references partners (id),
  tenant_id     text not null references tenants (id),
  kind          text not null check (kind in ('dap', 'gdap')),
  roles         text[] not null default '{}',
  duration_days integer,
  auto_extend   boolean not null default false,
  status        text not null check (status in ('requested', 'active', 'declined', 'revoked', 'removed')),
  requested_at  timestamptz not null,
  approved_at   timestamptz,
  -- null for DAP (no expiry); for GDAP, approval time + duration (auto-extension moves it on read).
  expires_at    timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz not null
);
create index delegated_admin_grants_pair_idx on delegated_admin_grants (partner_id, tenant_id);
