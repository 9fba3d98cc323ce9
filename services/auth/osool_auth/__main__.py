"""`python -m osool_auth serve|migrate|check-config`."""

from pathlib import Path

from osool_auth.settings import Settings
from osool_common.cli import ServiceSpec, main

SPEC = ServiceSpec(
    name="auth",
    package="osool_auth",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
