"""The auth service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter

SIGN_INS = Counter("osool_auth_sign_ins_total", "Sign-in attempts by method and outcome", ["method", "outcome"])
OTPS_SENT = Counter("osool_auth_otps_sent_total", "OTP codes sent", ["purpose", "channel"])
OTPS_VERIFIED = Counter("osool_auth_otps_verified_total", "OTP verifications by outcome", ["outcome"])
RATE_LIMITED = Counter("osool_auth_rate_limited_total", "Requests refused by a rate limit", ["limit"])
TOKENS_ISSUED = Counter("osool_auth_tokens_issued_total", "Tokens issued", ["kind"])
REFRESH_REUSE = Counter("osool_auth_refresh_reuse_total", "Reuse of an already-used refresh token (family revoked)")
NOTIFICATIONS = Counter(
    "osool_auth_notifications_total",
    "Notifications to users (internal notify) by channel and outcome: sent, skipped, failed, duplicate",
    ["channel", "outcome"],
)
