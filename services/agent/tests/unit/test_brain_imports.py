"""The openai SDK is imported only by an agent that has a model server to call, and then in the master."""

from __future__ import annotations

import subprocess
import sys

import pytest

from devstack.testing import clean_environ

# A fresh interpreter: which modules the app's build imported, with settings that need no server (nothing connects
# before the workers start).
PROBE = (
    "import sys\n"
    "from osool_agent.main import create_app\n"
    "create_app()\n"
    "print(sorted(name for name in ('openai', 'pydantic_ai.models.openai') if name in sys.modules))\n"
)
SETTINGS = {
    "DATABASE_URL": "postgresql://osool:unused@127.0.0.1:1/osool",
    "REDIS_URL": "redis://:unused@127.0.0.1:1/0",
    "OSOOL_SERVICE_KEY": "k" * 40,
}


def _imported(**env: str) -> str:
    environ = {key: value for key, value in clean_environ().items() if key not in ("OSOOL_ENV_FILE", "OPENAI_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env={**environ, **SETTINGS, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_the_rules_brain_alone_never_imports_the_openai_sdk() -> None:
    # About 0.6 s of CPU at every start of every agent replica, for a client it would never make.
    assert _imported(LOCAL_LLM_URL="") == "[]"


@pytest.mark.parametrize("model", [{"LOCAL_LLM_URL": "http://127.0.0.1:9/v1"}, {"OPENAI_API_KEY": "sk-test-osool"}])
def test_an_agent_with_a_model_server_imports_it_when_the_app_is_built(model: dict[str, str]) -> None:
    # In the master, before gunicorn forks the workers: once per replica, not once per worker.
    assert _imported(**model) == "['openai', 'pydantic_ai.models.openai']"
