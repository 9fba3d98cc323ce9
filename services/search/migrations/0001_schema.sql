-- The search schema belongs to the search service alone; other services ask it over HTTP.
COMMENT ON SCHEMA search IS 'Osool search service: properties, embeddings, ingest runs';
