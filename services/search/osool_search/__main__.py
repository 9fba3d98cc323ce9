"""`python -m osool_search serve|migrate|check-config`."""

from pathlib import Path

from osool_common.cli import ServiceSpec, main
from osool_search.settings import Settings

SPEC = ServiceSpec(
    name="search",
    package="osool_search",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
