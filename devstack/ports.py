"""Ports of a local stack: reserved from the moment they are chosen, and which processes listen on them."""

from __future__ import annotations

import os
import socket
from pathlib import Path

# Listening-socket addresses in /proc/net/tcp{,6} that take 127.0.0.1:<port> (loopback and every address).
_COVERS_LOOPBACK = {"0100007F", "00000000", "0" * 32, "0000000000000000FFFF00000100007F"}
_LISTEN = "0A"


def reserve_port() -> socket.socket:
    """A loopback port nobody else can bind until the returned socket is closed, except a server of the same user
    that binds with SO_REUSEPORT (`python -m osool_<name> serve --reuse-port`: the replica it is reserved for).

    The socket is bound but never listens: the kernel refuses every other bind of the port (SO_REUSEADDR or not),
    never hands it out for port 0, and a connection to it is refused while no replica listens (so the gateway
    retries another replica at once instead of queueing on a backlog nobody accepts from). A port found free and
    closed again (config.free_port) can be taken by anyone before the server binds it: that is how a test stack's
    monitoring route once answered as another stack's search."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def listening_inodes(port: int) -> set[int]:
    """The socket inodes listening on 127.0.0.1:<port> (directly or on every address), from /proc/net/tcp{,6}."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if fields[3] == _LISTEN and int(hex_port, 16) == port and address in _COVERS_LOOPBACK:
                inodes.add(int(fields[9]))
    return inodes


def _parents() -> dict[int, int]:
    parents = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            # The command name in parentheses may hold spaces; the parent pid is the second field after it.
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return parents


def process_tree(pid: int) -> set[int]:
    """The process and all its descendants."""
    parents = _parents()
    tree, added = {pid}, True
    while added:
        children = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= children
        added = bool(children)
    return tree


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets a process holds (none when it is gone or not ours to read)."""
    inodes = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[len("socket:[") : -1]))
    except OSError:
        pass
    return inodes


def owner_of(inode: int) -> str:
    """Who holds a socket, for an error message: `pid 123 (nginx)`, or `a process of another user`."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and inode in socket_inodes(int(proc.name)):
            try:
                name = (proc / "comm").read_text().strip()
            except OSError:
                name = "?"
            return f"pid {proc.name} ({name})"
    return "a process of another user"


def foreign_listeners(port: int, pid: int | None) -> list[str]:
    """Who, besides the process `pid` (None: no process) and its descendants, listens on 127.0.0.1:<port>; empty
    when nobody else."""
    members = process_tree(pid) if pid else set()
    ours = set().union(*(socket_inodes(member) for member in members))
    return [owner_of(inode) for inode in sorted(listening_inodes(port) - ours)]
