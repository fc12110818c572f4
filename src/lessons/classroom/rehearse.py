"""A class rehearsed on loopback: N simulated learners log in to the hub and run a lesson.

Why: a teacher (and the test suite) can find out before the lesson whether this machine carries
the class — how much memory one learner costs, how long logins take, how much slower a lesson
runs when everyone presses "Run All" at once — measured on this machine, in one run.

What happens: the hub starts on 127.0.0.1 (lessons.classroom.hub). One learner logs in over
HTTP (the hub starts their server), opens the lesson and runs every code cell through a kernel
of their own server — REST to start it, the kernel websocket to execute — alone: `run_single_s`.
Then the other learners log in together, everyone opens the lesson, and all run it at once:
`run_all_median_s`. Memory is read from /proc (through psutil) for each learner's server and
kernel and for the hub and proxy; then everything stops. The result prints as a table and one
line of `key=value` pairs (`final_line`):

    learners              how many simulated learners
    errors                failed logins, kernels and cells, all learners together
    mem_per_learner_mib   mean PSS of a learner's server + kernel after the lesson (PSS divides
                          each shared page among its users, so N of these add up)
    hub_proxy_mib         PSS of the hub, the proxy and the idle culler
    spawn_s_max           the slowest login: password sent → the learner's server answers
    run_single_s          "Run All" of the lesson, one learner alone
    run_all_median_s      the median learner's "Run All" when all N run at once
    concurrent_vs_single  run_all_median_s / run_single_s

>>> result = Rehearsal(
...     learners=[
...         Learner("learner01", spawn_s=8.0, run_s=5.0, rss_mib=361.0, pss_mib=290.0),
...         Learner("learner02", spawn_s=9.5, run_s=6.0, rss_mib=359.0, pss_mib=286.0),
...     ],
...     run_single_s=3.0,
...     hub_proxy_mib=165.0,
... )
>>> print(result.final_line().replace(" run_single", "\\nrun_single"))
learners=2 errors=0 mem_per_learner_mib=288 hub_proxy_mib=165 spawn_s_max=9.5
run_single_s=3.0 run_all_median_s=5.5 concurrent_vs_single=1.8
>>> parse_final_line(result.final_line())["errors"]
0.0
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from lessons._background import outside_running_loop

LESSON_PREFIX = "01_"
KEYS = (
    "learners",
    "errors",
    "mem_per_learner_mib",
    "hub_proxy_mib",
    "spawn_s_max",
    "run_single_s",
    "run_all_median_s",
    "concurrent_vs_single",
)
MIB = 1024 * 1024
_Say = Callable[[str], Any]
# What one learner needs on top of what is free before we start (measured ~290 MiB, plus room).
NEEDED_PER_LEARNER_MIB = 400


@dataclass
class Learner:
    """One simulated learner: how their login and their lesson went, what they cost."""

    name: str
    spawn_s: float | None = None  # login → their server answers
    kernel_s: float | None = None  # lesson opened → kernel ready (in the all-at-once round)
    run_s: float | None = None  # every code cell run, all learners at once
    cpu_s: float | None = None  # CPU seconds of their server and kernel, the whole rehearsal
    run_cpu_s: float | None = None  # CPU seconds of their server and kernel during the run
    rss_mib: float | None = None  # resident memory of their server + kernel after the lesson
    pss_mib: float | None = None  # the same, shared pages split among sharers (system share)
    kernel_peak_mib: float | None = None  # their kernel's peak RSS (what a 2nd notebook adds)
    pids: list[int] = field(default_factory=list)  # their server and kernel processes
    errors: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.errors += 1
        self.problems.append(problem)


@dataclass
class Rehearsal:
    """The learners' rows and the figures of the whole run."""

    learners: list[Learner]
    run_single_s: float | None
    hub_proxy_mib: float | None
    errors_outside: int = 0  # failures not tied to one learner (the hub itself)
    hub_pids: list[int] = field(default_factory=list)  # hub, proxy and the hub's helpers
    single_cpu_s: float | None = None  # CPU seconds of the lone learner's run
    machine_busy: float | None = None  # share of all CPUs busy while everyone ran (any process)
    round_s: float | None = None  # wall seconds from everyone's start to the last one's end
    problems: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.errors_outside + sum(learner.errors for learner in self.learners)

    def summary(self) -> dict[str, float | int | None]:
        """The figures of the final line, by key (None where nothing was measured)."""
        runs = [x.run_s for x in self.learners if x.run_s is not None]
        spawns = [x.spawn_s for x in self.learners if x.spawn_s is not None]
        memory = [x.pss_mib for x in self.learners if x.pss_mib is not None]
        median = statistics.median(runs) if runs else None
        ratio = median / self.run_single_s if median and self.run_single_s else None
        return {
            "learners": len(self.learners),
            "errors": self.errors,
            "mem_per_learner_mib": statistics.mean(memory) if memory else None,
            "hub_proxy_mib": self.hub_proxy_mib,
            "spawn_s_max": max(spawns) if spawns else None,
            "run_single_s": self.run_single_s,
            "run_all_median_s": median,
            "concurrent_vs_single": ratio,
        }

    def final_line(self) -> str:
        """`learners=… errors=… …`: memory in whole MiB, times to 0.1 s, ratio to 0.1."""
        parts = []
        for key, value in self.summary().items():
            if value is None:
                text = "nan"
            elif key.endswith("_mib"):
                text = f"{value:.0f}"
            elif isinstance(value, int):
                text = str(value)
            else:
                text = f"{value:.1f}"
            parts.append(f"{key}={text}")
        return " ".join(parts)

    def table(self) -> str:
        """One row per learner (times in s, memory in MiB), a note on the CPU, the problems."""

        def cell(value: float | None, digits: int = 1) -> str:
            return "—" if value is None else f"{value:.{digits}f}"

        header = (
            f"{'learner':<10} {'spawn_s':>7} {'kernel_s':>8} {'run_s':>6} {'run_cpu_s':>9} "
            f"{'errors':>6} {'RSS':>5} {'PSS':>5} {'kernel_peak':>11}"
        )
        lines = [header, "-" * len(header)]
        for x in self.learners:
            lines.append(
                f"{x.name:<10} {cell(x.spawn_s):>7} {cell(x.kernel_s):>8} {cell(x.run_s):>6} "
                f"{cell(x.run_cpu_s):>9} {x.errors:>6} {cell(x.rss_mib, 0):>5} "
                f"{cell(x.pss_mib, 0):>5} {cell(x.kernel_peak_mib, 0):>11}"
            )
        if self.single_cpu_s is not None:
            lines.append(
                f"alone: run {cell(self.run_single_s)} s using {cell(self.single_cpu_s)} CPU s "
                "(kernel start and stop included)"
            )
        if self.machine_busy is not None:
            lines.append(
                f"all at once: {cell(self.round_s)} s until the last finished; the machine's "
                f"CPUs were {self.machine_busy:.0%} busy (every process, not only the class)"
            )
        problems = self.problems + [f"{x.name}: {p}" for x in self.learners for p in x.problems]
        if problems:
            lines.append("")
            lines.append("Problems:")
            lines.extend(f"  {p}" for p in problems[:20])
            if len(problems) > 20:
                lines.append(f"  … and {len(problems) - 20} more")
        return "\n".join(lines)


