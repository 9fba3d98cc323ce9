"""Compile PropertyRegistry.sol with the pinned solcjs into the committed artifact (ABI, bytecode, provenance).

Run `make contracts` (or `python services/chain/contracts/build.py [--check]`); needs Node.js and
`npm ci` in this folder. The artifact is written with sorted keys and a fixed indent, so the same source,
compiler and settings always give the same file byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

CONTRACTS_DIR = Path(__file__).resolve().parent
SOURCE = CONTRACTS_DIR / "PropertyRegistry.sol"
CONTRACT_NAME = "PropertyRegistry"
ARTIFACT = CONTRACTS_DIR.parent / "osool_chain" / "contract" / "PropertyRegistry.json"

# py-evm (the in-process EVM) implements up to Prague; newer solc defaults to a later fork.
SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "prague",
    "outputSelection": {"*": {CONTRACT_NAME: ["abi", "evm.bytecode.object"]}},
}

# solcjs's JavaScript API: standard JSON in on stdin, {version, output} out on stdout.
_NODE_COMPILE = """
const solc = require("solc");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify({ version: solc.version(), output: JSON.parse(solc.compile(input)) }));
});
"""


class BuildError(RuntimeError):
    """The compiler is missing or refused the source."""


def source_sha256(path: Path = SOURCE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def solcjs_available() -> str | None:
    """Why a compile cannot run here, or None when node and the pinned solc are installed."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not (CONTRACTS_DIR / "node_modules" / "solc" / "package.json").is_file():
        return f"solc is not installed: run `npm ci` in {CONTRACTS_DIR}"
    return None


def pinned_solc_version() -> str:
    package = json.loads((CONTRACTS_DIR / "package.json").read_text())
    return str(package["devDependencies"]["solc"])


def compile_source(path: Path = SOURCE) -> dict[str, Any]:
    """Compile and return the artifact as a dict (not yet written)."""
    missing = solcjs_available()
    if missing:
        raise BuildError(missing)
    standard_input = {
        "language": "Solidity",
        # A fixed relative name: the metadata hash in the bytecode depends on it, not on the checkout path.
        "sources": {path.name: {"content": path.read_text(encoding="utf-8")}},
        "settings": SETTINGS,
    }
    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, "-e", _NODE_COMPILE],
        input=json.dumps(standard_input),
        capture_output=True,
        text=True,
        cwd=CONTRACTS_DIR,
        check=False,
    )
    if completed.returncode != 0:
        raise BuildError(f"solcjs failed ({completed.returncode}): {completed.stderr.strip()}")
    result = json.loads(completed.stdout)
    version = _long_version(result["version"])
    if not version.startswith(pinned_solc_version() + "+"):
        raise BuildError(f"installed solc {version} is not the pinned {pinned_solc_version()}: run `npm ci`")
    output = result["output"]
    problems = output.get("errors", [])
    errors = [p for p in problems if p.get("severity") == "error"]
    for problem in problems:
        print(problem.get("formattedMessage", problem.get("message")), file=sys.stderr)
    if errors:
        raise BuildError(f"{len(errors)} compiler error(s) in {path.name}")
    contract = output["contracts"][path.name][CONTRACT_NAME]
    return {
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "solc_version": version,
        "source_sha256": source_sha256(path),
    }


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def _long_version(solcjs_version: str) -> str:
    """`0.8.37+commit.f401782d.Emscripten.clang` -> `0.8.37+commit.f401782d` (what the metadata records)."""
    match = re.match(r"\d+\.\d+\.\d+\+commit\.[0-9a-f]+", solcjs_version)
    if not match:
        raise BuildError(f"unexpected solc version string {solcjs_version!r}")
    return match[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed artifact, write nothing")
    args = parser.parse_args(argv)
    try:
        rendered = render(compile_source())
    except BuildError as error:
        print(f"contracts: {error}", file=sys.stderr)
        return 1
    if args.check:
        current = ARTIFACT.read_text() if ARTIFACT.is_file() else ""
        if current != rendered:
            print(f"contracts: {ARTIFACT} is stale: run `make contracts`", file=sys.stderr)
            return 1
        print(f"contracts: {ARTIFACT.name} is up to date")
        return 0
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(rendered)
    size = (len(json.loads(rendered)["bytecode"]) - 2) // 2
    print(f"contracts: wrote {ARTIFACT} ({size} bytes of init code)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
