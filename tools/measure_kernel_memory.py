"""Measure how much memory a learner's kernel needs, lesson by lesson.

Why: a JupyterHub or Binder administrator has to set a memory limit per user. Too low and a
learner's kernel dies in the middle of a lesson ("Kernel restarting"); too high and fewer
learners fit on a machine. This runs every lesson the way a learner would (a fresh
`python3` kernel per notebook, cells in order, 300 s per cell at most) and reports the peak
resident memory (RSS) of the kernel.

Two peaks are reported for each notebook:

- `peak`: the kernel's own high-water mark, `VmHWM` in `/proc/<pid>/status`, read after the
  last cell, so no short spike between two samples is missed;
- `polled`: the largest sum of RSS over the kernel and any child processes, sampled every
  0.05 s while the notebook runs (with psutil when it is installed, else from `/proc`).

With `--server`, it also starts a JupyterLab server on 127.0.0.1, opens the lab page once and
reports the server's peak RSS, so the per-user figure can include the server.

The notebooks are never modified: each one is copied into a temporary folder and executed
there, and the executed copy is thrown away. Linux only (it reads `/proc`). MB = 2**20 bytes.

    python tools/measure_kernel_memory.py                  # every lesson
    python tools/measure_kernel_memory.py --server         # ... and the Jupyter server
    python tools/measure_kernel_memory.py notebooks/05_syria_and_idlib.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

try:
    import psutil
except ImportError:  # psutil is optional: /proc gives the same numbers on Linux
    psutil = None

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 300
SAMPLE_EVERY_S = 0.05
MB = 1024 * 1024


def _status_kb(pid: int, field: str) -> int:
    """One `kB` field (VmRSS, VmHWM, …) of /proc/<pid>/status; 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    """Every descendant of a process, read from /proc (used when psutil is missing)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                # the command name may contain spaces, so split after its closing bracket
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_bytes(pid: int) -> int:
    """Current RSS of a process plus all its descendants, in bytes."""
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total
    return sum(_status_kb(p, "VmRSS") for p in [pid, *_children(pid)]) * 1024


class Sampler(threading.Thread):
    """Polls the RSS of a process tree in the background and keeps the maximum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_bytes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self.pid))
            self._stop_event.wait(SAMPLE_EVERY_S)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_bytes


@dataclass
class Result:
    notebook: str
    cells: int
    seconds: float
    idle_mb: float
    peak_mb: float
    polled_mb: float


def _kernel_pid(client: NotebookClient) -> int:
    provisioner = getattr(client.km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid is None:  # older jupyter_client
        pid = client.km.kernel.pid
    return int(pid)


def measure_notebook(path: Path, kernel_name: str, timeout: int) -> Result:
    """Execute a temporary copy of one notebook in a fresh kernel and record its memory."""
    state: dict[str, object] = {"hwm_kb": 0}

    with tempfile.TemporaryDirectory(prefix="lessons-mem-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copy2(path, copy)
        notebook = nbformat.read(copy, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=kernel_name,
            resources={"metadata": {"path": tmp}},
        )

        def on_start(**_: object) -> None:
            pid = _kernel_pid(client)
            state["pid"] = pid
            state["idle_kb"] = _status_kb(pid, "VmRSS")
            sampler = Sampler(pid)
            sampler.start()
            state["sampler"] = sampler

        def on_cell_complete(**_: object) -> None:
            # VmHWM only grows, so its value after the last cell is the kernel's peak;
            # it must be read here because the kernel is shut down before execute() returns.
            state["hwm_kb"] = max(int(state["hwm_kb"]), _status_kb(int(state["pid"]), "VmHWM"))

        client.on_notebook_start = on_start
        client.on_cell_complete = on_cell_complete
        started = time.perf_counter()
        try:
            client.execute(cwd=tmp)
        finally:
            sampler = state.get("sampler")
            polled = sampler.stop() if isinstance(sampler, Sampler) else 0
        seconds = time.perf_counter() - started

    return Result(
        notebook=path.name,
        cells=sum(1 for cell in notebook.cells if cell.cell_type == "code"),
        seconds=round(seconds, 1),
        idle_mb=round(int(state.get("idle_kb", 0)) / 1024, 1),
        peak_mb=round(int(state["hwm_kb"]) / 1024, 1),
        polled_mb=round(polled / MB, 1),
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_server(first_notebook: str, wait_s: float = 60.0) -> float:
    """Start JupyterLab on loopback, load the lab page once, return the server's peak MB."""
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="lessons-mem-server-") as runtime:
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": runtime}
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
            command.append("--allow-root")
        server = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                        break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the Jupyter server did not start") from None
                    time.sleep(0.5)
            for url in (
                f"{base}/lab/tree/{first_notebook}?token={token}",
                f"{base}/api/contents/{first_notebook}?token={token}",
                f"{base}/lab/api/settings?token={token}",
            ):
                with urllib.request.urlopen(url, timeout=30) as response:
                    response.read()
            time.sleep(2)
            return round(_status_kb(server.pid, "VmHWM") / 1024, 1)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--kernel", default="python3", help="kernel name (default: python3)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S, help="seconds per cell")
    parser.add_argument("--server", action="store_true", help="also measure a JupyterLab server")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    if not Path("/proc/self/status").exists():
        parser.error("this tool reads /proc and runs on Linux only")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

    header = ("notebook", "code cells", "time s", "idle MB", "peak MB", "polled MB")
    print("{:<36} {:>10} {:>7} {:>8} {:>8} {:>9}".format(*header))
    results = []
    for path in paths:
        result = measure_notebook(path.resolve(), args.kernel, args.timeout)
        results.append(result)
        print(
            f"{result.notebook:<36} {result.cells:>10} {result.seconds:>7.1f} "
            f"{result.idle_mb:>8.1f} {result.peak_mb:>8.1f} {result.polled_mb:>9.1f}",
            flush=True,
        )
    worst = max(results, key=lambda r: max(r.peak_mb, r.polled_mb))
    peak = max(worst.peak_mb, worst.polled_mb)
    print(f"\nmaximum kernel peak: {peak:.1f} MB ({worst.notebook})")

    report: dict[str, object] = {
        "python": sys.version.split()[0],
        "sampler": "psutil" if psutil is not None else "/proc",
        "notebooks": [asdict(r) for r in results],
        "max_kernel_peak_mb": peak,
    }
    if args.server:
        first = os.path.relpath(paths[0].resolve(), ROOT)
        server_mb = measure_server(first)
        report["server_peak_mb"] = server_mb
        print(f"JupyterLab server peak (lab page loaded, no kernel): {server_mb:.1f} MB")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