def parse_final_line(line: str) -> dict[str, float]:
    """The final line back into numbers; ValueError unless it has exactly the keys, in order.

    >>> parse_final_line("learners=1 errors=2")
    Traceback (most recent call last):
    ...
    ValueError: not a rehearsal line (keys learners errors; expected learners errors mem_per_...)
    """
    pairs = [part.split("=", 1) for part in line.split()]
    keys = tuple(key for key, *_ in pairs)
    if keys != KEYS or any(len(pair) != 2 for pair in pairs):
        expected = " ".join(KEYS)
        raise ValueError(
            f"not a rehearsal line (keys {' '.join(keys)}; expected {expected[:27]}...)"
        )
    return {key: float(value) for key, value in pairs}


def code_cells(notebook: dict[str, Any]) -> list[str]:
    """The source of every non-empty code cell of a notebook (nbformat 4 JSON), in order.

    >>> code_cells({"cells": [{"cell_type": "markdown", "source": "# Hi"},
    ...                       {"cell_type": "code", "source": ["x = 1\\n", "x"]},
    ...                       {"cell_type": "code", "source": ""}]})
    ['x = 1\\nx']
    """
    sources = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        if text.strip():
            sources.append(text)
    return sources


def kernel_message(msg_type: str, content: dict[str, Any], session: str) -> dict[str, Any]:
    """A Jupyter message for the kernel websocket's JSON protocol (shell channel).

    >>> message = kernel_message("execute_request", {"code": "1"}, "s1")
    >>> message["header"]["msg_type"], message["channel"], message["content"]["code"]
    ('execute_request', 'shell', '1')
    """
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": session,
            "username": "rehearsal",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def process_tree_memory(pid: int) -> tuple[float, float, float, list[int], float]:
    """(RSS MiB, PSS MiB, CPU seconds, pids, descendants' peak RSS MiB) of a process tree.

    PSS splits each shared page among the processes sharing it, so the PSS of many learners
    adds up to what they take from the machine; RSS counts shared pages in every process.
    Where PSS is unknown (macOS), the unique set size stands in.

    >>> import os
    >>> rss, pss, cpu, pids, below = process_tree_memory(os.getpid())
    >>> rss > 0 and pss > 0 and os.getpid() in pids
    True
    """
    import psutil

    root = psutil.Process(pid)
    processes = [root, *root.children(recursive=True)]
    rss = pss = cpu = below = 0.0
    pids = []
    for process in processes:
        try:
            info = process.memory_full_info()
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss / MIB
        if process.pid != pid:  # a kernel: its peak, where the system keeps it
            below += max(info.rss, _peak_rss(process.pid)) / MIB
        pss += getattr(info, "pss", info.uss) / MIB
        cpu += times.user + times.system
        pids.append(process.pid)
    return rss, pss, cpu, pids, below


