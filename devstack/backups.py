"""`make backup` and `make restore FILE=...`: database/backup.sh with this machine's PostgreSQL tools against the local
stack's database (the env file's DATABASE_URL). A restore goes into a new database first and replaces the stack's only
when it succeeded, keeping the replaced one under another name."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from devstack import binaries
from devstack.config import REPO_ROOT, StackConfig
from devstack.envfile import read_env_file

BACKUP_SCRIPT = REPO_ROOT / "database" / "backup.sh"
TABLES_SQL = (
    "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
    "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
)
DEFAULT_BACKUP_DIR = REPO_ROOT / "backups"
DATABASE = "osool"


class BackupError(Exception):
    """The script failed or the stack's database could not be reached; the message says which."""


def _script(command: list[str], env: dict[str, str]) -> str:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PG_BINDIR": str(binaries.postgres_bin("pg_dump").parent),
        **env,
    }
    result = subprocess.run(
        ["/bin/sh", str(BACKUP_SCRIPT), *command], env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError((result.stderr or result.stdout).strip())
    return result.stdout


def backup(database_url: str, backup_dir: Path, retention_days: int = 7) -> Path:
    """One backup of the database (backup.sh once); returns its file."""
    before = set(backup_dir.glob("osool-*.dump")) if backup_dir.is_dir() else set()
    env = {"DATABASE_URL": database_url, "BACKUP_DIR": str(backup_dir), "BACKUP_RETENTION_DAYS": str(retention_days)}
    output = _script(["once"], env)
    made = sorted(set(backup_dir.glob("osool-*.dump")) - before)
    if not made:
        raise BackupError(f"backup.sh reported success but wrote no new file:\n{output}")
    return made[-1]


def superuser_url(env: dict[str, str], database: str) -> str:
    """The local stack's superuser on the server of DATABASE_URL (restoring creates extensions: pgvector needs it)."""
    address = urlsplit(env["DATABASE_URL"])
    return f"postgresql://postgres:{env['POSTGRES_SUPERUSER_PASSWORD']}@{address.hostname}:{address.port}/{database}"


def row_counts(url: str) -> dict[str, int]:
    """Exact rows of every table of the database at `url`, by schema.table: what a restore is compared by."""
    counts = {}
    with psycopg.connect(url) as connection:
        for schema, table in connection.execute(TABLES_SQL).fetchall():
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            row = connection.execute(query).fetchone()
            assert row is not None
            counts[f"{schema}.{table}"] = int(row[0])
    return counts


def restore_into_new_database(env: dict[str, str], file: Path, database: str) -> None:
    """backup.sh restore: `file` into the new database `database`, owned by the stack's role."""
    owner = urlsplit(env["DATABASE_URL"]).username or DATABASE
    _script(["restore", str(file), database], {"DATABASE_URL": superuser_url(env, "postgres"), "RESTORE_OWNER": owner})


def replace_database(env: dict[str, str], restored: str, stamp: str) -> str:
    """Give the restored database the stack's database's name; the replaced one is kept as osool_replaced_<stamp>.
    Connections to the old one are closed (the services reconnect to the new one at once)."""
    replaced = f"{DATABASE}_replaced_{stamp}"
    with psycopg.connect(superuser_url(env, "postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(DATABASE)))
        deadline = time.monotonic() + 30
        while True:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (DATABASE,),
            )
            try:
                connection.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(DATABASE), sql.Identifier(replaced))
                )
                break
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    connection.execute(
                        sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(DATABASE))
                    )
                    raise BackupError(f"{DATABASE} kept being used; nothing was replaced") from None
                time.sleep(0.2)
        connection.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(restored), sql.Identifier(DATABASE))
        )
        connection.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(replaced)))
    return replaced


def restore(env: dict[str, str], file: Path) -> str:
    """`file` into a new database, then in place of the stack's; returns the name the replaced database keeps."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    restored = f"{DATABASE}_restore_{stamp}"
    restore_into_new_database(env, file, restored)
    return replace_database(env, restored, stamp)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.backups", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("backup", help="back up the local stack's database (pg_dump, custom format)")
    made.add_argument("--dir", type=Path, default=Path(os.environ.get("BACKUP_DIR", DEFAULT_BACKUP_DIR)))
    made.add_argument("--retention-days", type=int, default=int(os.environ.get("BACKUP_RETENTION_DAYS", "7")))
    back = commands.add_parser("restore", help="replace the local stack's database with a backup (asks first)")
    back.add_argument("file", type=Path)
    back.add_argument("--yes", action="store_true", help="do not ask (also CONFIRM=yes)")
    args = parser.parse_args(argv)

    config = StackConfig.from_environ()
    env = read_env_file(config.env_file)
    if "DATABASE_URL" not in env:
        print(f"osool: no DATABASE_URL in {config.env_file}: start the stack once (make up)", file=sys.stderr)
        return 1
    try:
        if args.command == "backup":
            file = backup(env["DATABASE_URL"], args.dir, args.retention_days)
            print(f"Backed up the local stack's database into {file} (kept {args.retention_days} days).")
            return 0
        if not args.file.is_file():
            print(f"osool: no such backup: {args.file}", file=sys.stderr)
            return 2
        if not (args.yes or os.environ.get("CONFIRM") == "yes"):
            answer = input(
                f"Replace the local stack's database ({DATABASE}) with {args.file}? The current one is kept as "
                f"{DATABASE}_replaced_<time>. Type {DATABASE} to go on: "
            )
            if answer.strip() != DATABASE:
                print("Nothing was changed.")
                return 1
        replaced = restore(env, args.file)
    except BackupError as exc:
        print(f"osool: {exc}", file=sys.stderr)
        return 1
    print(
        f"Restored {args.file} as the local stack's database; the one it replaced is kept as {replaced} "
        f"(drop it with: DROP DATABASE {replaced}). Restart the stack (make down, make up) so no cache outlives the "
        "data it came from."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
