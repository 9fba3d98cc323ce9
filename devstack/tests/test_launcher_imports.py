"""The launcher (`python -m devstack up`) runs alone before any program starts: what it imports delays every start."""

from __future__ import annotations

import subprocess
import sys

from devstack.config import REPO_ROOT


def test_the_launcher_does_not_import_the_postgres_driver() -> None:
    # Only a first start connects to PostgreSQL (to create the role and database and apply init.sql); importing
    # psycopg took 0.16 s of every start.
    code = "import sys, devstack.__main__; print('psycopg' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