def _peak_rss(pid: int) -> int:
    """A process's peak resident memory in bytes (Linux's VmHWM); 0 where unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _cpu_seconds(pid: int | None, *, with_ended_children: bool = False) -> float | None:
    """CPU seconds used so far by a process and its children (None if it cannot be read)."""
    import psutil

    if pid is None:
        return None
    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
        if with_ended_children:  # a kernel that was shut down and reaped counts here
            times = root.cpu_times()
            total += times.children_user + times.children_system
        return total
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


class _MachineClock:
    """Wall time and the share of all CPUs busy (every process on the machine) in between."""

    def start(self) -> None:
        import psutil

        self.cpu = psutil.cpu_times()
        self.wall = time.perf_counter()

    def stop(self) -> tuple[float, float]:
        import psutil

        cpu = psutil.cpu_times()
        total = sum(cpu) - sum(self.cpu)
        idle = (cpu.idle + getattr(cpu, "iowait", 0.0)) - (
            self.cpu.idle + getattr(self.cpu, "iowait", 0.0)
        )
        return (1 - idle / total if total > 0 else 0.0), time.perf_counter() - self.wall


def _available_mib() -> float:
    import psutil

    return psutil.virtual_memory().available / MIB


class _Server:
    """One learner's single-user server, driven over HTTP and the kernel websocket."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/") + "/"
        self.headers = {"Authorization": f"token {token}"}

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        request = HTTPRequest(
            self.base + path,
            method=method,
            headers={**self.headers, "Content-Type": "application/json"},
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
            request_timeout=300,
            connect_timeout=120,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
        except Exception as err:
            raise ConnectionError(f"{method} {path}: {type(err).__name__}: {err}") from err
        return json.loads(response.body) if response.body else None

    async def find_lesson(self, prefix: str) -> str:
        """The path (from the server's root) of the learner's copy of the lesson."""
        listing = await self.call("GET", "api/contents/")
        folders = []
        for item in listing["content"]:
            if item["type"] == "notebook" and item["name"].startswith(prefix):
                return item["path"]
            if item["type"] == "directory":
                folders.append(item["path"])
        for folder in folders:
            inner = await self.call("GET", f"api/contents/{folder}")
            for item in inner["content"]:
                if item["type"] == "notebook" and item["name"].startswith(prefix):
                    return item["path"]
        raise LookupError(f"no lesson {prefix}* in the learner's folder")

    async def open_lesson(self, path: str) -> tuple[str, str, list[str]]:
        """Start the lesson's kernel as JupyterLab does (a session): (session, kernel, cells)."""
        notebook = await self.call("GET", f"api/contents/{path}?content=1")
        session = await self.call(
            "POST",
            "api/sessions",
            {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}},
        )
        return session["id"], session["kernel"]["id"], code_cells(notebook["content"])

    async def close_session(self, session_id: str) -> None:
        await self.call("DELETE", f"api/sessions/{session_id}")

    async def connect(self, kernel_id: str) -> Any:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
        # The server answers the upgrade once the kernel has started: on a busy machine that
        # takes longer than tornado's 20 s default, which a browser would wait out.
        request = HTTPRequest(
            f"{url}?session_id={uuid.uuid4().hex}",
            headers=self.headers,
            connect_timeout=120,
            request_timeout=300,
        )
        try:
            return await websocket_connect(request, max_message_size=512 * MIB)
        except Exception as err:
            raise ConnectionError(f"kernel websocket: {type(err).__name__}: {err}") from err


