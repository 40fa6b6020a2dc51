-- Traslado 0008: accounts a partner can run itself (SPEC §3 item 5).
-- A disabled user's sessions and API tokens stop on their next request (the token lookup reads this).
alter table users add column disabled_at timestamptz;
-- An account created without a password (a customer admin made by a partner or the operator) has
-- none until its holder sets one through a one-time link: nobody else ever knows it.
alter table users alter column password_hash drop not null;

-- One-time links that set a password: `reset` (e-mailed on request) and `set` (handed over by an
-- admin, for a new account or a reset). Only a SHA-256 of the token is stored; a link works once.
create table password_links (
  id          text primary key,
  token_hash  text not null unique,
  user_id     text not null references users (id) on delete cascade,
  purpose     text not null check (purpose in ('reset', 'set')),
  created_at  timestamptz not null,
  expires_at  timestamptz not null,
  used_at     timestamptz
);
create index password_links_user_idx on password_links (user_id);
