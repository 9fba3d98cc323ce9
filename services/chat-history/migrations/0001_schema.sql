-- The chat_history schema belongs to the chat-history service alone; other services ask it over HTTP.
COMMENT ON SCHEMA chat_history IS 'Osool chat-history service: sessions, messages';
