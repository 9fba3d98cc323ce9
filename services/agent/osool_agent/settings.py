"""Settings of the agent service: the common variables plus its own."""

from __future__ import annotations

from typing import ClassVar

from osool_common.settings import CommonSettings


class Settings(CommonSettings):
    service_name: ClassVar[str] = "agent"
    upstream_services: str = "search,chat-history,chain,auth"