async def _replies(ws: Any, wanted: set[str], reply_type: str) -> dict[str, dict[str, Any]]:
    """Read the websocket until every message id in `wanted` has its `reply_type`."""
    replies: dict[str, dict[str, Any]] = {}
    marker = f'"{reply_type}"'
    while len(replies) < len(wanted):
        raw = await ws.read_message()
        if raw is None:
            raise ConnectionError("the kernel websocket closed")
        if isinstance(raw, bytes) or marker not in raw:
            continue  # outputs, status, widget messages: not what we wait for
        message = json.loads(raw)
        parent = message.get("parent_header", {}).get("msg_id")
        if message.get("msg_type") == reply_type and parent in wanted:
            replies[parent] = message["content"]
    return replies


async def _wait_kernel(server: _Server, kernel_id: str, timeout: float) -> Any:
    ws = await server.connect(kernel_id)
    session = uuid.uuid4().hex
    info = kernel_message("kernel_info_request", {}, session)
    deadline = time.monotonic() + timeout
    while True:  # the kernel may not answer its first request while it starts
        ws.write_message(json.dumps(info))
        try:
            await asyncio.wait_for(_replies(ws, {info["header"]["msg_id"]}, "kernel_info_reply"), 5)
            return ws
        except TimeoutError:
            if time.monotonic() > deadline:
                ws.close()
                raise TimeoutError(f"kernel not ready after {timeout:.0f} s") from None
            info = kernel_message("kernel_info_request", {}, session)


async def _run_cells(ws: Any, cells: list[str], learner: Learner, timeout: float) -> float:
    """Send every cell as JupyterLab's Run All does (all queued, stop on error); wall seconds."""
    session = uuid.uuid4().hex
    messages = [
        kernel_message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
            session,
        )
        for code in cells
    ]
    started = time.perf_counter()
    for message in messages:
        ws.write_message(json.dumps(message))
    wanted = {m["header"]["msg_id"] for m in messages}
    replies = await asyncio.wait_for(_replies(ws, wanted, "execute_reply"), timeout)
    elapsed = time.perf_counter() - started
    for number, message in enumerate(messages, start=1):
        reply = replies[message["header"]["msg_id"]]
        if reply.get("status") != "ok":
            detail = f"{reply.get('ename', '')}: {reply.get('evalue', '')}".strip(": ")
            learner.fail(f"cell {number} {reply.get('status')} {detail}".strip())
    return elapsed


