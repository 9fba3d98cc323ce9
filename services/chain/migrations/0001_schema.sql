-- The chain schema belongs to the chain service alone; other services ask it over HTTP.
COMMENT ON SCHEMA chain IS 'Osool chain service: tx log, indexed events, outbox';
