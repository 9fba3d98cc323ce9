"""The demo sales agent a local stack with demo listings gets on its first start: on duty, with viewing hours, so that
"I'd like to visit the second one" offers times out of the box. Made as an operator would make one (auth's
create-admin with --role agent, then the public routes as that agent); its password is random, kept in the env file."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from typing import Any

from devstack.envfile import read_env_file, set_env_values
from devstack.stack import LocalStack

EMAIL = "demo-agent@osool-demo.eg"
# Egyptian brokerages open Saturday to Thursday (Monday = 0 ... Sunday = 6; Friday, 4, is the day off), in Cairo time.
HOURS: dict[str, Any] = {
    "slot_minutes": 60,
    "weekly": [{"weekday": day, "start": "10:00", "end": "18:00"} for day in (5, 6, 0, 1, 2, 3)],
}


class DemoAgentError(Exception):
    """The demo agent could not be made (the stack runs on without it)."""


def ensure_demo_agent(stack: LocalStack) -> str | None:
    """The demo agent's email once it exists; made now when the stack has demo listings and none was made before.
    None when the stack has no demo listings (`DEMO_LISTINGS=0`: an operator's own data, their own agents)."""
    values = read_env_file(stack.config.env_file)
    if values.get("DEMO_AGENT_EMAIL"):
        return values["DEMO_AGENT_EMAIL"]
    if values.get("DEMO_LISTINGS", "0").strip() in ("", "0"):
        return None
    import httpx  # only on the start that makes it: every later start skips it

    password = secrets.token_urlsafe(18)
    created = subprocess.run(
        [sys.executable, "-m", "osool_auth", "create-admin", "--role", "agent", "--email", EMAIL, "--password-stdin"],
        input=f"{password}\n", capture_output=True, text=True, timeout=120,
        env={**os.environ, "OSOOL_ENV_FILE": str(stack.config.env_file)},
    )  # fmt: skip
    if created.returncode != 0:
        raise DemoAgentError(f"create-admin --role agent: {created.stderr.strip() or created.stdout.strip()}")
    with httpx.Client(base_url=stack.config.public_url, timeout=30) as api:
        login = api.post("/api/auth/login", json={"email": EMAIL, "password": password})
        if login.status_code != 200:
            raise DemoAgentError(f"sign-in: HTTP {login.status_code} {login.text[:200]}")
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for path, body in (("/api/leads/agents/me/duty", {"on_duty": True}), ("/api/viewings/availability", HOURS)):
            answer = api.put(path, json=body, headers=headers)
            if answer.status_code != 200:
                raise DemoAgentError(f"PUT {path}: HTTP {answer.status_code} {answer.text[:200]}")
    set_env_values(stack.config.env_file, DEMO_AGENT_EMAIL=EMAIL, DEMO_AGENT_PASSWORD=password)
    return EMAIL
