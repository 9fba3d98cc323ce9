"""The jobs' reads of the services: each /health through the internal gateway and each replica's /metrics, with
aiohttp's client straight.

Not the kit's ServiceClient (httpx): these are the calls the monitoring service makes all day, six every 15 s and
one per replica every minute, and httpx's layers (over aiohttp's transport, httpx-aiohttp) took 0.8 ms of CPU a GET
where aiohttp's own client takes 0.35 (bench/monitoring: the health job was monitoring's largest cost after
Prometheus). Nor its retries: a service's /health answers 503 when it is degraded, which is the reading, not a failure
to read again; a replica that does not answer is read at the next run."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from osool_common.http_client import service_headers
from osool_common.service_auth import HEADER as SERVICE_KEY_HEADER
from osool_common.settings import CommonSettings

# Kept open across the jobs' periods (nginx keeps an idle connection 65 s): a health run every 15 s reuses its
# connections instead of opening new ones (aiohttp's default keeps them 15 s).
KEEPALIVE_SECONDS = 30.0


class ReadError(Exception):
    """No answer: the connection failed or timed out."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    text: str


class Reader:
    """`await reader.service("search", "/health")` through the internal gateway (with the service key);
    `await reader.url("http://10.0.0.5:8000/metrics")` straight to a replica (without it). Open it inside the event
    loop that uses it; `aclose()` at shutdown."""

    def __init__(self, settings: CommonSettings, timeout_seconds: float | None = None) -> None:
        self.gateway = str(settings.gateway_internal_url).rstrip("/")
        headers = service_headers(settings)
        key = headers.pop(SERVICE_KEY_HEADER, None)
        self._key_header = {SERVICE_KEY_HEADER: key} if key is not None else {}
        self._session = aiohttp.ClientSession(
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout_seconds or settings.http_timeout_seconds, connect=1.0),
            connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=KEEPALIVE_SECONDS),
            # The services' own cookies are never ours to keep.
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def service(self, service: str, path: str, params: dict[str, list[str]] | None = None) -> Answer:
        return await self._get(f"{self.gateway}/{service}{path}", params, self._key_header)

    async def url(self, url: str, params: dict[str, list[str]] | None = None) -> Answer:
        """A replica's own address: the service key stays with the gateway's calls."""
        return await self._get(url, params, {})

    async def _get(self, url: str, params: dict[str, list[str]] | None, headers: dict[str, str]) -> Answer:
        query = [(name, value) for name, values in (params or {}).items() for value in values]
        try:
            async with self._session.get(url, params=query or None, headers=headers) as response:
                return Answer(response.status, response.content_type, await response.text())
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ReadError(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        await self._session.close()
