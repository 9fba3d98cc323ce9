"""Amr's turns through the gateway: the agent's own time over a zero-latency scripted model, full rules-brain turns,
the local model's time to first token and turn time, and the memory of each agent worker.

- Scripted model: a FakeOpenAI (devstack/fakes.py) served by uvicorn in a separate process (`python -m bench.agent
  fake-model PORT`), so its Python work does not share a GIL with this process or the agent's. It answers the user's
  message with one `search_properties` call (the user's words, location New Cairo) and the tool's result with one
  sentence quoting the first listing's title and price as the result has them, so grounding passes and the turn
  shows a card. The agent runs with AGENT_BRAIN=openai against it, one replica with two workers (as `make run`).
- Agent's own time: wrk sends 8 turns at once (`Accept: application/json`, a new anonymous session per turn) and,
  in alternating rounds, the same search the tool makes (same body) through the gateway at the same concurrency.
  The agent's own time is turn p50 minus search p50 (and p99 minus p99), the median over the rounds. It includes
  everything a turn does besides that search: the session, history read and append, two model calls to the fake
  (whose own serving time is reported too, and not subtracted), the registry status of each listing found, and
  grounding. A few different New Cairo queries rotate; the search result cache answers repeats, for the turns'
  searches and the baseline's alike.
- Rules brain: the agent restarted with AGENT_BRAIN=rules; English and Arabic requests (search, mortgage, market
  trends) at 1 and 8 turns at once.
- Local model: when `make llm` installed it, its server is started here on a free port, the agent restarted with
  AGENT_BRAIN=local, and a few turns are streamed one after another (SSE): time to the first `token` event, and the
  whole turn. The first turn (cold, the agent's warm-up may still hold the server) is reported apart.
- Memory: RSS, PSS and USS (smaps_rollup) of each agent worker after the scripted-model load and after the rules
  load; the model servers are other processes, not counted.

- CPU: every process's CPU time per turn (/proc: each supervisor program's tree, the agent's master and workers
  together; supervisord; the scripted model; wrk), steadier than latency on a shared machine and what bounds the turns
  per second of two cores: at 8 turns at once the own time is mostly turns queueing for the CPU. From it, by Little's
  law, the least own time if the agent cost nothing, and the cores the goal would take.

wrk, not a Python client, generates the load: on a 2-core machine a Python client would be a bottleneck itself. wrk
gives up on a request after 2 s and leaves it out of the percentiles, so a run with errors prints its p99 as a floor.
The machine is shared and noisy, hence alternating rounds and medians. About 8 minutes with the local model.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from bench import proc
from bench.common import LoadResult, median_result, private_stack, run_wrk, write_results
from devstack import llm
from devstack.config import SERVICES, UNLIMITED_RATES, free_port
from devstack.stack import LocalStack

CONNECTIONS = 8
ROUNDS = 4
SECONDS = 8
RULES_SECONDS = 10
# The first rounds of a fresh agent spent more CPU a turn than the later ones (87, 70, 60, 54 ms after 3 s of warm-up).
WARM_UP_SECONDS = 10
LOCAL_TURNS = int(os.environ.get("BENCH_AGENT_LOCAL_TURNS", "5"))
GOAL_OWN_P50_MS = 25.0
GOAL_OWN_P99_MS = 80.0
GOAL_RULES_P50_MS = 150.0
GOAL_WORKER_MB = 250.0
LOCATION = "New Cairo"
# The scripted model searches with the user's words in New Cairo, so every query names it.
QUERIES = (
    "apartment in New Cairo",
    "villa in New Cairo with a garden",
    "3 bedroom apartment in New Cairo",
    "townhouse in New Cairo close to the ring road",
    "duplex in New Cairo with installments",
    "penthouse in New Cairo ready to move",
)
# What buyers ask the rules brain, from the labelled requests (services/agent/eval/requests.jsonl).
RULES_MESSAGES = (
    "3 bedroom apartment in New Cairo under 8M",
    "Looking for a villa in Sheikh Zayed between 25 and 40 million",
    "show me townhouses in Madinaty",
    "عايز شقة 3 غرف في التجمع تحت 8 مليون",
    "محتاج فيلا في الشيخ زايد",
    "دوبلكس في اكتوبر بأقل من 10 مليون",
    "what would the monthly payment be on a 5 million apartment over 10 years with 20% down?",
    "mortgage for 3M over 15 years at 18% interest",
    "تمويل عقاري لشقة 3 مليون مقدم 10% على 20 سنة",
    "what's the average price per meter in New Cairo?",
    "how is the market for villas in Sheikh Zayed?",
)
LOCAL_MESSAGES = (
    "apartment in New Cairo",
    "3 bedroom apartment in New Cairo under 8M",
    "عايز شقة 3 غرف في التجمع تحت 8 مليون",
    "what would the monthly payment be on a 5 million apartment over 10 years with 20% down?",
    "how is the market for villas in Sheikh Zayed?",
    "محتاج فيلا في الشيخ زايد",
)


# -- the scripted model, in its own process ------------------------------------------------------------------------


def scripted_reply(body: dict[str, Any]) -> Any:
    """The user's message → one search; the search's result → one grounded sentence about its first listing."""
    from devstack.fakes import Reply

    last = body["messages"][-1]
    if last["role"] == "tool":
        content = last["content"]
        result = json.loads(content) if isinstance(content, str) else content
        listings = result.get("listings") or []
        if not listings:
            return Reply(text="I found no listing that matches yet; shall I widen the search?")
        first = listings[0]
        return Reply(text=f"The best match is {first['title']}, at EGP {first['price']:,}.")
    content = last["content"]
    text = content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)
    return Reply.call("search_properties", {"query": text, "location": LOCATION})


def serve_fake_model(port: int) -> None:
    """FakeOpenAI's app with the scripted replies, and the time it spends on each chat request (GET /bench/stats)."""
    import uvicorn

    from devstack.fakes import FakeOpenAI

    fake = FakeOpenAI()
    served = {"calls": 0, "seconds": 0.0}

    def respond(body: dict[str, Any]) -> Any:
        fake.chat_requests.clear()  # the fake keeps every request: thousands of turns would only grow it
        return scripted_reply(body)

    fake.responder = respond
    cpu_since = time.process_time()

    @fake.app.get("/bench/stats")
    async def stats() -> dict[str, float]:
        return {**served, "cpu_seconds": time.process_time() - cpu_since}

    @fake.app.post("/bench/reset")
    async def reset() -> None:
        nonlocal cpu_since
        served.update(calls=0, seconds=0.0)
        cpu_since = time.process_time()

    async def timed(scope: Any, receive: Any, send: Any) -> None:
        # From the request to the last byte of the (streamed) answer: the fake's own cost within a turn.
        if scope["type"] != "http" or not scope["path"].endswith("/chat/completions"):
            await fake.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await fake.app(scope, receive, send)
        finally:
            served["calls"] += 1
            served["seconds"] += time.perf_counter() - started

    uvicorn.run(timed, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextlib.contextmanager
def fake_model_process(log_dir: Path) -> Iterator[str]:
    """The scripted model in a child process; yields its base URL, stops it (by its pid) afterwards."""
    port = free_port()
    with (log_dir / f"osool-bench-fake-model-{os.getpid()}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.agent", "fake-model", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{url}/v1/models", 30, process)
        yield url
    finally:
        _stop(process)


def _fake_stats(url: str) -> dict[str, float]:
    stats: dict[str, float] = httpx.get(f"{url}/bench/stats", timeout=10).json()
    return stats


# -- the stack ----------------------------------------------------------------------------------------------------


def set_env(path: Path, updates: dict[str, str | None]) -> None:
    """Set (or, with None, remove) variables of the stack's env file, keeping every other line as it was."""
    lines = []
    for line in path.read_text().splitlines():
        key = line.partition("=")[0].strip()
        if key in updates:
            continue
        lines.append(line)
    lines += [f"{key}={value}" for key, value in updates.items() if value is not None]
    path.write_text("\n".join(lines) + "\n")


def restart_agent(stack: LocalStack, updates: dict[str, str | None]) -> None:
    """The agent reads its settings at start: rewrite them, restart its replica, wait until the stack is healthy."""
    set_env(stack.config.env_file, updates)
    stack.ctl("restart", "agent:*", check=True)
    stack.wait_healthy(timeout=120)


def chat(url: str, message: str, timeout: float = 60) -> dict[str, Any]:
    response = httpx.post(f"{url}/api/chat", json={"message": message}, headers={"Accept": "application/json"},
                          timeout=timeout)  # fmt: skip
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _wait_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server behind {url} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=5).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:g} s")
        time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rotating_post(path: str, bodies: list[dict[str, Any]]) -> str:
    """A wrk script POSTing the bodies in turn, asking for JSON (the chat would otherwise answer with SSE)."""
    quoted = ",\n".join(json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False) for body in bodies)
    return (
        f"local bodies = {{\n{quoted}\n}}\nlocal n = 0\n"
        'local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}\n'
        "request = function()\n  n = n + 1\n"
        f'  return wrk.format("POST", "{path}", headers, bodies[(n % #bodies) + 1])\nend\n'
    )


