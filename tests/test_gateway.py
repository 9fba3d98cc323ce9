"""The gateway, through its two listeners, in front of the real services of a whole local stack."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from devstack.config import SERVICES
from devstack.stack import LocalStack
from devstack.testing import service_headers

pytestmark = pytest.mark.stack

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def test_every_service_is_healthy_through_the_internal_listener(stack: LocalStack) -> None:
    for service in SERVICES:
        response = httpx.get(f"{stack.config.internal_url}/{service}/health")
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"service", "version", "status", "checks", "response_time_ms"}
        assert body["service"] == service and body["status"] == "healthy"
        assert body["checks"]["database"]["status"] == "healthy"
        assert body["checks"]["redis"]["status"] == "healthy"
        for check in body["checks"].values():
            assert set(check) == {"status", "message", "latency_ms"}


def test_live_and_ready_answer_for_every_service(stack: LocalStack) -> None:
    for service in SERVICES:
        live = httpx.get(f"{stack.config.internal_url}/{service}/health/live")
        assert live.status_code == 200 and live.json() == {"service": service, "status": "alive"}
        ready = httpx.get(f"{stack.config.internal_url}/{service}/health/ready")
        assert ready.status_code == 200 and ready.json()["status"] == "healthy"


def test_agent_checks_its_upstream_services(stack: LocalStack) -> None:
    checks = httpx.get(f"{stack.config.internal_url}/agent/health").json()["checks"]
    assert {"service:search", "service:chat-history", "service:chain", "service:auth"} <= set(checks)


def test_every_service_publishes_its_openapi_document(stack: LocalStack) -> None:
    for service in SERVICES:
        url = f"{stack.config.internal_url}/{service}/openapi.json"
        document = httpx.get(url, headers=service_headers(stack)).json()
        assert document["info"]["title"] == f"Osool {service}"
        assert {"/health", "/health/live", "/health/ready"} <= set(document["paths"])


def test_public_listener_serves_the_web_client_with_security_headers(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.config.public_url}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Osool" in response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    # The built client's stylesheet is a hashed asset (tests/web/test_static_serving.py has the cache rules); the page
    # that says how to build the client, served when web/dist is missing, links none.
    for stylesheet in re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', response.text):
        assert httpx.get(f"{stack.config.public_url}{stylesheet}").headers["content-type"] == "text/css"


@pytest.mark.parametrize(
    "path", ["/search/health", "/auth/health/ready", "/chat-history/metrics", "/api/history/internal/messages",
             "/api/search/internal", "/metrics", "/api/unknown-area"],
)  # fmt: skip
def test_internal_routes_are_not_reachable_on_the_public_listener(stack: LocalStack, path: str) -> None:
    response = httpx.get(f"{stack.config.public_url}{path}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["request_id"] == response.headers["x-request-id"]


def test_public_api_areas_reach_their_service(stack: LocalStack) -> None:
    # A path no route of the owning service matches: the service itself answers its 404 envelope.
    for path in ("/api/market/nothing-here", "/api/auth/nothing-here", "/api/history/nothing-here", "/api/chain/tx/1",
                 "/api/monitoring/nothing-here", "/api/leads/nothing/here", "/api/reservations/a/b/c"):  # fmt: skip
        response = httpx.get(f"{stack.config.public_url}{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["message"] == "Not Found", path


def test_request_id_is_passed_through_and_returned(stack: LocalStack) -> None:
    request_id = "e2e-request-id-0001"
    response = httpx.get(
        f"{stack.config.internal_url}/search/nowhere", headers={"X-Request-ID": request_id, **service_headers(stack)}
    )
    assert response.headers["x-request-id"] == request_id
    assert response.json()["error"]["request_id"] == request_id
    assert response.headers.get_list("x-request-id") == [request_id]
    log = _wait_for_log(stack.config.state_dir / "logs", "search-", request_id)
    assert '"route": "<unmatched>"' in log and '"status": 404' in log


def test_request_id_follows_a_call_to_another_service(stack: LocalStack) -> None:
    request_id = "e2e-downstream-0002"
    # Asked until the agent's check of chain sends its probe ("live"), not reuses an answer from chain younger than
    # UPSTREAM_FRESH_SECONDS (the monitoring job's /health every 15 s makes the agent probe too).
    deadline = time.monotonic() + 30
    while True:
        checks = httpx.get(f"{stack.config.internal_url}/agent/health", headers={"X-Request-ID": request_id}).json()
        if checks["checks"]["service:chain"]["message"] == "live":
            break
        assert time.monotonic() < deadline, checks["checks"]["service:chain"]
        time.sleep(1)
    # The agent's health check calls chain's /health/live through the gateway's internal listener, passing
    # the id on: the gateway's access log shows that call with the caller's id, not one of its own.
    line = _wait_for_log(
        stack.config.state_dir / "nginx",
        "access",
        f'"request_id":"{request_id}","remote":"127.0.0.1","method":"GET","uri":"/chain/health/live"',
    )
    assert '"status":200' in line


def test_a_forged_request_id_is_replaced_by_the_gateway(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.config.public_url}/", headers={"X-Request-ID": "x"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_body_over_the_cap_is_refused_with_the_envelope(stack: LocalStack) -> None:
    response = httpx.post(f"{stack.config.public_url}/api/properties/search", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_wrong_method_is_a_405_envelope_from_the_service(stack: LocalStack) -> None:
    response = httpx.post(f"{stack.config.internal_url}/search/health/live")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_login_is_rate_limited_strictly(stack: LocalStack) -> None:
    # From another loopback address, so the limit spent here does not touch the other tests' sign-ins.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, base_url=stack.config.public_url) as client:
        statuses = [client.post("/api/auth/login", json={}).status_code for _ in range(60)]
        limited = client.post("/api/auth/login", json={})
    # The test stack allows 120/min with a burst of 40: a quick series of 60 gets about 41 through.
    assert statuses.count(429) >= 15
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "1"  # 120 a minute: one more in half a second, said in whole seconds
    # The API's own limit is far looser: the same burst of reads is not refused.
    assert httpx.get(f"{stack.config.public_url}/api/market/nothing-here").status_code == 404


def test_nginx_accepts_the_rendered_local_config(stack: LocalStack) -> None:
    assert "syntax is ok" in stack.check_gateway_config()


def _wait_for_log(log_dir: Path, prefix: str, needle: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log in log_dir.glob(f"{prefix}*.log"):
            for line in log.read_text().splitlines():
                if needle in line:
                    return line
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not logged by {prefix}* within {timeout}s")
