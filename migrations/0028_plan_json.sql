-- Traslado 0028: a transition's plan, and the reasons a bulk plan run keeps per customer, are kept
-- as `json` (their text, checked to be JSON) instead of `jsonb`. Both are written once and read
-- whole (the API, the executor, the run's page); only the book's line count looks inside a plan.
-- Parsing a ~35 KB plan into `jsonb` on every save took the server about four times the CPU of
-- storing the text (bulk planning saves thousands at once), and reading it back turned it into
-- text again. Their keys now come back in the order they were written.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table transitions alter column plan type json using plan::json;
alter table bulk_plan_run_customers alter column reasons drop default;
alter table bulk_plan_run_customers alter column reasons type json using reasons::json;
alter table bulk_plan_run_customers alter column reasons set default '[]'::json;
