"""Target 4: the whole nbval suite vs its floor (a kernel start plus the imports, per notebook).

Why this floor: every notebook needs its own kernel and `import pandas, altair, ipywidgets`
before its first cell can do anything, so N x (kernel start + imports) is what any suite of
N notebooks must pay. The suite is `python -m pytest notebooks -q` with the project's own
addopts (--nbval, the sanitize file); a JUnit report is added only to see which notebooks
and cells take the time. Floor samples are taken before and after the suite and the median
is used.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from jupyter_client.manager import start_new_kernel

from benchmarks._timing import ROOT, Report, median, ratio_result, seconds
from benchmarks.bench_sizes import notebooks

FLOOR_CODE = "import pandas, altair, ipywidgets"
LIMIT = 1.6


def kernel_floor(code: str = FLOOR_CODE) -> tuple[float, float]:
    """Seconds from asking for a python3 kernel until `code` (by default `import pandas,
    altair, ipywidgets`) ran, and (for reference only) seconds for the graceful shutdown nbval
    does afterwards."""
    start = time.perf_counter()
    manager, client = start_new_kernel(
        kernel_name="python3", extra_arguments=["--HistoryManager.hist_file=:memory:"]
    )
    try:
        reply = client.execute_interactive(code, timeout=300, output_hook=lambda _msg: None)
        elapsed = time.perf_counter() - start
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"floor imports failed: {reply['content']}")
    finally:
        client.stop_channels()
        stop = time.perf_counter()
        manager.shutdown_kernel()
        shutdown = time.perf_counter() - stop
    return elapsed, shutdown


def run_suite(junit: Path) -> tuple[float, int]:
    """Wall time and exit code of `python -m pytest notebooks -q` (plus a JUnit report)."""
    command = [sys.executable, "-m", "pytest", "notebooks", "-q", f"--junitxml={junit}"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    print(f"  nbval suite: {tail}", flush=True)
    return elapsed, done.returncode


def slowest(junit: Path, top: int = 12) -> tuple[dict[str, float], list[tuple[float, str]]]:
    """Seconds per notebook, and the slowest cells, from the JUnit report."""
    per_book: dict[str, float] = defaultdict(float)
    cells = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        seconds_taken = float(case.get("time", 0))
        book = (case.get("classname") or case.get("file") or "?").rsplit("::", 1)[0]
        per_book[book] += seconds_taken
        cells.append((seconds_taken, f"{book} :: {case.get('name')}"))
    return dict(per_book), sorted(cells, reverse=True)[:top]


def run(floor_samples: int = 4) -> Report:
    count = len(notebooks())
    samples = [kernel_floor() for _ in range(floor_samples // 2)]
    with tempfile.TemporaryDirectory(prefix="lessons-bench-") as tmp:
        junit = Path(tmp) / "nbval.xml"
        suite_s, code = run_suite(junit)
        per_book, cells = slowest(junit) if junit.exists() else ({}, [])
    samples += [kernel_floor() for _ in range(floor_samples - floor_samples // 2)]
    floors = [start for start, _ in samples]
    one, shutdown = median(floors), median([stop for _, stop in samples])
    floor_s = count * one
    result = ratio_result(
        f"nbval suite ({count} notebooks) vs {count} x (kernel start + imports)",
        suite_s,
        floor_s,
        LIMIT,
    )
    details = [
        f"- notebooks: suite `python -m pytest notebooks -q` took {seconds(suite_s)} (exit "
        f"code {code}); one kernel start + `{FLOOR_CODE}` = {seconds(one)} (median of "
        f"{len(floors)}: {', '.join(seconds(f) for f in floors)}), floor = {count} x that = "
        f"{seconds(floor_s)}.",
        f"- notebooks, for reference: nbval also shuts each kernel down gracefully, which takes "
        f"{seconds(shutdown)} after those imports (not in the floor as defined); with it the "
        f"floor would be {seconds(count * (one + shutdown))}, a ratio of "
        f"{suite_s / (count * (one + shutdown)):.2f}x.",
    ]
    if per_book:
        details += ["", "| notebook | cells' time |", "|---|---:|"]
        for book, taken in sorted(per_book.items(), key=lambda kv: -kv[1]):
            details.append(f"| `{book}` | {seconds(taken)} |")
        details += ["", "Slowest cells:", ""]
        details += [f"- {seconds(taken)}: `{name}`" for taken, name in cells]
        details.append("")
    figures = {"suite_s": suite_s, "floor_s": floor_s, "one_kernel_s": one, "exit": code}
    figures["shutdown_s"] = shutdown
    return Report("notebooks", [result], details, figures)


if __name__ == "__main__":
    for row in run().results:
        print(row)
