"""`python -m osool_chat_history serve|migrate|check-config|purge`."""

from pathlib import Path

from osool_chat_history.settings import Settings
from osool_common.cli import ExtraCommand, ServiceSpec, main

SPEC = ServiceSpec(
    name="chat-history",
    package="osool_chat_history",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    extra_commands={
        "purge": ExtraCommand(
            help="delete anonymous sessions idle longer than PURGE_ANONYMOUS_AFTER_DAYS, once",
            add_arguments="osool_chat_history.purge:add_arguments",
            run="osool_chat_history.purge:run",
        )
    },
)

if __name__ == "__main__":
    main(SPEC)
