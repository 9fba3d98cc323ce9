"""HTTP clients for the command-line tools that call the public gateway (the evaluations): a 429 is waited out.

The gateway's per-address limit (50 requests a second on the local stack) and a service's own (the agent's turns a
minute) refuse with 429 and a Retry-After. A refused request was not processed, so it is sent again once that time
has passed, up to RETRIES times (httpx-retries' transport, which reads Retry-After). Nothing else is retried: a POST
that failed any other way may have been processed (a chat turn), and the tool reports it.
"""

from __future__ import annotations

from http import HTTPMethod, HTTPStatus

import httpx
from httpx_retries import Retry, RetryTransport

RETRIES = 10


def rate_limit_retry(retries: int = RETRIES) -> Retry:
    return Retry(
        total=retries,
        status_forcelist=[HTTPStatus.TOO_MANY_REQUESTS],
        allowed_methods=list(HTTPMethod),  # a 429 was refused before anything was done, a POST as much as a GET
        retry_on_exceptions=[],
        respect_retry_after_header=True,
        backoff_factor=0.25,  # when a 429 comes without Retry-After: about 0.5, 1, 2 ... seconds, at most 5
        max_backoff_wait=5,
        backoff_jitter=0.2,  # one tool, no crowd to spread out: the waits stay close to the doubling
    )


def gateway_client(base_url: str, timeout: float, retries: int = RETRIES) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=timeout, transport=RetryTransport(retry=rate_limit_retry(retries)))


def async_gateway_client(base_url: str, timeout: float, retries: int = RETRIES) -> httpx.AsyncClient:
    transport = RetryTransport(retry=rate_limit_retry(retries))
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
