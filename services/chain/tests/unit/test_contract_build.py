"""The committed contract artifact is what the committed source and the pinned compiler produce."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from osool_chain.contract import load_artifact

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


def _build_module() -> ModuleType:
    # contracts/ is a build folder, not a package: load its script by path.
    spec = importlib.util.spec_from_file_location("osool_chain_contracts_build", CONTRACTS_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


def test_the_artifact_was_built_from_the_current_source() -> None:
    artifact = load_artifact()
    assert artifact["source_sha256"] == build.source_sha256(), "PropertyRegistry.sol changed: run `make contracts`"


def test_the_artifact_names_the_pinned_compiler_and_carries_abi_and_bytecode() -> None:
    artifact = load_artifact()
    assert set(artifact) == {"abi", "bytecode", "solc_version", "source_sha256"}
    assert artifact["solc_version"].startswith(build.pinned_solc_version() + "+commit.")
    assert artifact["bytecode"].startswith("0x") and len(artifact["bytecode"]) > 2
    bytes.fromhex(artifact["bytecode"][2:])
    pragma = f"pragma solidity {build.pinned_solc_version()};"
    assert pragma in build.SOURCE.read_text(), "the source pragma and package.json pin different compilers"


def test_the_artifact_file_is_in_its_canonical_form() -> None:
    text = build.ARTIFACT.read_text()
    assert text == build.render(json.loads(text)), "the artifact was edited by hand: run `make contracts`"


def test_a_fresh_compile_gives_the_committed_abi_and_bytecode() -> None:
    missing = build.solcjs_available()
    if missing:
        pytest.skip(f"cannot recompile the contract here: {missing}")
    fresh = build.compile_source()
    committed = load_artifact()
    assert fresh["solc_version"] == committed["solc_version"]
    assert fresh["abi"] == committed["abi"], "the ABI is stale: run `make contracts`"
    assert fresh["bytecode"] == committed["bytecode"], "the bytecode is stale: run `make contracts`"
    assert build.render(fresh) == build.ARTIFACT.read_text()