# -- memory -------------------------------------------------------------------------------------------------------


def _memory_of(pid: int) -> dict[str, float]:
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = float(rest.split()[0]) / 1024  # kB → MB
    uss = fields.get("Private_Clean", 0.0) + fields.get("Private_Dirty", 0.0)
    return {"pid": pid, "rss_mb": round(fields["Rss"], 1), "pss_mb": round(fields["Pss"], 1), "uss_mb": round(uss, 1)}


def agent_workers(stack: LocalStack) -> list[int]:
    """Every agent replica's gunicorn workers: the processes under the master supervisord started that have no
    children of their own (the master forks the workers)."""
    processes = proc.read_processes()
    parents = {process.ppid for process in processes.values()}
    masters = [stack.program_pid(f"agent:agent-{index + 1}") for index in range(stack.config.replicas_of("agent"))]
    return sorted(pid for pid in proc.descendants(processes, masters) if pid not in masters and pid not in parents)


def agent_workers_memory(stack: LocalStack) -> list[dict[str, float]]:
    return [_memory_of(pid) for pid in agent_workers(stack)]


# The parts a turn needs whichever way the agent is written: the search it makes (its service and Postgres), the
# gateway, Valkey, the scripted model and the load generator, all on the same two cores.
NEEDED_PARTS = ("search", "postgres", "valkey", "gateway", "scripted model", "wrk")


