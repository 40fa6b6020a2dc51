-- Traslado 0009: a source subscription belongs to at most one open transition (SPEC §3.7).
-- Applying a plan claims the sources it acts on; the partial unique index makes the database the
-- judge, so two people or two processes applying at once get one winner. A claim stays while its
-- transition runs and after it is applied (the source is being moved); a transition that fails
-- before buying anything for a line releases that line's claim.
create table transition_claims (
  source_subscription_id  text not null references subscriptions (id),
  transition_id           text not null references transitions (id),
  tenant_id               text not null references tenants (id),
  line_index              integer not null,
  claimed_at              timestamptz not null,
  released_at             timestamptz
);
create unique index transition_claims_open_uq on transition_claims (source_subscription_id)
  where released_at is null;
create index transition_claims_transition_idx on transition_claims (transition_id);
create index transition_claims_tenant_idx on transition_claims (tenant_id) where released_at is null;

-- Transitions applied before this migration claim their sources too (the earliest wins).
insert into transition_claims (source_subscription_id, transition_id, tenant_id, line_index, claimed_at)
select distinct on (l.line ->> 'sourceSubscriptionId')
  l.line ->> 'sourceSubscriptionId', t.id, t.tenant_id, (l.ord - 1)::int, coalesce(t.apply_requested_at, t.updated_at)
from transitions t
cross join lateral jsonb_array_elements(t.plan -> 'lines') with ordinality as l (line, ord)
where t.status in ('applying', 'waiting', 'applied')
  and exists (
    select 1 from transition_steps s where s.transition_id = t.id and s.line_index = (l.ord - 1)::int
  )
  and exists (select 1 from subscriptions x where x.id = l.line ->> 'sourceSubscriptionId')
order by l.line ->> 'sourceSubscriptionId', coalesce(t.apply_requested_at, t.updated_at), t.id;