async def _lesson(
    server: _Server, learner: Learner, prefix: str, timeout: float, *, keep: bool
) -> tuple[float | None, float | None]:
    """Open the lesson, wait for its kernel, run it: (kernel seconds, run seconds)."""
    ws = None
    session_id = None
    try:
        path = await server.find_lesson(prefix)
        started = time.perf_counter()
        session_id, kernel_id, cells = await server.open_lesson(path)
        ws = await _wait_kernel(server, kernel_id, timeout)
        kernel_s = time.perf_counter() - started
        run_s = await _run_cells(ws, cells, learner, timeout)
        return kernel_s, run_s
    except Exception as err:  # one learner's failure is a row of the table, not a crash
        learner.fail(f"{type(err).__name__}: {err}".strip())
        return None, None
    finally:
        if ws is not None:
            ws.close()
        if session_id is not None and not keep:
            try:
                await server.close_session(session_id)
            except Exception as err:
                learner.fail(f"closing the lesson: {err}")


async def _hub_api(hub: Any, method: str, path: str, body: Any = None) -> Any:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    request = HTTPRequest(
        hub.api_url.rstrip("/") + path,
        method=method,
        headers={"Authorization": f"token {hub.api_token}"},
        body=None if body is None else json.dumps(body),
        request_timeout=120,
        connect_timeout=120,
    )
    response = await AsyncHTTPClient().fetch(request)
    return json.loads(response.body) if response.body else None


async def _log_in(
    hub: Any, learner: Learner, timeout: float, say: _Say, pool: ThreadPoolExecutor
) -> _Server | None:
    """Log in over HTTP as a browser does (the hub starts the server); then a token for it.

    `pool` has a thread per learner, so every login starts at once, as in a real room.
    """
    from lessons.classroom.hub import login

    started = time.perf_counter()
    try:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            pool, partial(login, hub.url, learner.name, hub.password, timeout=timeout)
        )
        learner.spawn_s = time.perf_counter() - started
        say(f"{learner.name} logged in; their server answered after {learner.spawn_s:.1f} s")
        token = await _hub_api(
            hub,
            "POST",
            f"/users/{learner.name}/tokens",
            {"scopes": [f"access:servers!user={learner.name}"], "note": "rehearsal"},
        )
    except Exception as err:
        learner.fail(f"login: {type(err).__name__}: {err}".strip())
        return None
    return _Server(f"{hub.url.rstrip('/')}/user/{learner.name}/", token["token"])


async def _server_pid(hub: Any, name: str) -> int | None:
    model = await _hub_api(hub, "GET", f"/users/{name}")
    server = (model.get("servers") or {}).get("", {})
    pid = (server.get("state") or {}).get("pid")
    return int(pid) if pid else None


