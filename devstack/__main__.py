"""`python -m devstack run|up|down|status|logs|migrate|gateway-config` (the Makefile's run, up, down, ...)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from devstack.config import SERVICES, StackConfig
from devstack.demo_agent import DemoAgentError, ensure_demo_agent
from devstack.render import render_compose_gateway
from devstack.stack import LocalStack, StackError, package_of


def _run(stack: LocalStack) -> int:
    started = time.monotonic()
    stack.start(foreground=True)
    assert stack.process is not None
    supervisord = stack.process
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        # Ctrl-C in a terminal reaches supervisord too (same process group), but a signal sent to this process alone
        # (kill, a process manager, a closed terminal) would leave supervisord and every program running without
        # us: it is passed on as SIGTERM (supervisord reads SIGHUP as "reload"), and we return once all stopped.
        nonlocal stopping
        stopping = True
        if supervisord.poll() is None:
            supervisord.send_signal(signal.SIGTERM)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    # Only now: a signal while waiting for supervisord's socket must find the handlers above.
    stack.wake()
    try:
        stack.wait_healthy()
    except StackError as exc:
        if stopping:  # stopped while starting: supervisord's exit is what was asked for, not a failure
            return supervisord.wait()
        print(f"osool: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    if not stopping:
        _demo_agent(stack)
        print(
            f"\nOsool is up in {time.monotonic() - started:.1f}s. Ctrl-C stops everything.\n{stack.addresses()}\n",
            flush=True,
        )
    return supervisord.wait()


def _demo_agent(stack: LocalStack) -> None:
    """The demo sales agent, on the first start with demo listings; a stack without one still runs."""
    try:
        ensure_demo_agent(stack)
    except (DemoAgentError, OSError, subprocess.SubprocessError, ValueError) as exc:
        print(f"osool: no demo sales agent ({exc}); viewings offer no times until an agent publishes hours",
              file=sys.stderr)  # fmt: skip


def _up(stack: LocalStack) -> int:
    started = time.monotonic()
    stack.start(foreground=False)
    try:
        stack.wait_healthy()
    except StackError as exc:
        print(f"osool: {exc}", file=sys.stderr)
        return 1
    _demo_agent(stack)
    print(f"Osool is up in {time.monotonic() - started:.1f}s (background; `make down` stops it).\n{stack.addresses()}")
    return 0


def _status(stack: LocalStack) -> int:
    if not stack.is_running():
        print("Osool is not running (make up starts it).")
        return 3
    print(stack.ctl("status").stdout.rstrip())
    print()
    unhealthy = 0
    for service in SERVICES:
        health = stack.service_health(service)
        unhealthy += health.http_status != 200
        print(f"  {service:<14} {health.http_status or '---'}  {health.status}")
    print(f"\n{stack.addresses()}")
    return 1 if unhealthy else 0


def _logs(stack: LocalStack, follow: bool) -> int:
    logs = sorted((stack.config.state_dir / "logs").glob("*.log"))
    if not logs:
        print("no logs yet (make up starts the stack)")
        return 1
    argv = ["tail", "-n", "20", *(["-F"] if follow else []), *map(str, logs)]
    try:
        return subprocess.run(argv).returncode
    except KeyboardInterrupt:
        return 0


def _migrate(stack: LocalStack) -> int:
    if not stack.is_running():
        print(
            "osool: the stack is not running; `make up` first (services also migrate when they start)", file=sys.stderr
        )
        return 1
    env = {**os.environ, "OSOOL_ENV_FILE": str(stack.config.env_file)}
    for service in SERVICES:
        print(f"migrating {service} ...", flush=True)
        result = subprocess.run([sys.executable, "-m", package_of(service), "migrate"], env=env)
        if result.returncode != 0:
            return result.returncode
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description="The Osool local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start everything in the foreground; Ctrl-C stops it")
    commands.add_parser("up", help="start everything in the background")
    commands.add_parser("down", help="stop a background stack")
    commands.add_parser("status", help="processes and health of every service")
    logs = commands.add_parser("logs", help="show the logs (-f to follow)")
    logs.add_argument("-f", "--follow", action="store_true")
    commands.add_parser("migrate", help="apply every service's pending migrations")
    gateway = commands.add_parser("gateway-config", help="render the gateway config for compose")
    gateway.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.command == "gateway-config":
        text = render_compose_gateway()
        if args.out:
            args.out.write_text(text)
        else:
            sys.stdout.write(text)
        return 0
    stack = LocalStack(StackConfig.from_environ())
    try:
        if args.command == "run":
            return _run(stack)
        if args.command == "up":
            return _up(stack)
        if args.command == "down":
            stack.stop()
            print("Osool stopped.")
            return 0
        if args.command == "status":
            return _status(stack)
        if args.command == "logs":
            return _logs(stack, args.follow)
        return _migrate(stack)
    except StackError as exc:
        print(f"osool: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