class StackCpu:
    """CPU time every process of the run spent during a load, by part (each supervisor program's process tree by its
    program, supervisord itself, the scripted model when there is one, wrk), per request: steadier than latency on a
    shared machine, and what bounds the turns per second of two cores.

    On a machine of C cores, N requests at once that each need T of CPU cannot average less than N x T / C (Little's
    law: no more than C / T of them finish a second), whichever process the CPU went to. With the agent's workers left
    out, that bound says how long a turn would take at the least if the agent's own code cost nothing."""

    def __init__(self, stack: LocalStack, fake_url: str | None = None) -> None:
        self.fake_url = fake_url
        self.programs = stack.program_pids()
        self.supervisord = int((stack.config.state_dir / "supervisord.pid").read_text())
        self.start = self._sample()
        self.waited_start = _waited_children_seconds()  # wrk, once it has been waited for
        self.machine_start = _machine_busy_seconds()

    def _sample(self) -> dict[str, float]:
        return cpu_by_part(proc.read_processes(), self.programs, self.supervisord)

    def ms_per(self, requests: int) -> dict[str, Any]:
        """Milliseconds of CPU per request by part, their total, and the machine's busy time per request."""
        end = self._sample()
        parts = {part: spent - self.start.get(part, 0.0) for part, spent in end.items()}
        if self.fake_url is not None:
            parts["scripted model"] = _fake_stats(self.fake_url)["cpu_seconds"]
        parts["wrk"] = _waited_children_seconds() - self.waited_start
        machine = _machine_busy_seconds() - self.machine_start
        count = max(1, requests)
        by_part = {part: round(1000 * spent / count, 2) for part, spent in sorted(parts.items(), key=lambda p: -p[1])}
        return {
            "by_part": by_part,
            "total": round(sum(by_part.values()), 2),
            "machine_busy": round(1000 * machine / count, 2),
        }


