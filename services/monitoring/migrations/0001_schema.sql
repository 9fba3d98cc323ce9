-- The monitoring schema belongs to the monitoring service alone; other services ask it over HTTP.
COMMENT ON SCHEMA monitoring IS 'Osool monitoring service: health samples, alerts, cost reports';
