"""Attacks and careless clients against the whole stack through the gateway: each defect found once stays fixed."""

from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
import uuid

import httpx
import pytest
from websockets.sync.client import connect

from devstack.config import REPO_ROOT
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import admin_headers, clean_environ, service_headers, user_headers
from osool_common.service_auth import HEADER

pytestmark = pytest.mark.stack

# A public route that reads a JSON body, one per service (the chat creates a session: its body is validated first).
JSON_ROUTES = {
    "auth": "/api/auth/signup",
    "chain": "/api/chain/verify",
    "search": "/api/properties/search",
    "chat-history": "/api/history/sessions",
    "agent": "/api/chat",
}
DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 KB: under the public body limit


@pytest.mark.parametrize("service", sorted(JSON_ROUTES))
def test_over_deep_json_gets_400_and_the_worker_lives(stack: LocalStack, service: str) -> None:
    # Auth and the chain import py_ecc / py-evm, which raise the recursion limit to 100,000: without the depth
    # check this body overflows the C stack of a worker (SIGSEGV, a 502 from the gateway).
    url = f"{stack.config.public_url}{JSON_ROUTES[service]}"
    for _ in range(3):  # more attempts than one service's workers, so a crash could not hide behind a replica
        response = httpx.post(url, content=DEEP, headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, response.text[:300]
        error = response.json()["error"]
        assert error["code"] == "bad_request" and "nested deeper" in error["message"]
        assert error["request_id"] == response.headers["x-request-id"]
    live = httpx.get(f"{stack.config.internal_url}/{service}/health/live")
    assert live.status_code == 200 and live.json()["service"] == service


def test_chat_websocket_refuses_over_deep_json_and_keeps_the_connection(stack: LocalStack) -> None:
    url = stack.config.public_url.replace("http://", "ws://") + "/api/chat/ws"
    with connect(url, max_size=None, open_timeout=30) as websocket:
        websocket.send(DEEP.decode())
        event = json.loads(websocket.recv(timeout=30))
        assert event["event"] == "error" and event["data"]["status"] == 422
        assert "nested deeper" in event["data"]["error"]["message"]
        websocket.send(json.dumps({"message": ""}))  # the connection still answers (a validation error)
        event = json.loads(websocket.recv(timeout=30))
        assert event["event"] == "error" and event["data"]["status"] == 422


def _raw_request(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


# -- NUL bytes and malformed requests: a 400 in the JSON envelope, never a 500 ------------------------------------
def test_nul_in_a_query_is_a_422_not_a_database_error(stack: LocalStack) -> None:
    headers = admin_headers(stack, "nul")
    for path in ("/api/history/search?q=a%00b", "/api/properties/search?q=a%00b", "/api/chain/listings?id=1%00"):
        response = httpx.get(f"{stack.config.public_url}{path}", headers=headers, timeout=30)
        assert response.status_code == 422, (path, response.text[:300])
        assert response.json()["error"]["code"] == "validation_error" and "NUL" in response.text


def test_nul_escape_in_a_json_body_is_a_422(stack: LocalStack) -> None:
    response = httpx.post(f"{stack.config.public_url}/api/properties/search", json={"query": "villa\x00"}, timeout=30)
    assert response.status_code == 422, response.text[:300]
    assert "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/properties/a%00b", "/%00", "/api/auth/login%00"])
