-- Traslado 0007: GDAP expiry reminders, one row per grant, end and threshold (30, 7, 1 days),
-- so a reminder goes out exactly once whichever process runs the sweep, and a restart resends none.
create table delegated_admin_reminders (
  grant_id    text not null references delegated_admin_grants (id),
  expires_at  timestamptz not null,
  days_before integer not null check (days_before in (30, 7, 1)),
  sent_at     timestamptz not null,
  primary key (grant_id, expires_at, days_before)
);
