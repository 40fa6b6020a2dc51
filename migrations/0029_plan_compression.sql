-- Traslado 0029: a transition's plan (~40 KB of JSON, saved by the thousand in bulk planning) is
-- compressed with lz4 where the server has it. PostgreSQL's default (pglz) cost the server about
-- as much CPU again as storing the plan: 3,000 plans of a scale book inserted in 1.13–1.15 s with
-- pglz, 0.49–0.52 s with lz4, 0.56–0.58 s uncompressed; lz4's come out no larger (30 MB against
-- 32). Plans written before keep theirs. PGlite is built without lz4: pglz stays there (the one
-- difference schema-parity.test.ts allows).
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
do $$
begin
  alter table transitions alter column plan set compression lz4;
exception when feature_not_supported then
  null;
end $$;
