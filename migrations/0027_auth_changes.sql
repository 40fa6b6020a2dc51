-- Traslado 0027: every change that can alter who a token signs in as, what they may do, which
-- tenants their partner sees, or the platform clock is announced on the `traslado_auth` channel
-- (LISTEN/NOTIFY), from the transaction that makes it, whichever process or tool writes it. The
-- servers keep signed-in tokens in memory for reads (src/platform/auth/auth-cache.ts) and drop
-- them on any such notice. A notice is sent at commit, to every listening session.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
create function traslado_auth_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('traslado_auth', tg_table_name);
  return null;
end
$$;

-- Sessions and API tokens: revoked, expiry moved, deleted (not `last_used_at`, written once a minute).
create trigger sessions_auth_changed after update on sessions for each row
  when (old.revoked_at is distinct from new.revoked_at or old.expires_at is distinct from new.expires_at
        or old.user_id is distinct from new.user_id or old.token_hash is distinct from new.token_hash
        or old.kind is distinct from new.kind)
  execute function traslado_auth_changed();
create trigger sessions_auth_deleted after delete or truncate on sessions for each statement
  execute function traslado_auth_changed();
-- Users: disabled, moved, deleted. A new user has no token yet.
create trigger users_auth_changed after update or delete or truncate on users for each statement
  execute function traslado_auth_changed();
create trigger user_roles_auth_changed after insert or update or delete or truncate on user_roles
  for each statement execute function traslado_auth_changed();
-- Which tenants a partner sees.
create trigger relationships_auth_changed after insert or update or delete or truncate on relationships
  for each statement execute function traslado_auth_changed();
-- The platform clock's offset (and the other settings, which change rarely).
create trigger platform_settings_auth_changed after insert or update or delete or truncate on platform_settings
  for each statement execute function traslado_auth_changed();
