-- Traslado 0006: failed sign-ins per e-mail, to slow down password guessing across every process.
create table login_failures (
  key           text primary key,
  failures      integer not null,
  window_start  timestamptz not null,
  locked_until  timestamptz
);
