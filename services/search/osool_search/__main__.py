"""`python -m osool_search serve|migrate|check-config|ingest|load-demo|reindex`."""

from pathlib import Path

from osool_common.cli import ExtraCommand, ServiceSpec, main
from osool_search.settings import Settings

SPEC = ServiceSpec(
    name="search",
    package="osool_search",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    extra_commands={
        "ingest": ExtraCommand(
            help="validate a JSON or CSV export and upsert its listings by source_id; prints the report",
            add_arguments="osool_search.commands:add_ingest_arguments",
            run="osool_search.commands:run_ingest",
            migrate_first=False,  # the command migrates after sending its logs to stderr
        ),
        "load-demo": ExtraCommand(
            help="generate and ingest the deterministic demo listings (idempotent)",
            add_arguments="osool_search.commands:add_demo_arguments",
            run="osool_search.commands:run_load_demo",
            migrate_first=False,
        ),
        "reindex": ExtraCommand(
            help="re-embed every listing made by another embedding model with the current one",
            add_arguments="osool_search.commands:add_reindex_arguments",
            run="osool_search.commands:run_reindex",
            migrate_first=False,
        ),
    },
)

if __name__ == "__main__":
    main(SPEC)
