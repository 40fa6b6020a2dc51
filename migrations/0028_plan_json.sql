-- Traslado 0028: a transition's plan is kept as `json` (its text, checked to be JSON) instead of
-- `jsonb`. A plan is written once and read whole (the API, the executor); only the book's line
-- count looks inside it. Parsing ~40 KB into `jsonb` on every save took the server about four
-- times the CPU of storing the text (bulk planning saves thousands at once), and reading it
-- back turned it into text again. A plan's keys now come back in the order they were written.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table transitions alter column plan type json using plan::json;
