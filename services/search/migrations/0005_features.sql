-- A listing's features and amenities (pool, garden, sea view, near the AUC, ...), read at ingest from the source's
-- own column, the title and the description (osool_search/features.py): filterable and rankable.
-- depends: 0004_listing_changes
--
-- NULL until read: listings stored before this migration are read by the service in the background after it starts
-- (main.py), in Python, with the same reader as ingestion, so the two can never disagree.

ALTER TABLE properties ADD COLUMN features text[];
CREATE INDEX properties_features_idx ON properties USING gin (features);

-- The change-log triggers (0004) named listing_changes without its schema, so an UPDATE of properties from a session
-- whose search_path lacks the service's schema (an operator's psql) failed in the trigger. They now carry the
-- search_path the migrations run with.
ALTER FUNCTION record_new_listings() SET search_path FROM CURRENT;
ALTER FUNCTION record_price_drops() SET search_path FROM CURRENT;
