-- The auth schema belongs to the auth service alone; other services ask it over HTTP.
COMMENT ON SCHEMA auth IS 'Osool auth service: users, credentials, OTPs, refresh tokens, outbox';
