-- Run once by the superuser in the osool database of a new cluster (local stack and compose's initdb.d).
-- Extensions need a superuser; each service creates its own schema with its migrations.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
