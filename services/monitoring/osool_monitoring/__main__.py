"""`python -m osool_monitoring serve|migrate|check-config`."""

from pathlib import Path

from osool_common.cli import ServiceSpec, main
from osool_monitoring.settings import Settings

SPEC = ServiceSpec(
    name="monitoring",
    package="osool_monitoring",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
