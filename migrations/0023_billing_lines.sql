-- Traslado 0023: where a subscription's recurring billing stands. `billed_through` is the start of
-- the last charge period (purchase, renewal or cycle) billed for it, so the sweep that writes due
-- renewals and cycle charges looks only past it instead of retrying every period since the purchase.
-- Null: nothing billed past the subscription's creation yet.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table subscriptions add column billed_through timestamptz;
