"""Calls to other Osool services, always through the gateway's internal listener.

Timeouts on every call, the request id passed on, and idempotent calls (writes with an Idempotency-Key too) retried
(with tenacity) when the connection fails or the gateway answers 502/503/504.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import httpx
from asgi_correlation_id import correlation_id
from httpx_aiohttp import AiohttpTransport
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from osool_common.service_auth import HEADER as SERVICE_KEY_HEADER
from osool_common.settings import CommonSettings

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUS = frozenset({502, 503, 504})


class RetryableStatusError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code} from {response.request.url}")
        self.response = response


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, (httpx.TransportError, RetryableStatusError))


async def _add_request_id(request: httpx.Request) -> None:
    request_id = correlation_id.get()
    if request_id and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


class _AiohttpTransport(AiohttpTransport):
    """httpx-aiohttp's transport with aiohttp's connection errors named by their cause: its 0.2 maps every one of
    them to httpx.ConnectTimeout, a refused connection and a dropped one alike, which callers and logs would then read
    as a timeout."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TransportError as exc:
            cause = exc.__cause__
            if isinstance(cause, TimeoutError):
                raise
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ServerDisconnectedError):
                raise httpx.RemoteProtocolError(str(cause), request=request) from cause
            if isinstance(cause, aiohttp.ClientOSError):
                raise httpx.ReadError(str(cause), request=request) from cause
            raise


def service_headers(settings: CommonSettings) -> dict[str, str]:
    """The headers of every call of ours: who calls, and the deployment's service key."""
    headers = {"User-Agent": f"osool-{settings.service_name}"}
    if settings.osool_service_key is not None:
        # Our calls prove they are ours: the gateway's internal listener and internal routes check it.
        headers[SERVICE_KEY_HEADER] = settings.osool_service_key.get_secret_value()
    return headers


class ServiceClient:
    """One shared httpx client per process; `request("search", "GET", "/api/properties/1")`."""

    def __init__(self, settings: CommonSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.retries = settings.http_retries
        # When each service last answered one of our calls (monotonic seconds): UpstreamCheck reads it.
        self.answered: dict[str, float] = {}
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._client = httpx.AsyncClient(
            base_url=str(settings.gateway_internal_url).rstrip("/"),
            timeout=httpx.Timeout(settings.http_timeout_seconds, connect=1.0),
            limits=limits,
            event_hooks={"request": [_add_request_id]},
            headers=service_headers(settings),
            # httpx's API over aiohttp's connections (httpx-aiohttp) rather than httpx's own transport (httpcore on
            # anyio): about half the caller's CPU a call (bench/gateway), and the agent makes several calls a turn.
            transport=transport if transport is not None else _AiohttpTransport(limits=limits),
        )

    async def request(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._note(service, await self._request(service, method, path, **kwargs))
        except httpx.TransportError:
            self.answered.pop(service, None)
            raise

    async def _request(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = f"/{service}{path}"
        method = method.upper()
        # A write that carries an Idempotency-Key is safe to send again: a repeat is answered with the first write.
        keyed = any(name.lower() == "idempotency-key" for name in (kwargs.get("headers") or {}))
        if method not in IDEMPOTENT_METHODS and not keyed:
            return await self._client.request(method, url, **kwargs)
        response: httpx.Response | None = None
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.retries + 1),
                wait=wait_exponential(multiplier=0.05, max=0.5),
                retry=retry_if_exception(_is_retryable),
                reraise=True,
            ):
                with attempt:
                    response = await self._client.request(method, url, **kwargs)
                    if response.status_code in RETRYABLE_STATUS:
                        raise RetryableStatusError(response)
        except RetryableStatusError as exc:
            return exc.response
        assert response is not None
        return response

    def _note(self, service: str, response: httpx.Response) -> httpx.Response:
        # Any answer but the gateway's 502/503/504 (no replica answered) came from the service itself; those, and a
        # call that got no answer at all, mean it may be down: its check asks at once.
        if response.status_code in RETRYABLE_STATUS:
            self.answered.pop(service, None)
        else:
            self.answered[service] = time.monotonic()
        return response

    def answered_within(self, service: str, seconds: float) -> float | None:
        """How long ago `service` last answered one of this client's calls, if within `seconds`."""
        at = self.answered.get(service)
        if at is None or time.monotonic() - at > seconds:
            return None
        return time.monotonic() - at

    async def get(self, service: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request(service, "GET", path, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()


class UpstreamCheck:
    """Health check: the upstream service answers through the gateway. A service this one is calling anyway has
    answered within `fresh_seconds` (UPSTREAM_FRESH_SECONDS), and then no probe is sent (the passive check of a service
    mesh's outlier detection); a call that failed since (no answer, or the gateway's 502/503/504) makes the next check
    probe. Every /health and /health/ready (the monitoring job's every 15 s, a pod's readiness probe every 10 s) asked
    each upstream's /health/live, two requests through the gateway per upstream per check, most of the agent's health
    CPU. Otherwise it asks /health/live."""

    def __init__(self, client: ServiceClient, service: str, fresh_seconds: float) -> None:
        self.client = client
        self.service = service
        self.fresh_seconds = fresh_seconds

    async def __call__(self) -> str:
        age = self.client.answered_within(self.service, self.fresh_seconds)
        if age is not None:
            return f"answered {age:.1f}s ago"
        response = await self.client.get(self.service, "/health/live")
        if response.status_code != 200:
            raise RuntimeError(f"{self.service} answered {response.status_code}")
        return "live"
