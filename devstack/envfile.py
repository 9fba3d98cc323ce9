"""The local env file: random secrets generated on first start, URLs rewritten from them at every start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from devstack.config import StackConfig

GENERATED_SECRETS = ("POSTGRES_SUPERUSER_PASSWORD", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "OSOOL_SERVICE_KEY")
HEADER = (
    "# Written by the local stack (make run) on first start: random local secrets. Git-ignored.\n"
    "# Add your own variables below (OPENAI_API_KEY, SENTRY_DSN, ...); they are kept.\n"
)


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


DEMO_LISTINGS = 3500


def ensure_env_file(config: StackConfig) -> dict[str, str]:
    """Create or complete the env file; returns its values. Secrets, once written, are never changed."""
    values = read_env_file(config.env_file)
    for name in GENERATED_SECRETS:
        if not values.get(name):
            # URL-safe, so they can stand in a connection URL without escaping.
            values[name] = secrets.token_urlsafe(24)
    if not values.get("AUTH_JWT_KEYS"):
        # The auth service's signing key (RSA, RS256); its format is owned by osool_auth.tokens.
        from osool_auth.tokens import generate_signing_key_entry

        values["AUTH_JWT_KEYS"] = generate_signing_key_entry()
    if not values.get("CHAIN_PRIVATE_KEY"):
        # The chain service's signing key for the embedded node (which funds it); set your own for a real node.
        values["CHAIN_PRIVATE_KEY"] = "0x" + secrets.token_hex(32)
    # The demo listings the search service loads on its first start (0 for none); kept when already set.
    values.setdefault("DEMO_LISTINGS", str(DEMO_LISTINGS))
    values["OSOOL_ENV"] = config.osool_env
    values["DATABASE_URL"] = f"postgresql://osool:{values['POSTGRES_PASSWORD']}@127.0.0.1:{config.postgres_port}/osool"
    values["REDIS_URL"] = f"redis://:{values['REDIS_PASSWORD']}@127.0.0.1:{config.valkey_port}/0"
    values["GATEWAY_INTERNAL_URL"] = config.internal_url
    _write(config.env_file, values)
    return values


def set_env_values(path: Path, **changes: str) -> None:
    """Add or replace some values of the env file, keeping every other one (a demo account made after the start)."""
    _write(path, {**read_env_file(path), **changes})


def _write(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = HEADER + "".join(f"{key}={value}\n" for key, value in values.items())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
