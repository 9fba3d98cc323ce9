"""The chat-history service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter

SESSIONS_CREATED = Counter("osool_history_sessions_created_total", "Sessions created", ["kind"])
SESSIONS_CLAIMED = Counter("osool_history_sessions_claimed_total", "Anonymous sessions claimed by a signed-in user")
SESSIONS_PURGED = Counter("osool_history_sessions_purged_total", "Anonymous sessions deleted by the purge")
MESSAGES_APPENDED = Counter("osool_history_messages_appended_total", "Messages written")
SEARCHES = Counter("osool_history_searches_total", "Full-text searches")
