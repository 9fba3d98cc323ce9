"""`python -m osool_agent serve|migrate|check-config`."""

from pathlib import Path

from osool_agent.settings import Settings
from osool_common.cli import ServiceSpec, main

SPEC = ServiceSpec(
    name="agent",
    package="osool_agent",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
