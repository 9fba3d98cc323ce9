"""The gateway's TLS: gateway/nginx/ssl/make-local-certificates.sh makes a local authority and a server certificate,
and the gateway template rendered with TLS (as for compose and the native rehearsal) serves HTTPS with HTTP/2 and
HSTS on its public listener and redirects plain HTTP there."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.config import REPO_ROOT, GatewayRates, free_port
from devstack.render import COMPOSE_TLS, GatewayTls
from devstack.scale import CERTIFICATE_SCRIPT, make_certificates, nginx_gateway
from devstack.testing import render_standalone_gateway

SCRIPT = CERTIFICATE_SCRIPT  # gateway/nginx/ssl/make-local-certificates.sh


def openssl(*args: str) -> str:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ssl")
    made = make_certificates(directory, TLS_HOSTNAMES="osool.example.com,localhost,127.0.0.1")
    assert made.returncode == 0, made.stderr
    return directory


def test_local_authority_signs_a_server_certificate_for_every_name(certificates: Path) -> None:
    assert "server.crt: OK" in openssl(
        "verify", "-CAfile", str(certificates / "ca.crt"), str(certificates / "server.crt")
    )
    names = openssl("x509", "-in", str(certificates / "server.crt"), "-noout", "-ext", "subjectAltName")
    assert "DNS:osool.example.com" in names and "DNS:localhost" in names and "IP Address:127.0.0.1" in names
    purposes = openssl("x509", "-in", str(certificates / "server.crt"), "-noout", "-ext", "extendedKeyUsage")
    assert "TLS Web Server Authentication" in purposes
    for key in ("ca.key", "server.key"):
        assert (certificates / key).stat().st_mode & 0o077 == 0, f"{key} is readable by others"


def test_certificates_are_kept_unless_forced_and_the_authority_always(tmp_path: Path) -> None:
    assert make_certificates(tmp_path).returncode == 0
    first = {name: (tmp_path / name).read_bytes() for name in ("ca.crt", "server.crt", "server.key")}
    kept = make_certificates(tmp_path)
    assert kept.returncode == 0 and "keeping" in kept.stdout
    assert {name: (tmp_path / name).read_bytes() for name in first} == first
    forced = make_certificates(tmp_path, FORCE="1")
    assert forced.returncode == 0
    assert (tmp_path / "ca.crt").read_bytes() == first["ca.crt"]
    assert (tmp_path / "server.crt").read_bytes() != first["server.crt"]
    assert "server.crt: OK" in openssl("verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "server.crt"))


def test_certificate_script_is_posix_sh_and_clean_under_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run([shellcheck, "--shell=sh", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_private_keys_are_never_committed() -> None:
    ignored = (SCRIPT.parent / ".gitignore").read_text().split()
    assert {"*.key", "*.crt"} <= set(ignored)
    assert "gateway/nginx/ssl/*.pem" in (REPO_ROOT / ".dockerignore").read_text()


@pytest.fixture(scope="module")
def tls_gateway(certificates: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """The template with TLS on loopback ports (the native rehearsal's shape): (HTTPS port, plain HTTP port)."""
    state = tmp_path_factory.mktemp("gateway")
    https_port, http_port = free_port(), free_port()
    tls = GatewayTls(
        certificate=str(certificates / "server.crt"),
        certificate_key=str(certificates / "server.key"),
        redirect_listen=f"127.0.0.1:{http_port}",
        https_port=https_port,
    )
    # Every upstream at a port nothing listens on: these tests meet the gateway alone.
    config = render_standalone_gateway(state, free_port(), GatewayRates(), https_port, tls=tls)
    with nginx_gateway(config, state, f"http://127.0.0.1:{http_port}/healthz"):
        yield https_port, http_port


def test_plain_http_is_redirected_to_https_with_path_and_query(tls_gateway: tuple[int, int]) -> None:
    https_port, http_port = tls_gateway
    response = httpx.get(f"http://127.0.0.1:{http_port}/api/properties/search?q=villa&page=2")
    assert response.status_code == 301
    assert response.headers["location"] == f"https://127.0.0.1:{https_port}/api/properties/search?q=villa&page=2"
    # Probes may still ask the plain listener whether the gateway is up.
    assert httpx.get(f"http://127.0.0.1:{http_port}/healthz").json() == {"status": "ok", "service": "gateway"}


def test_https_answers_with_hsts_and_the_security_headers(tls_gateway: tuple[int, int], certificates: Path) -> None:
    https_port, _ = tls_gateway
    context = ssl.create_default_context(cafile=str(certificates / "ca.crt"))
    response = httpx.get(f"https://localhost:{https_port}/", verify=context)
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["x-frame-options"] == "DENY"
    # Internal routes stay unreachable on the public side.
    assert httpx.get(f"https://localhost:{https_port}/search/health", verify=context).status_code == 404


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_https_offers_http2_and_only_tls_1_2_or_newer(tls_gateway: tuple[int, int], certificates: Path) -> None:
    https_port, _ = tls_gateway

    def handshake(context: ssl.SSLContext) -> tuple[str | None, str | None]:
        with socket.create_connection(("127.0.0.1", https_port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                return tls.selected_alpn_protocol(), tls.version()

    context = ssl.create_default_context(cafile=str(certificates / "ca.crt"))
    context.set_alpn_protocols(["h2", "http/1.1"])
    protocol, version = handshake(context)
    assert protocol == "h2" and version in ("TLSv1.2", "TLSv1.3")
    old = ssl.create_default_context(cafile=str(certificates / "ca.crt"))
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("ALL:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError):
        handshake(old)


def test_compose_gateway_speaks_tls_on_8443_and_redirects_8080() -> None:
    text = (REPO_ROOT / "gateway" / "nginx" / "nginx.compose.conf").read_text()
    assert "listen 8443 ssl;" in text and "http2 on;" in text
    assert f"ssl_certificate {COMPOSE_TLS.certificate};" in text
    assert f"ssl_certificate_key {COMPOSE_TLS.certificate_key};" in text
    redirect = re.search(r"listen 8080;(.*?)\n  }\n", text, re.DOTALL)
    assert redirect is not None and "return 301 https://$host$request_uri;" in redirect.group(1)
    # The internal listener stays plain HTTP inside the compose network.
    assert "listen 8081;" in text
