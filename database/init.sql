-- Run by the superuser in the osool database: by compose's initdb.d on a new volume; by the local stack on a new
-- cluster and again on the first start after this file changed or pg_stat_statements was built (devstack.postgres).
-- So every statement is idempotent. Extensions need a superuser; each service creates its own schema with its
-- migrations.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
-- Per-statement statistics for the monitoring service's database report, only where the server preloads the library
-- (without it the extension's views raise an error): always in compose's image, in the local stack when `make
-- install` could build it. In public, which is on every service's search_path.
DO $$
BEGIN
    IF 'pg_stat_statements' = ANY (regexp_split_to_array(trim(current_setting('shared_preload_libraries')), '\s*,\s*'))
    THEN
        CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA public;
    END IF;
END
$$;
-- The services' role reads every role's statement texts in pg_stat_statements and pg_stat_activity (not
-- `<insufficient privilege>`); it gets no other superuser right.
GRANT pg_read_all_stats TO osool;
