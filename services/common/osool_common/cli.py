"""The command line every service shares: `python -m osool_<name> serve|migrate|check-config`."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import pkgutil
import shutil
import socket
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from osool_common.logging import configure_logging
from osool_common.migrations import apply_migrations, wait_for_database
from osool_common.settings import CommonSettings, ConfigurationError


@dataclass(frozen=True)
class ExtraCommand:
    """A service's own command beside serve/migrate/check-config (e.g. auth's create-admin). Its two functions are
    named "module:function" and imported only when the command is the one run: `serve` never imports a command's
    module (search's ingest and chain's embedded node cost each replica 0.2 to 0.35 s of start-up CPU)."""

    help: str
    add_arguments: str  # "osool_auth.admin:add_arguments", called with the command's argparse subparser
    run: str  # "osool_auth.admin:run", called with the settings and the parsed arguments; returns the exit code
    # False for a command that does not touch the service's database (e.g. chain's embedded node).
    migrate_first: bool = True


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # as in internal paths: "chat-history"
    package: str  # "osool_chat_history"
    settings_class: type[CommonSettings]
    migrations_dir: Path
    extra_commands: Mapping[str, ExtraCommand] = field(default_factory=dict)


def load_settings_or_exit(spec: ServiceSpec) -> CommonSettings:
    try:
        return spec.settings_class.load()
    except ConfigurationError as exc:
        print(f"osool-{spec.name}: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _migrate(spec: ServiceSpec, settings: CommonSettings) -> None:
    assert settings.database_url is not None
    wait_for_database(settings.database_url.get_secret_value())
    apply_migrations(settings, spec.migrations_dir)


def _serve(spec: ServiceSpec, settings: CommonSettings, args: argparse.Namespace) -> None:
    # No cyclic garbage collection while the app is imported and built: importing makes hundreds of thousands of
    # long-lived objects and no garbage, and the collector's passes over them were a tenth of a replica's start-up CPU.
    # EmbeddedGunicorn.load freezes what was built (the workers never scan it again) and turns collection back on.
    gc.disable()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        empty_metrics_dir(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
    _migrate(spec, settings)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Run alone (not from the launcher): a fresh, private metrics directory for this process tree.
        metrics_dir = Path(tempfile.gettempdir()) / f"osool-metrics-{spec.name}-{os.getpid()}"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    bind = f"{args.host}:{args.port}"
    if args.reuse_port:
        listener = bind_beside_reservation(args.host, args.port)
        bind = f"fd://{listener.fileno()}"
    # This process becomes gunicorn's master (supervisor's signals reach it directly), with the app it has imported.
    from osool_common.gunicorn_conf import EmbeddedGunicorn

    main = importlib.import_module(f"{spec.package}.main")
    options = {"bind": [bind], "workers": args.workers, "proc_name": f"osool-{spec.name}"}
    EmbeddedGunicorn(main.create_app, options).run()


def empty_metrics_dir(path: Path) -> None:
    """The replica's metrics directory, emptied of an earlier start's files (before any worker forks): every /metrics
    reads every file in it, so those of processes long gone were read at each scrape for as long as the replica ran,
    and their live gauges (a killed master never marks its workers dead) counted as if alive. A container's tmpfs or
    emptyDir starts empty the same way; Prometheus and the RED job read the counters' fall as the restart it is."""
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink(missing_ok=True)


def bind_beside_reservation(host: str, port: int) -> socket.socket:
    """The replica's socket, bound with SO_REUSEPORT next to the socket by which the launcher reserves the port (no
    other program can bind it). Bound here and handed to gunicorn as fd://N rather than through gunicorn's own
    --reuse-port, which gives every worker a socket of its own: one shared socket keeps gunicorn's usual model, where
    an idle worker takes the next connection and a worker's death loses nothing queued."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.set_inheritable(True)
    return listener


def main(spec: ServiceSpec, argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {spec.package}", description=f"Osool {spec.name} service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="apply migrations, then serve HTTP with gunicorn + uvicorn workers")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    serve.add_argument(
        "--reuse-port",
        action="store_true",
        help="bind with SO_REUSEPORT beside the launcher's reservation of the port (devstack.ports)",
    )
    commands.add_parser("migrate", help="apply this service's pending migrations and exit")
    commands.add_parser("check-config", help="validate the environment and exit")
    arguments = sys.argv[1:] if argv is None else argv
    # The command is the first word that is not an option (the top-level parser has only --help); only its own
    # arguments are needed to parse the line, and only its module is imported for them.
    chosen = next((word for word in arguments if not word.startswith("-")), None)
    for name, extra in spec.extra_commands.items():
        subparser = commands.add_parser(name, help=extra.help)
        if name == chosen:
            pkgutil.resolve_name(extra.add_arguments)(subparser)
    args = parser.parse_args(arguments)

    settings = load_settings_or_exit(spec)
    # A server's lines are written in batches; a command's as they come.
    configure_logging(
        spec.name, settings.log_level, flush_seconds=settings.log_flush_seconds if args.command == "serve" else 0.0
    )
    if args.command == "serve":
        _serve(spec, settings, args)
    elif args.command == "migrate":
        _migrate(spec, settings)
    elif args.command in spec.extra_commands:
        extra = spec.extra_commands[args.command]
        if extra.migrate_first:
            _migrate(spec, settings)
        raise SystemExit(pkgutil.resolve_name(extra.run)(settings, args))
    else:
        print(f"osool-{spec.name}: configuration ok ({settings.osool_env})")