async def _rehearse(
    hub: Any, count: int, prefix: str, timeout: float, spawn_timeout: float, say: _Say
) -> Rehearsal:
    from tornado.httpclient import AsyncHTTPClient

    # Tornado queues requests beyond 10 at once (and fails those queued > connect_timeout):
    # every learner must be able to talk to their server at the same time.
    AsyncHTTPClient.configure(None, max_clients=max(64, 4 * count))
    learners = [Learner(f"learner{i:02d}") for i in range(1, count + 1)]
    first, others = learners[0], learners[1:]

    # 1. One learner alone: log in, open the lesson, run it.
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="learner")
    servers: dict[str, _Server | None] = {
        first.name: await _log_in(hub, first, spawn_timeout, say, pool)
    }
    run_single_s = single_cpu_s = None
    if servers[first.name] is not None:
        pid = await _server_pid(hub, first.name)
        before = _cpu_seconds(pid, with_ended_children=True)
        _kernel, run_single_s = await _lesson(
            servers[first.name], first, prefix, timeout, keep=False
        )
        after = _cpu_seconds(pid, with_ended_children=True)
        if before is not None and after is not None and run_single_s is not None:
            single_cpu_s = after - before  # kernel start + run + shutdown, server included
        if run_single_s is not None:
            say(f"{first.name} ran the lesson alone in {run_single_s:.1f} s")

    # 2. Everyone else logs in at once.
    if others:
        say(f"{len(others)} more learners log in at once…")
    logged = await asyncio.gather(*(_log_in(hub, x, spawn_timeout, say, pool) for x in others))
    pool.shutdown(wait=False)
    servers.update({x.name: server for x, server in zip(others, logged, strict=True)})

    # 3. Everyone opens the lesson; when every kernel is ready, all run it at once.
    ready = asyncio.Event()
    waiting = [x for x in learners if servers[x.name] is not None]
    arrived = 0

    async def learner_round(learner: Learner) -> None:
        nonlocal arrived
        server = servers[learner.name]
        assert server is not None
        ws = session_id = None
        pid = None
        try:
            path = await server.find_lesson(prefix)
            started = time.perf_counter()
            session_id, kernel_id, cells = await server.open_lesson(path)
            ws = await _wait_kernel(server, kernel_id, timeout)
            learner.kernel_s = time.perf_counter() - started
            pid = await _server_pid(hub, learner.name)
        except Exception as err:
            learner.fail(f"opening the lesson: {type(err).__name__}: {err}".strip())
            cells = None
        finally:
            arrived += 1
            if arrived == len(waiting):
                ready.set()
        await ready.wait()
        if ws is None or cells is None:
            return
        before = _cpu_seconds(pid)
        try:
            learner.run_s = await _run_cells(ws, cells, learner, timeout)
            learner.run_cpu_s = _cpu_seconds(pid) - before if before is not None else None
        except Exception as err:
            learner.fail(f"running the lesson: {type(err).__name__}: {err}".strip())
        finally:
            ws.close()
        del session_id  # the kernel stays: memory is measured with the lesson loaded

    say(f"{len(waiting)} learners open the lesson, then all run it at once…")
    machine = _MachineClock()
    rounds = [asyncio.ensure_future(learner_round(x)) for x in waiting]
    await ready.wait()
    machine.start()
    await asyncio.gather(*rounds)
    machine_busy, round_s = machine.stop()

    # 4. Memory and CPU of every learner's server + kernel, then of the hub and proxy.
    learner_pids: set[int] = set()
    for learner in learners:
        try:
            pid = await _server_pid(hub, learner.name)
        except Exception as err:
            learner.fail(f"finding the server: {err}")
            continue
        if pid is None:
            continue
        try:
            rss, pss, cpu, pids, kernels = process_tree_memory(pid)
        except Exception as err:
            learner.fail(f"reading memory: {type(err).__name__}: {err}")
            continue
        learner.rss_mib, learner.pss_mib, learner.cpu_s, learner.pids = rss, pss, cpu, pids
        learner.kernel_peak_mib = kernels or None
        learner_pids.update(pids)
    hub_proxy, hub_pids = _hub_proxy_mib(hub.pids(), learner_pids)
    return Rehearsal(
        learners=learners,
        run_single_s=run_single_s,
        hub_proxy_mib=hub_proxy,
        hub_pids=hub_pids,
        single_cpu_s=single_cpu_s,
        machine_busy=machine_busy,
        round_s=round_s,
    )


def _hub_proxy_mib(pids: dict[str, int], learner_pids: set[int]) -> tuple[float | None, list[int]]:
    """PSS of the hub, the proxy and the hub's own helpers (idle culler), not the learners."""
    import psutil

    seen: set[int] = set()
    total = 0.0
    for pid in pids.values():
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in tree:
            if process.pid in seen or process.pid in learner_pids:
                continue
            seen.add(process.pid)
            try:
                info = process.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total += getattr(info, "pss", info.uss) / MIB
    return (total if seen else None), sorted(seen)


