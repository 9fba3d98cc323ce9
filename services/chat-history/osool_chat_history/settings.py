"""Settings of the chat-history service: the common variables plus its own limits and purge schedule."""

from __future__ import annotations

from typing import ClassVar

from osool_common.settings import CommonSettings


class Settings(CommonSettings):
    service_name: ClassVar[str] = "chat-history"
    upstream_services: str = "auth"

    message_max_chars: int = 16_000
    messages_per_append_max: int = 50
    # Anonymous sessions untouched for this long are deleted by the scheduled purge.
    purge_anonymous_after_days: float = 30.0
    purge_interval_seconds: float = 3600.0