def cpu_by_part(
    processes: Mapping[int, proc.ProcessCpu], programs: Mapping[str, int], supervisord: int
) -> dict[str, float]:
    """CPU seconds so far of each supervisor program's tree, every replica of a service together (agent:agent-1 and
    agent:agent-2 are "agent"), and supervisord's own work (it reads every program's output), not its tree's."""
    parts = proc.cpu_seconds_by_group(processes, programs, lambda name: name.partition(":")[0])
    if supervisord in processes:
        parts["supervisord"] = processes[supervisord].own_ticks / proc.TICKS_PER_SECOND
    return parts


def _waited_children_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _machine_busy_seconds() -> float:
    """All the machine's CPUs, busy time since boot (/proc/stat: everything but idle and iowait)."""
    jiffies = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / proc.TICKS_PER_SECOND


def cpu_ms(by_part: Mapping[str, float], which: str) -> float:
    """CPU a turn, in ms: "as_run" every part, "agent_free" all but the agent's, "needed_parts_only" NEEDED_PARTS."""
    if which == "as_run":
        return sum(by_part.values())
    if which == "agent_free":
        return sum(ms for part, ms in by_part.items() if part != "agent")
    return sum(by_part.get(part, 0.0) for part in NEEDED_PARTS)


def own_time_floor(by_part: Mapping[str, float], search_p50_ms: float, which: str, cores: int | None = None) -> float:
    """The least the agent's own time can average at CONNECTIONS turns at once on `cores` (this machine's) with only
    the CPU `which` counts spent a turn (Little's law), less the search's p50 the own time subtracts."""
    return round(CONNECTIONS * cpu_ms(by_part, which) / (cores or os.cpu_count() or 1) - search_p50_ms, 1)


def cores_for_goal(by_part: Mapping[str, float], search_p50_ms: float) -> dict[str, float]:
    """How many cores CONNECTIONS turns at once would need for their mean own time to reach the p50 goal, by Little's
    law over the CPU a turn took: as run, if the agent's workers cost nothing, and with only NEEDED_PARTS."""
    return {
        which: round(CONNECTIONS * cpu_ms(by_part, which) / (GOAL_OWN_P50_MS + search_p50_ms), 1)
        for which in ("as_run", "agent_free", "needed_parts_only")
    }


def _floor_note(result: LoadResult) -> str:
    # wrk gives up on a request after 2 s and leaves it out of the percentiles: with any errors, p99 is a floor.
    return f", {result.errors} errors/timeouts (p99 is a floor)" if result.errors else ""


# -- the measurements ---------------------------------------------------------------------------------------------