def rehearse(
    count: int,
    *,
    lesson_prefix: str = LESSON_PREFIX,
    timeout: float = 600,
    folder: Path | None = None,
    isolated: bool | None = None,
    progress: _Say | None = None,
) -> Rehearsal:
    """Run a rehearsal with `count` learners on loopback and return its figures.

    The hub is set as for a real class (`isolated=None`: one account per learner when run as
    root on Linux). Everything lives in a temporary folder (or `folder`) and stops before this
    returns, also when the process is told to stop (SIGTERM). Raises RuntimeError with one
    clear line when the machine lacks the memory for `count` learners or the hub cannot start.
    """
    from lessons.classroom.hub import ClassroomConfig

    if count < 1:
        raise ValueError("a rehearsal needs at least one learner")
    needed = count * NEEDED_PER_LEARNER_MIB + 300
    available = _available_mib()
    if available < needed:
        raise RuntimeError(
            f"{count} learners need about {needed:.0f} MiB free; this machine has "
            f"{available:.0f} MiB (try fewer learners)"
        )
    say = progress or (lambda _line: None)
    own = folder is None
    base = Path(tempfile.mkdtemp(prefix="lessons-rehearsal-")) if own else Path(folder)
    if own:
        base.chmod(0o711)  # learners' own accounts (isolated mode) pass through to their homes
    config = ClassroomConfig(
        folder=base / "classroom",
        ip="127.0.0.1",
        port=0,
        isolated=isolated,
        max_learners=max(count, 30),
        kernels_per_learner=1,
    )
    restore = _stop_on_sigterm()
    try:
        with _start(config, say) as hub:
            say(f"hub answering at {hub.url}")
            if getattr(hub, "shared_reason", None):
                say(f"shared mode (every learner runs as this user): {hub.shared_reason}")
            _wait_prepared(hub, 120)
            spawn_timeout = config.spawn_timeout_s + 30
            rehearsal = _rehearse(hub, count, lesson_prefix, timeout, spawn_timeout, say)
            # asyncio.run refuses a thread that runs a loop (a notebook, a browser test session)
            result = outside_running_loop(asyncio.run, rehearsal)
            log = hub.log_path
        if result.errors and own:  # keep the hub's log (never holds the password) to look into
            kept = Path(tempfile.gettempdir()) / f"{base.name}-hub.log"
            with contextlib.suppress(OSError):
                shutil.copyfile(log, kept)
                result.problems.append(f"the hub's log (learners' servers included): {kept}")
        return result
    finally:
        restore()
        if own:
            shutil.rmtree(base, ignore_errors=True)


def _start(config: Any, say: _Say) -> Any:
    """The hub as a class would get it; shared mode when learners' accounts are impossible."""
    from lessons.classroom.hub import ClassroomError, start_hub

    try:
        return start_hub(config, timeout=120)
    except ClassroomError as err:
        if config.isolated is not None:
            raise
        say(f"one account per learner is not possible here ({err}); rehearsing shared mode")
        config.isolated = False
        return start_hub(config, timeout=120)


def _wait_prepared(hub: Any, timeout: float) -> None:
    """Wait (bounded) until the hub has built what it copies into every new home.

    A class arrives minutes after the teacher starts the hub; the rehearsal's first learner
    arrives at once, and should find what a real learner finds.
    """
    from lessons.classroom.config import Layout

    wait = getattr(hub, "wait_prepared", None)
    if callable(wait):
        wait(timeout)
        return
    cache = Layout(hub.folder).cache_dir
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(cache.glob("*/*.js")):
        time.sleep(0.5)


def _stop_on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into KeyboardInterrupt (so the hub is stopped); returns the undo."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def rehearse_command(count: int, *, echo: Callable[[str], Any] = print) -> int:
    """`lessons classroom --rehearse N`: print the table and the final line; 0 if no errors."""
    echo(f"Rehearsing a class of {count} on 127.0.0.1 (lesson {LESSON_PREFIX[:2]})…")
    started = time.perf_counter()
    try:
        result = rehearse(count, progress=lambda line: echo(f"  {line}"))
    except (RuntimeError, ValueError, OSError) as err:
        echo(f"Rehearsal failed: {err}")
        return 1
    except KeyboardInterrupt:
        echo("Rehearsal stopped; the hub and every learner's server were stopped.")
        return 130
    echo(result.table())
    echo(
        f"({time.perf_counter() - started:.0f} s in all. Memory in MiB after the lesson; PSS "
        "shares each page among the processes using it, so it adds up to what the class takes.)"
    )
    echo(result.final_line())
    return 0 if result.errors == 0 else 1
