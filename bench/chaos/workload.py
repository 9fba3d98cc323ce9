"""The chaos run's mixed workload: every stream of requests, its rate, and whether a failed request may be sent again.

Shared by the locustfile (which paces each stream) and the report (which states the rates). No locust import here:
locust patches the whole process with gevent when it is imported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Tasks per second of one simulated user. Locust's users are closed loops: a user whose request takes longer than
# 1 / rate falls behind. At 0.5 a request may take 2 s (a replica restarting, a dependency down) before the
# stream's rate drops, so each stream gets rate / 0.5 users.
PER_USER_RATE = 0.5
# How long a client waits for one answer, and how often a write that carries an Idempotency-Key is sent again
# (same key) after a transport error, 502, 503 or 504: what the shared kit's ServiceClient does, since the gateway
# never sends a POST twice.
REQUEST_TIMEOUT_SECONDS = 10.0
KEYED_WRITE_ATTEMPTS = 3
KEYED_WRITE_BACKOFF_SECONDS = (0.5, 1.0)
RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Stream:
    name: str
    # Tasks per second; each task sends `requests_per_task` requests.
    rate: float
    sends: str
    # Idempotent: a GET (the gateway retries it on the next replica), or a write with an Idempotency-Key (the
    # client sends it again with the same key). A POST without a key is neither retried nor counted as idempotent.
    idempotent: bool
    requests_per_task: int = 1

    @property
    def users(self) -> int:
        return max(1, math.ceil(self.rate / PER_USER_RATE - 1e-9))

    @property
    def per_user_rate(self) -> float:
        return self.rate / self.users

    @property
    def requests_per_second(self) -> float:
        return self.rate * self.requests_per_task


STREAMS: dict[str, Stream] = {
    stream.name: stream
    for stream in (
        Stream("search", 6.0, "POST /api/properties/search", idempotent=False),
        Stream("property", 4.0, "GET /api/properties/{id}", idempotent=True),
        Stream("market", 1.0, "GET /api/market/stats", idempotent=True),
        Stream("sign_in", 0.5, "POST /api/auth/login", idempotent=False),
        Stream("history_session", 0.25, "POST /api/history/sessions", idempotent=False),
        Stream("history_read", 3.0, "GET /api/history/sessions/{id}/messages (X-Session-Secret)", idempotent=True),
        Stream(
            "history_append",
            3.0,
            "POST /chat-history/api/history/internal/sessions/{id}/messages on the internal listener, as the agent"
            " does (service key, Idempotency-Key; the public listener has no append)",
            idempotent=True,
        ),
        Stream("chain_read", 3.0, "GET /api/chain/listings/{id}", idempotent=True),
        Stream(
            "reservation",
            0.5,
            "POST /api/chain/listings then POST /api/chain/listings/{id}/reserve, each with an Idempotency-Key",
            idempotent=True,
            requests_per_task=2,
        ),
        Stream("chat", 0.25, "POST /api/chat (rules brain, X-Session-Secret, Idempotency-Key)", idempotent=True),
    )
}


def total_users() -> int:
    return sum(stream.users for stream in STREAMS.values())


def total_requests_per_second() -> float:
    return sum(stream.requests_per_second for stream in STREAMS.values())