def measure_scripted(stack: LocalStack, fake_url: str) -> dict[str, Any]:
    url = stack.config.public_url
    answer = chat(url, QUERIES[0])
    assert answer["brain"] == "openai" and not answer["usage"]["fallback"], answer
    assert answer["listings"], f"the scripted turn showed no card: {answer}"
    first = answer["listings"][0]
    assert f"{first['price']:,}" in answer["reply"], f"the grounded sentence did not come through: {answer}"
    print(f"check: brain openai, {len(answer['listings'])} cards, reply {answer['reply']!r}", flush=True)
    turn_script = _rotating_post("/api/chat", [{"message": q} for q in QUERIES])
    search_script = _rotating_post(
        "/api/properties/search",
        [{"query": q, "limit": 5, "filters": {"locations": [LOCATION]}} for q in QUERIES],
    )
    run_wrk("warm-up", f"{url}/api/chat", connections=CONNECTIONS, seconds=WARM_UP_SECONDS, script=turn_script)
    run_wrk("warm-up", f"{url}/api/properties/search", connections=CONNECTIONS, seconds=3, script=search_script)
    turns: list[LoadResult] = []
    searches: list[LoadResult] = []
    fake_ms: list[float] = []
    cpu_ms: list[float] = []
    stack_cpu: list[dict[str, Any]] = []
    for round_number in range(ROUNDS):
        httpx.post(f"{fake_url}/bench/reset", timeout=10)
        every_part = StackCpu(stack, fake_url)
        turns.append(run_wrk("turn", f"{url}/api/chat", connections=CONNECTIONS, seconds=SECONDS,
                             script=turn_script))  # fmt: skip
        stack_cpu.append(every_part.ms_per(turns[-1].requests))
        cpu_ms.append(stack_cpu[-1]["by_part"]["agent"])
        stats = _fake_stats(fake_url)
        fake_ms.append(1000 * stats["seconds"] / max(1, stats["calls"]))
        searches.append(run_wrk("search", f"{url}/api/properties/search", connections=CONNECTIONS, seconds=SECONDS,
                                script=search_script))  # fmt: skip
        print(f"  round {round_number + 1}: turn p50 {turns[-1].p50_ms:.1f} p99 {turns[-1].p99_ms:.1f} ms "
              f"({turns[-1].requests_per_second:.1f}/s, errors {turns[-1].errors}); search p50 "
              f"{searches[-1].p50_ms:.1f} p99 {searches[-1].p99_ms:.1f} ms; agent CPU {cpu_ms[-1]} ms/turn; "
              f"fake model {fake_ms[-1]:.1f} ms/call; every process {stack_cpu[-1]['total']} ms/turn "
              f"(machine {stack_cpu[-1]['machine_busy']})",
              flush=True)  # fmt: skip
    own_p50 = statistics.median(t.p50_ms - s.p50_ms for t, s in zip(turns, searches, strict=True))
    own_p99 = statistics.median(t.p99_ms - s.p99_ms for t, s in zip(turns, searches, strict=True))
    floor_free = [
        own_time_floor(every["by_part"], s.p50_ms, "agent_free") for every, s in zip(stack_cpu, searches, strict=True)
    ]
    floor_needed = [
        own_time_floor(every["by_part"], s.p50_ms, "needed_parts_only")
        for every, s in zip(stack_cpu, searches, strict=True)
    ]
    rounds: list[dict[str, Any]] = [
        {"turn_p50_ms": t.p50_ms, "turn_p99_ms": t.p99_ms, "search_p50_ms": s.p50_ms, "search_p99_ms": s.p99_ms,
         "own_p50_ms": round(t.p50_ms - s.p50_ms, 2), "own_p99_ms": round(t.p99_ms - s.p99_ms, 2),
         "turns_per_second": t.requests_per_second, "errors": t.errors + s.errors, "agent_cpu_ms_per_turn": c,
         "cpu_ms_per_turn": every, "own_floor_if_agent_free_ms": free, "own_floor_needed_parts_only_ms": needed}
        for t, s, c, every, free, needed in zip(turns, searches, cpu_ms, stack_cpu, floor_free, floor_needed,
                                                strict=True)
    ]  # fmt: skip
    by_part = {part: round(statistics.median(every["by_part"].get(part, 0.0) for every in stack_cpu), 2)
               for part in stack_cpu[0]["by_part"]}  # fmt: skip
    return {
        "check_turn": {"brain": answer["brain"], "cards": len(answer["listings"]), "reply": answer["reply"]},
        "turn": median_result("turn", turns),
        "search": median_result("search", searches),
        "own_p50_ms": round(own_p50, 1),
        "own_p99_ms": round(own_p99, 1),
        "agent_cpu_ms_per_turn": round(statistics.median(cpu_ms), 1),
        "cpu_ms_per_turn_by_part": by_part,
        "cpu_ms_per_turn_total": round(statistics.median(every["total"] for every in stack_cpu), 1),
        "machine_busy_ms_per_turn": round(statistics.median(every["machine_busy"] for every in stack_cpu), 1),
        "own_floor_if_agent_free_ms": round(statistics.median(floor_free), 1),
        "own_floor_needed_parts_only_ms": round(statistics.median(floor_needed), 1),
        "cores_for_own_p50_goal": cores_for_goal(by_part, median_result("search", searches).p50_ms),
        "fake_model_ms_per_call": round(statistics.median(fake_ms), 2),
        "model_calls_per_turn": 2,
        "rounds": rounds,
    }


