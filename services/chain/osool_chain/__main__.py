"""`python -m osool_chain serve|migrate|check-config|node`."""

from pathlib import Path

from osool_chain.settings import Settings
from osool_common.cli import ExtraCommand, ServiceSpec, main

SPEC = ServiceSpec(
    name="chain",
    package="osool_chain",
    settings_class=Settings,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    extra_commands={
        "node": ExtraCommand(
            help="run the embedded Ethereum node (py-evm in memory) on CHAIN_RPC_URL's port, funding the signer",
            add_arguments="osool_chain.node:add_arguments",
            run="osool_chain.node:run",
            migrate_first=False,
        )
    },
)

if __name__ == "__main__":
    main(SPEC)
