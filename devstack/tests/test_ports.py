"""A replica's port is reserved from the moment the launcher picks it, and the launcher can tell who listens on it."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from devstack.ports import foreign_listeners, reserve_port
from osool_common.cli import bind_beside_reservation


@pytest.fixture
def reserved() -> Iterator[int]:
    sock = reserve_port()
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


# How other programs bind: plain, or with SO_REUSEADDR as gunicorn, uvicorn, nginx, PostgreSQL and Valkey all do.
@pytest.mark.parametrize(("address", "reuse_address"), [("127.0.0.1", False), ("127.0.0.1", True), ("0.0.0.0", True)])
def test_no_other_program_can_bind_a_reserved_port(reserved: int, address: str, reuse_address: bool) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        if reuse_address:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with pytest.raises(OSError) as refused:
            other.bind((address, reserved))
        assert refused.value.errno == errno.EADDRINUSE


def test_a_reserved_port_refuses_connections_until_its_replica_listens_then_only_the_replica_answers(
    reserved: int,
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
        # Refused, not queued: the gateway moves on to another replica at once.
        assert client.connect_ex(("127.0.0.1", reserved)) == errno.ECONNREFUSED
    with bind_beside_reservation("127.0.0.1", reserved) as replica:
        replica.listen(64)
        replica.settimeout(5)
        clients = [socket.create_connection(("127.0.0.1", reserved), timeout=5) for _ in range(20)]
        accepted = [replica.accept()[0] for _ in clients]
        assert len(accepted) == 20
        for sock in clients + accepted:
            sock.close()
    # The replica gone, the reservation still keeps the port from everyone else.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with pytest.raises(OSError):
            other.bind(("127.0.0.1", reserved))


LISTENER = """
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.read()
"""


def test_only_listeners_outside_the_program_and_its_children_are_named() -> None:
    program = subprocess.Popen(
        [sys.executable, "-c", LISTENER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert program.stdout is not None
        port = int(program.stdout.readline())
        assert foreign_listeners(port, program.pid) == []
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as intruder:
            intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            intruder.bind(("127.0.0.1", 0))
            intruder.listen()
            other_port = intruder.getsockname()[1]
            # Listening where the program should: named by pid (this test's process is not the program's child).
            [named] = foreign_listeners(other_port, program.pid)
            assert named.startswith(f"pid {os.getpid()} (")
        # No program at all: whoever listens is foreign.
        [named] = foreign_listeners(port, None)
        assert named.startswith(f"pid {program.pid} (")
    finally:
        program.kill()
        program.wait()