def measure_rules(stack: LocalStack) -> dict[str, Any]:
    restart_agent(stack, {"AGENT_BRAIN": "rules"})
    url = stack.config.public_url
    answer = chat(url, RULES_MESSAGES[0])
    assert answer["brain"] == "rules" and answer["reply"], answer
    script = _rotating_post("/api/chat", [{"message": m} for m in RULES_MESSAGES])
    run_wrk("warm-up", f"{url}/api/chat", connections=CONNECTIONS, seconds=3, script=script)
    figures: dict[str, Any] = {}
    for connections in (1, CONNECTIONS):
        cpu = StackCpu(stack)
        result = run_wrk(f"rules x{connections}", f"{url}/api/chat", connections=connections,
                         threads=min(2, connections), seconds=RULES_SECONDS, script=script)  # fmt: skip
        figures[str(connections)] = result
        figures[f"agent_cpu_ms_per_turn_{connections}"] = round(cpu.ms_per(result.requests)["by_part"]["agent"], 1)
        print(f"  rules x{connections}: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
              f"{result.requests_per_second:.1f} turns/s, agent CPU {figures[f'agent_cpu_ms_per_turn_{connections}']} "
              f"ms/turn{_floor_note(result)}", flush=True)  # fmt: skip
    return figures


def _stream_turn(url: str, message: str) -> dict[str, Any]:
    """One turn over SSE: when the first `token` event arrived and when the stream ended, as the client saw them."""
    started = time.perf_counter()
    first_token: float | None = None
    event = ""
    done: dict[str, Any] = {}
    with httpx.stream("POST", f"{url}/api/chat", json={"message": message},
                      headers={"Accept": "text/event-stream"}, timeout=600) as response:  # fmt: skip
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                if event == "token" and first_token is None:
                    first_token = time.perf_counter() - started
                elif event in ("done", "error"):
                    done = {"event": event, **json.loads(line[5:])}
    total = time.perf_counter() - started
    return {
        "message": message,
        "time_to_first_token_ms": None if first_token is None else round(first_token * 1000),
        "turn_ms": round(total * 1000),
        "brain": done.get("brain"),
        "fallback": done.get("fallback"),
        "outcome": done.get("event"),
    }


