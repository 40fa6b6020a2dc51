-- Traslado 0014: price lists (SPEC §11). An offer's price per market, in that market's currency, per
-- term and billing plan, with effective dates; an offer with no price in a market is not orderable
-- there. Backfilled from each offer's single price in every market it lists, so nothing priced
-- before this migration changes. offers.unit_price / currency / markets stay as the operator's
-- one-price shorthand (POST/PATCH /api/admin/offers), which writes the list too.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
create table offer_prices (
  offer_id        text not null references offers (id),
  market          text not null check (market ~ '^[A-Z]{2}$'),
  currency        text not null check (currency ~ '^[A-Z]{3}$'),
  term            text not null check (term in ('P1M', 'P1Y', 'P3Y')),
  billing_cycle   text not null check (billing_cycle in ('monthly', 'annual')),
  -- Minor units per seat per term.
  unit_price      bigint not null check (unit_price >= 0),
  -- From this day (UTC) on; up to, not including, effective_to (open-ended when null).
  effective_from  date not null,
  effective_to    date,
  check (effective_to is null or effective_to > effective_from),
  primary key (offer_id, market, term, billing_cycle, effective_from)
);
create index offer_prices_market_idx on offer_prices (market, offer_id);

insert into offer_prices (offer_id, market, currency, term, billing_cycle, unit_price, effective_from)
select distinct o.id, upper(m.market), o.currency, o.term, o.billing_cycle, o.unit_price, date '2000-01-01'
from offers o cross join lateral unnest(o.markets) as m(market)
where o.unit_price is not null and o.currency is not null and upper(m.market) ~ '^[A-Z]{2}$'
  and o.currency ~ '^[A-Z]{3}$';
