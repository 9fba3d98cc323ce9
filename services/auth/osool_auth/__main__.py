"""`python -m osool_auth serve|migrate|check-config|create-admin|outbox`."""

from pathlib import Path

from osool_auth.settings import Settings
from osool_common.cli import ExtraCommand, ServiceSpec, main

SPEC = ServiceSpec(
    name="auth",
    package="osool_auth",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    extra_commands={
        "create-admin": ExtraCommand(
            help="create the first administrator (or promote an existing account)",
            add_arguments="osool_auth.admin:add_arguments",
            run="osool_auth.admin:run",
        ),
        "outbox": ExtraCommand(
            help="development: the SMS and email that would have been sent, newest first",
            add_arguments="osool_auth.outbox:add_arguments",
            run="osool_auth.outbox:run",
            migrate_first=False,
        ),
    },
)

if __name__ == "__main__":
    main(SPEC)