def measure_local(stack: LocalStack) -> dict[str, Any]:
    installed = llm.locate(stack.config.python)
    if not installed.ready or installed.model is None:
        missing = "model" if installed.model is None else "server (llama_cpp.server does not import)"
        return {"installed": False, "note": f"not installed: {missing} (make llm)"}
    port = free_port()
    log_path = stack.config.state_dir / "logs" / "bench-llm.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(llm.server_command(stack.config.python, installed.model, port), stdout=log,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/v1/models", 300, server)
        restart_agent(stack, {"AGENT_BRAIN": "local", "LOCAL_LLM_URL": f"http://127.0.0.1:{port}/v1"})
        url = stack.config.public_url
        cold = _stream_turn(url, LOCAL_MESSAGES[0])
        print(f"  local, cold: first token {cold['time_to_first_token_ms']} ms, turn {cold['turn_ms']} ms, "
              f"brain {cold['brain']}", flush=True)  # fmt: skip
        turns = []
        for message in (LOCAL_MESSAGES * 2)[1 : LOCAL_TURNS + 1]:
            turns.append(_stream_turn(url, message))
            print(f"  local: first token {turns[-1]['time_to_first_token_ms']} ms, turn {turns[-1]['turn_ms']} ms, "
                  f"brain {turns[-1]['brain']} ({message[:40]})", flush=True)  # fmt: skip
    finally:
        _stop(server)
    answered = [t for t in turns if t["brain"] == "local"]
    failures = model_failures(stack) if len(answered) < len(turns) or cold["brain"] != "local" else []
    first_tokens = [t["time_to_first_token_ms"] for t in answered if t["time_to_first_token_ms"] is not None]
    return {
        "installed": True,
        "model": llm.MODEL_ALIAS,
        "threads": llm.THREADS,
        "cold_turn": cold,
        "turns": turns,
        "answered_by_local": len(answered),
        "model_failures": failures,
        "time_to_first_token_p50_ms": statistics.median(first_tokens) if first_tokens else None,
        "turn_p50_ms": statistics.median(t["turn_ms"] for t in answered) if answered else None,
    }


def model_failures(stack: LocalStack) -> list[str]:
    """Why the model did not answer (the agent's `agent.model_failed` log events), each reason once."""
    reasons: dict[str, None] = {}
    for line in (stack.config.state_dir / "logs" / "agent-1.log").read_text(errors="replace").splitlines():
        if '"agent.model_failed"' in line:
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                reasons[f"{event.get('error')}: {str(event.get('detail'))[:300]}"] = None
    return list(reasons)