def test_nul_in_a_path_is_a_json_400_from_the_gateway(stack: LocalStack, path: str) -> None:
    status, headers, body = _raw_request(
        stack.config.public_port, f"GET {path} HTTP/1.1\r\nHost: osool\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 400 and headers["content-type"] == "application/json", body[:300]
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and error["request_id"] == headers["x-request-id"]


@pytest.mark.parametrize(
    "request_line", [b"GET /a b c HTTP/1.1", b"\x00\x01 garbage", b"GET  HTTP/1.1", b"G\x00T / HTTP/1.1"]
)
def test_a_malformed_request_line_is_a_json_400(stack: LocalStack, request_line: bytes) -> None:
    for port in (stack.config.public_port, stack.config.internal_port):
        status, headers, body = _raw_request(port, request_line + b"\r\nHost: osool\r\n\r\n")
        assert status == 400 and headers["content-type"] == "application/json", body[:300]
        assert json.loads(body)["error"]["code"] == "bad_request"


# -- The public listener: what is not public is a 404, never a redirect naming an internal host -----------------
@pytest.mark.parametrize(
    "path", ["/metrics/", "/metrics/nothing", "/api/history/sessions/", "/api/properties/search/", "/api/chat/"]
)
def test_paths_that_are_not_routes_are_404_without_a_location(stack: LocalStack, path: str) -> None:
    response = httpx.get(f"{stack.config.public_url}{path}", timeout=30, follow_redirects=False)
    assert response.status_code in (404, 405), (path, response.status_code, response.headers)
    assert "location" not in response.headers
    assert response.json()["error"]["code"] in ("not_found", "method_not_allowed")


# -- Service-to-service authentication -------------------------------------------------------------------------
INTERNAL_ROUTES = (
    "/chat-history/api/history/internal/sessions/00000000-0000-4000-8000-000000000000/messages",
    "/search/api/properties?q=villa",
    "/auth/openapi.json",
    "/chain/api/chain/listings?id=1",
)


def test_the_internal_listener_refuses_a_caller_without_the_service_key(stack: LocalStack) -> None:
    for path in INTERNAL_ROUTES:
        for headers in ({}, {HEADER: "not-the-key-at-all-0000"}, {HEADER: ""}, {"Authorization": "Bearer wrong-key"},
                        {"Authorization": f"Basic {service_headers(stack)[HEADER]}"}):  # fmt: skip
            response = httpx.get(f"{stack.config.internal_url}{path}", headers=headers, timeout=30)
            assert response.status_code == 401, (path, headers, response.text[:300])
            assert response.json()["error"]["code"] == "unauthenticated"
        with_key = httpx.get(f"{stack.config.internal_url}{path}", headers=service_headers(stack), timeout=30)
        assert with_key.status_code in (200, 404, 422), (path, with_key.text[:300])  # past the key
        # The key as a bearer token (Alertmanager's webhook can send no other header) is the key too.
        bearer = {"Authorization": f"Bearer {service_headers(stack)[HEADER]}"}
        with_bearer = httpx.get(f"{stack.config.internal_url}{path}", headers=bearer, timeout=30)
        assert with_bearer.status_code == with_key.status_code, (path, with_bearer.text[:300])


def test_probes_and_scrapes_need_no_key(stack: LocalStack) -> None:
    for path in ("/search/health/live", "/auth/health/ready", "/chat-history/health", "/agent/metrics",
                 "/auth/.well-known/jwks.json"):  # fmt: skip
        assert httpx.get(f"{stack.config.internal_url}{path}", timeout=30).status_code == 200, path
    # Only those exact paths: a suffix is not a way around the key.
    for path in ("/search/health/live/../../api/properties/search", "/search/metrics/x", "/search/healthz"):
        assert httpx.get(f"{stack.config.internal_url}{path}", timeout=30).status_code in (401, 404), path


def test_a_service_port_refuses_internal_routes_without_the_key(stack: LocalStack) -> None:
    # A process on the host can skip the gateway: the service checks the key itself.
    port = stack.config.replica_ports["chat-history"][0]
    path = "/api/history/internal/sessions/00000000-0000-4000-8000-000000000000/messages"
    refused = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    wrong = httpx.get(f"http://127.0.0.1:{port}{path}", headers={HEADER: "x" * 32}, timeout=30)
    assert wrong.status_code == 401
    wrong_bearer = httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer " + "x" * 32})
    assert wrong_bearer.status_code == 401
    bearer = {"Authorization": f"Bearer {service_headers(stack)[HEADER]}"}
    assert httpx.get(f"http://127.0.0.1:{port}{path}", headers=bearer, timeout=30).status_code == 404
    allowed = httpx.get(f"http://127.0.0.1:{port}{path}", headers=service_headers(stack), timeout=30)
    assert allowed.status_code == 404  # past the key: the session does not exist


# -- The development outbox: internal, for an administrator, absent in production -------------------------------
def test_the_outbox_is_not_on_the_public_listener(stack: LocalStack) -> None:
    headers = admin_headers(stack, "outbox-public")
    for path in ("/api/auth/dev/outbox", "/api/auth/internal/dev/outbox"):
        response = httpx.get(f"{stack.config.public_url}{path}", headers=headers, timeout=30)
        assert response.status_code == 404, (path, response.text[:300])
        assert "body" not in response.text


def test_the_outbox_needs_the_service_key_and_an_admin(stack: LocalStack) -> None:
    email = f"victim-{uuid.uuid4().hex[:8]}@osool-test.eg"
    httpx.post(f"{stack.config.public_url}/api/auth/signup", json={"email": email, "password": "a long passphrase!"})
    url = f"{stack.config.internal_url}/auth/api/auth/internal/dev/outbox"
    params = {"recipient": email}
    key = service_headers(stack)
    assert httpx.get(url, params=params, timeout=30).status_code == 401  # no key: the gateway refuses
    assert httpx.get(url, params=params, headers=key, timeout=30).status_code == 401  # no token
    user = user_headers(stack)
    assert httpx.get(url, params=params, headers={**key, **user}, timeout=30).status_code == 403
    admin = httpx.get(url, params=params, headers={**key, **admin_headers(stack, "outbox")}, timeout=30)
    assert admin.status_code == 200 and "token=" in admin.json()[0]["body"]


def test_production_has_no_outbox_route(stack: LocalStack) -> None:
    env = {
        **clean_environ(),
        **read_env_file(stack.config.env_file),
        "OSOOL_ENV": "production",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": "+201000000000",
        "SENDGRID_API_KEY": "SG." + secrets.token_urlsafe(32),
        "SENDGRID_FROM_EMAIL": "noreply@osool.example",
    }
    script = 'from osool_auth.main import create_app; print(sorted(create_app().openapi()["paths"]))'
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "/api/auth/login" in result.stdout and "outbox" not in result.stdout
    development = subprocess.run(
        [sys.executable, "-c", script], env={**env, "OSOOL_ENV": "development"}, capture_output=True, text=True
    )
    assert "/api/auth/internal/dev/outbox" in development.stdout, development.stderr[-2000:]


def test_make_outbox_shows_a_developer_the_codes(stack: LocalStack) -> None:
    phone = f"+2010{secrets.randbelow(10**8):08d}"
    sent = httpx.post(f"{stack.config.public_url}/api/auth/otp/send", json={"phone": phone}, timeout=30)
    assert sent.status_code == 200, sent.text
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "outbox", f"RECIPIENT={phone}"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"sms to {phone}" in result.stdout and re.search(r"\b\d{6}\b", result.stdout), result.stdout


# -- 405 names every method of the path --------------------------------------------------------------------------
def test_a_405_allows_every_method_of_the_path(stack: LocalStack) -> None:
    response = httpx.request("OPTIONS", f"{stack.config.public_url}/api/history/sessions", timeout=30)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert {"GET", "POST", "DELETE"} <= set(response.headers["allow"].split(", "))


def test_the_gateways_own_405_is_json_with_allow(stack: LocalStack) -> None:
    response = httpx.request("TRACE", f"{stack.config.public_url}/api/properties/search", timeout=30)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["allow"] and response.headers["x-content-type-options"] == "nosniff"
