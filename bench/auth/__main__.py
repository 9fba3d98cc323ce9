"""Token verification with cached keys (the shared kit's verifier, as every other service runs it, the deny list
of ended sessions read from the stack's Valkey through its one-second cache) and password sign-ins per second
through the gateway's public listener.

Goal: verification p50 <= 0.2 ms. The verification baseline is PyJWT's bare RS256 decode of the same token
in the same run; the sign-in baseline is argon2id verification alone in this process (a sign-in cannot beat it).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import ClassVar

import jwt
from redis.asyncio import Redis

from bench.common import private_stack, run_wrk, write_results
from devstack.config import UNLIMITED_RATES
from devstack.envfile import read_env_file
from devstack.testing import clean_environ
from osool_auth.passwords import hash_password, verify_password
from osool_common.auth import TokenVerifier, gateway_jwks_fetcher
from osool_common.http_client import ServiceClient
from osool_common.settings import CommonSettings

VERIFICATIONS = 20_000
GOAL_VERIFY_P50_MS = 0.2
PASSWORD = "a long enough bench passphrase"  # noqa: S105 - a throwaway account in a private stack


class BenchSettings(CommonSettings):
    service_name: ClassVar[str] = "bench"
    required_secrets: ClassVar[tuple[str, ...]] = ()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _verification(internal_url: str, redis_url: str, token: str) -> dict[str, float]:
    client = ServiceClient(BenchSettings(gateway_internal_url=internal_url))
    redis = Redis.from_url(redis_url, decode_responses=True)
    verifier = TokenVerifier(gateway_jwks_fetcher(client), issuer="osool-auth", audience="osool", redis=redis)
    # The same, asking Redis on every call: what the one-second cache of the deny list saves.
    uncached = TokenVerifier(
        gateway_jwks_fetcher(client), issuer="osool-auth", audience="osool", redis=redis, revocation_cache_seconds=0
    )
    await verifier.verify(token)  # the first call fetches the JWKS through the gateway; then keys are cached
    await uncached.verify(token)
    header = jwt.get_unverified_header(token)
    key = verifier._keys[header["kid"]]
    kit, bare, every_call = [], [], []
    for _ in range(VERIFICATIONS):
        started = time.perf_counter()
        await verifier.verify(token)
        kit.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        jwt.decode(token, key, algorithms=["RS256"], audience="osool", issuer="osool-auth")
        bare.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await uncached.verify(token)
        every_call.append((time.perf_counter() - started) * 1000)
    await client.aclose()
    await redis.aclose()
    return {
        "p50_ms": round(statistics.median(kit), 4),
        "p99_ms": round(_percentile(kit, 0.99), 4),
        "baseline_pyjwt_p50_ms": round(statistics.median(bare), 4),
        "ratio_to_baseline_p50": round(statistics.median(kit) / statistics.median(bare), 3),
        "redis_every_call_p50_ms": round(statistics.median(every_call), 4),
    }


async def _argon2_per_second(seconds: float = 3.0) -> float:
    stored = await hash_password(PASSWORD)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        await asyncio.gather(*(verify_password(stored, PASSWORD) for _ in range(os.cpu_count() or 1)))
        done += os.cpu_count() or 1
    return done / (time.perf_counter() - started)


def main() -> None:
    with private_stack(rates=UNLIMITED_RATES, workers={"auth": 2}) as stack:
        env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
        subprocess.run(
            [sys.executable, "-m", "osool_auth", "create-admin", "--email", "bench@osool-bench.eg", "--password-stdin"],
            input=f"{PASSWORD}\n", env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        import httpx

        pair = httpx.post(
            f"{stack.config.public_url}/api/auth/login", json={"email": "bench@osool-bench.eg", "password": PASSWORD}
        ).json()
        redis_url = read_env_file(stack.config.env_file)["REDIS_URL"]
        verification = asyncio.run(_verification(stack.config.internal_url, redis_url, pair["access_token"]))
        body = json.dumps({"email": "bench@osool-bench.eg", "password": PASSWORD})
        script = (
            f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "application/json"\n'
        )
        login = run_wrk("login", f"{stack.config.public_url}/api/auth/login", connections=8, seconds=10, script=script)
    argon2_rate = asyncio.run(_argon2_per_second())
    figures = {
        "token_verification": {**verification, "verifications": VERIFICATIONS},
        "login_through_gateway": login,
        "argon2id_verifications_per_second_in_process": round(argon2_rate, 1),
        "login_share_of_argon2_rate": round(login.requests_per_second / argon2_rate, 3),
        "goals": {"verify_p50_ms_at_most": GOAL_VERIFY_P50_MS, "met": verification["p50_ms"] <= GOAL_VERIFY_P50_MS},
    }
    path = write_results("auth", figures)
    print(
        f"token verification (kit, cached keys): p50 {verification['p50_ms']:.3f} ms, "
        f"p99 {verification['p99_ms']:.3f} ms (bare PyJWT {verification['baseline_pyjwt_p50_ms']:.3f} ms; "
        f"x{verification['ratio_to_baseline_p50']}; reading Redis on every call instead: "
        f"p50 {verification['redis_every_call_p50_ms']:.3f} ms)"
    )
    print(
        f"login through the gateway: {login.requests_per_second:.1f} req/s, p50 {login.p50_ms:.1f} ms, "
        f"p99 {login.p99_ms:.1f} ms, errors {login.errors}"
    )
    share = figures["login_share_of_argon2_rate"]
    print(f"argon2id verifications in one process: {argon2_rate:.1f}/s (login reaches {share:.0%})")
    print(f"goal verify p50 <= {GOAL_VERIFY_P50_MS} ms met: {json.dumps(figures['goals']['met'])}; written to {path}")  # type: ignore[index]


if __name__ == "__main__":
    main()
