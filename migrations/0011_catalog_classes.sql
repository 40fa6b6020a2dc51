-- Traslado 0011: what each product is for (SPEC §11), as `traslado catalog import` classifies it by
-- documented rules plus data/catalog-classes.csv: segment, purpose, family, add-on (with the SKUs of
-- the bases it needs), seat cap and refund window. Null on rows stored before this migration: the
-- application then classifies by the rules on read, until the next import.
-- Forward-only. Keep to SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
alter table catalog_products add column segment text
  check (segment in ('commercial', 'education', 'government', 'nonprofit'));
alter table catalog_products add column purpose text
  check (purpose in ('user', 'unattended', 'device', 'developer', 'trial', 'free'));
alter table catalog_products add column family text;
alter table catalog_products add column is_add_on boolean;
alter table catalog_products add column requires_base_sku_ids text[];
alter table catalog_products add column max_seats integer check (max_seats is null or max_seats >= 1);
alter table catalog_products add column refund_window_hours integer check (refund_window_hours >= 0);
