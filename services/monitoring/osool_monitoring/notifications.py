"""Telling the operators: every administrator, by email (and SMS for critical alerts), through auth's delivery."""

from __future__ import annotations

from typing import Any

from osool_common.http_client import ServiceClient
from osool_common.logging import get_logger

log = get_logger(__name__)


class Operators:
    """auth's administrators and its internal notify route (SendGrid and Twilio, the outbox locally)."""

    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def notify(self, subject: str, text: str, channels: list[str], dedupe_key: str) -> int:
        """Send to every administrator; the number reached (auth sends each key once per user, so a repeat from
        another replica sends nothing). Raises (httpx.HTTPError, RuntimeError) when auth cannot be asked, and the
        caller leaves the alert not notified, for the next delivery to try again."""
        response = await self.http.get("auth", "/api/auth/internal/users", params={"role": "admin"})
        if response.status_code != 200:
            raise RuntimeError(f"auth listed no administrators ({response.status_code})")
        admins: list[dict[str, Any]] = response.json()
        reached = 0
        for admin in admins:
            body = {"user_id": admin["id"], "subject": subject, "text": text, "channels": channels,
                    "dedupe_key": dedupe_key}  # fmt: skip
            sent = await self.http.request("auth", "POST", "/api/auth/internal/notify", json=body)
            if sent.status_code != 200:
                raise RuntimeError(f"auth did not notify an administrator ({sent.status_code})")
            result = sent.json()
            if result.get("sent") or result.get("duplicate"):
                reached += 1
        return reached
