"""`python -m osool_chat_history serve|migrate|check-config`."""

from pathlib import Path

from osool_chat_history.settings import Settings
from osool_common.cli import ServiceSpec, main

SPEC = ServiceSpec(
    name="chat-history",
    package="osool_chat_history",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
)

if __name__ == "__main__":
    main(SPEC)