def main() -> None:
    if sys.argv[1:2] == ["fake-model"]:
        serve_fake_model(int(sys.argv[2]))
        return
    env = {
        "DEMO_LISTINGS": "3500",
        "AGENT_BRAIN": "openai",
        "OPENAI_API_KEY": "sk-bench",
        "TURNS_PER_MINUTE_PER_SESSION": "1000",
        "TURNS_PER_MINUTE_PER_USER": "10000",
    }
    started = time.monotonic()
    with fake_model_process(Path(tempfile.gettempdir())) as fake_url:
        env["OPENAI_BASE_URL"] = f"{fake_url}/v1"
        # One agent replica with two workers, as `make run` has it; one search and one chain replica keep the
        # 2-core machine's other processes few.
        workers = {service: 2 for service in SERVICES}
        with private_stack(env, rates=UNLIMITED_RATES, replicas={"search": 1, "chain": 1}, workers=workers) as stack:
            print(f"stack healthy after {time.monotonic() - started:.0f} s", flush=True)
            scripted = measure_scripted(stack, fake_url)
            memory_scripted = agent_workers_memory(stack)
            rules = measure_rules(stack)
            memory_rules = agent_workers_memory(stack)
            local = measure_local(stack)
    worst_rss = max(w["rss_mb"] for w in [*memory_scripted, *memory_rules])
    turn, search = scripted["turn"], scripted["search"]
    goals = {
        "own_p50_ms": {"value": scripted["own_p50_ms"], "at_most": GOAL_OWN_P50_MS,
                       "met": scripted["own_p50_ms"] <= GOAL_OWN_P50_MS},
        "own_p99_ms": {"value": scripted["own_p99_ms"], "at_most": GOAL_OWN_P99_MS,
                       "met": scripted["own_p99_ms"] <= GOAL_OWN_P99_MS},
        "rules_turn_p50_ms": {"value": rules["1"].p50_ms, "at_most": GOAL_RULES_P50_MS,
                              "met": rules["1"].p50_ms <= GOAL_RULES_P50_MS},
        "worker_rss_mb": {"value": worst_rss, "at_most": GOAL_WORKER_MB, "met": worst_rss <= GOAL_WORKER_MB},
    }  # fmt: skip
    figures = {
        "connections": CONNECTIONS,
        "rounds": ROUNDS,
        "seconds_per_round": SECONDS,
        "scripted_model": scripted,
        "rules_brain": rules,
        "local_model": local,
        "memory_per_agent_worker": {"after_scripted_load": memory_scripted, "after_rules_load": memory_rules},
        "goals": goals,
        "load_average": os.getloadavg(),
    }
    path = write_results("agent", figures)
    print(f"\nAmr through the gateway, {CONNECTIONS} turns at once (medians of {ROUNDS} alternating rounds)")
    print(f"  {'':<34} {'p50 ms':>8} {'p99 ms':>8} {'per s':>7}")
    print(f"  {'turn, scripted model':<34} {turn.p50_ms:8.1f} {turn.p99_ms:8.1f} {turn.requests_per_second:7.1f}"
          f"{_floor_note(turn)}")  # fmt: skip
    print(f"  {'the same search alone':<34} {search.p50_ms:8.1f} {search.p99_ms:8.1f} "
          f"{search.requests_per_second:7.1f}")  # fmt: skip
    print(f"  {'agent own time (turn - search)':<34} {scripted['own_p50_ms']:8.1f} {scripted['own_p99_ms']:8.1f}")
    print(f"  the agent's CPU per turn: {scripted['agent_cpu_ms_per_turn']} ms; fake model "
          f"{scripted['fake_model_ms_per_call']} ms per call, 2 calls per turn (not subtracted)")  # fmt: skip
    parts = ", ".join(f"{part} {ms:.1f}" for part, ms in scripted["cpu_ms_per_turn_by_part"].items() if ms >= 0.05)
    print(f"  CPU per turn of every process, {scripted['cpu_ms_per_turn_total']} ms (the machine was busy "
          f"{scripted['machine_busy_ms_per_turn']} ms a turn): {parts}")  # fmt: skip
    print(f"  own time at {CONNECTIONS} at once on {os.cpu_count()} cores, at the least (mean, Little's law): "
          f"{scripted['own_floor_if_agent_free_ms']} ms if the agent's workers cost nothing; "
          f"{scripted['own_floor_needed_parts_only_ms']} ms with only {', '.join(NEEDED_PARTS)} left")  # fmt: skip
    cores = scripted["cores_for_own_p50_goal"]
    print(f"  cores the {GOAL_OWN_P50_MS:g} ms goal would take at this CPU a turn (mean, Little's law): "
          f"{cores['as_run']} as run, {cores['agent_free']} if the agent cost nothing, "
          f"{cores['needed_parts_only']} for the needed parts alone")  # fmt: skip
    for connections in (1, CONNECTIONS):
        result = rules[str(connections)]
        label = f"rules-brain turn, {connections} at once"
        print(f"  {label:<34} {result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.requests_per_second:7.1f}"
              f"{_floor_note(result)}; agent CPU {rules[f'agent_cpu_ms_per_turn_{connections}']} ms/turn")  # fmt: skip
    if local["installed"]:
        print(
            f"  local model: first token p50 {local['time_to_first_token_p50_ms']} ms, turn p50 "
            f"{local['turn_p50_ms']} ms ({local['answered_by_local']}/{len(local['turns'])} answered by it)"
        )
        for reason in local["model_failures"]:
            print(f"    the model failed: {reason}")
    else:
        print(f"  local model: {local['note']}")
    for phase, workers_memory in (("scripted", memory_scripted), ("rules", memory_rules)):
        listed = ", ".join(f"RSS {w['rss_mb']:.0f} / USS {w['uss_mb']:.0f} MB" for w in workers_memory)
        print(f"  agent workers after the {phase} load: {listed}")
    for name, goal in goals.items():
        print(f"  goal {name} <= {goal['at_most']}: {goal['value']} {'met' if goal['met'] else 'MISSED'}")
    print(f"written to {path} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
