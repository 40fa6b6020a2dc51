-- Traslado 0012: a duplicate-license credit names the partner subscription whose purchase made the
-- licenses duplicate (SPEC §3.5, §4): its purchase date starts the 120-day window and the overlap
-- the credit pays back. Null on requests that name none (and on rows stored before this migration).
-- The currency is the subscription's (amounts are its minor units); null on older rows.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table credit_requests add column new_subscription_id text;
alter table credit_requests add column currency text;
