-- Traslado 0015: delegated admin that means something (issue 17). A partner's security groups, their
-- members (partner users), and per grant the roles each group holds in that customer's tenant
-- (SPEC §10): a partner user acts in a tenant with the roles of its groups there, no more.
create table security_groups (
  id                text primary key,
  partner_id        text not null references partners (id),
  name              text not null,
  -- Roles this group is given on every GDAP grant that carries them, when the grant becomes active
  -- (each such assignment is audited). Empty: assigned by hand, grant by grant.
  auto_assign_roles text[] not null default '{}',
  created_at        timestamptz not null,
  updated_at        timestamptz not null
);
create unique index security_groups_partner_name_idx on security_groups (partner_id, lower(name));

create table security_group_members (
  group_id   text not null references security_groups (id) on delete cascade,
  user_id    text not null references users (id),
  created_at timestamptz not null,
  primary key (group_id, user_id)
);
create index security_group_members_user_idx on security_group_members (user_id);

create table delegated_admin_assignments (
  grant_id   text not null references delegated_admin_grants (id),
  group_id   text not null references security_groups (id) on delete cascade,
  role       text not null,
  created_at timestamptz not null,
  primary key (grant_id, group_id, role)
);
create index delegated_admin_assignments_group_idx on delegated_admin_assignments (group_id);
