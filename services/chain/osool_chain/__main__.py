"""`python -m osool_chain serve|migrate|check-config`."""

from pathlib import Path

from osool_chain.settings import Settings
from osool_common.cli import ServiceSpec, main

SPEC = ServiceSpec(
    name="chain",
    package="osool_chain",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
