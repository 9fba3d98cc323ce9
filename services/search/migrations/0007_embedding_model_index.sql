-- The listings stored under another embedding model than the running one, found from this index: the listings health
-- check (every replica's /health and /health/ready, every 15 s from the monitoring job and every 10 s from each pod's
-- readiness probe) and `reindex` asked for them with a sequential scan of the whole table, 1,000,000 rows at the top
-- tier. With one model (nearly always) the index is a single deduplicated key, and "any other model?" reads two empty
-- ranges of it.
-- depends: 0006_profile_covering_index

CREATE INDEX properties_embedding_model_idx ON properties (embedding_model);
