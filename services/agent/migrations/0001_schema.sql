-- The agent schema belongs to the agent service alone; other services ask it over HTTP.
COMMENT ON SCHEMA agent IS 'Osool agent service: leads, lead events, viewings';
