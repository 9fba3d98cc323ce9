"""The bounded contract fuzzing of make test: Schemathesis over every service's OpenAPI document, as a user and an
admin, on a private stack (it writes freely: listings, sessions, registry entries). `make fuzz` runs more cases."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from devstack.config import UNLIMITED_RATES
from devstack.fuzz import fuzz, print_summary, summary
from devstack.stack import LocalStack
from devstack.testing import make_test_stack_config, running_stack, service_headers, stack_root

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[LocalStack]:
    with stack_root("osool-fuzz-stack-") as root:
        config = make_test_stack_config(root)
        config.rates = UNLIMITED_RATES
        config.env_file.parent.mkdir(parents=True, exist_ok=True)
        config.env_file.write_text("DEMO_LISTINGS=200\n")
        with running_stack(config) as stack:
            yield stack


def test_google_sign_in_not_configured_is_a_documented_404(fuzz_stack: LocalStack) -> None:
    response = httpx.post(f"{fuzz_stack.config.public_url}/api/auth/google", json={"id_token": "x" * 40}, timeout=30)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_enabled"
    document = httpx.get(
        f"{fuzz_stack.config.internal_url}/auth/openapi.json", headers=service_headers(fuzz_stack), timeout=30
    ).json()
    assert {"401", "404", "503"} <= set(document["paths"]["/api/auth/google"]["post"]["responses"])


def test_every_service_honours_its_contract_under_fuzzing(fuzz_stack: LocalStack) -> None:
    result = summary(fuzz(fuzz_stack, max_examples=5, seed=20261130))
    print_summary(result)
    assert result["test_cases"] > 500  # every service's operations were really exercised
    for goal, value in result["goals"].items():
        assert value["met"], f"{goal}: {value['value']} (goal 0); the Schemathesis output above names each case"
