"""Shared by the browser tests: what a rendered chart or error looks like, and server processes."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Text that means a chart or widget failed to show.
FAILURE_TEXTS = (
    "Error loading script",
    "Loading widget",
    "Error displaying widget",
    "Javascript Error",
    "Model not found",
    "Failed to load model",
)

# One entry per `.vega-embed`: its picture (svg or canvas, not the actions-menu icon), how many
# marks the svg holds, whether it is visible, and any error text vega-embed put inside.
CHARTS_JS = """(scope) => {
  const root = scope || document;
  return [...root.querySelectorAll('.vega-embed')].map((el) => {
    const pic = [...el.querySelectorAll('svg, canvas')].find((x) => !x.closest('details'));
    const kind = pic ? pic.tagName.toLowerCase() : '';
    const box = pic ? pic.getBoundingClientRect() : {width: 0, height: 0};
    return {
      svg: kind === 'svg',
      canvas: kind === 'canvas',
      marks: kind === 'svg' ? pic.querySelectorAll('[class*="mark-"]').length : Number(!!pic),
      visible: box.width > 0 && box.height > 0,
      text: el.textContent.slice(0, 200),
      error: (el.querySelector('.error, .vega-embed-error') || {}).textContent || '',
    };
  });
}"""
# The tallest scrolling area of the page (JupyterLab and Voilà scroll inside an element).
PAGE_HEIGHT_JS = """() => Math.max(
  document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('body *')]
    .filter((el) => el.scrollHeight > el.clientHeight + 5
      && ['auto', 'scroll'].includes(getComputedStyle(el).overflowY))
    .map((el) => el.scrollHeight + el.getBoundingClientRect().top),
)"""
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Explorers are shown by their repr "<explorer with controls: ...>"; all but these carry a chart.
EXPLORERS_WITHOUT_CHART = {"phrase, guess, check"}
MAX_SCREENSHOT_HEIGHT = 16_000
SERVER_START_TIMEOUT = 60  # seconds for a server to answer


def stored_widget_views(notebook: Path) -> list[str]:
    """The text/plain fallback of every widget view stored in a notebook, in order."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    views = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                views.append("".join(data.get("text/plain", "")))
    return views


def expected_charts(views: list[str]) -> int:
    """How many charts those widget views show: each JupyterChart, each explorer with a chart."""
    charts = 0
    for view in views:
        if "JupyterChart" in view:
            charts += 1
        elif match := re.match(r"<explorer with controls: (.*)>", view):
            charts += match.group(1) not in EXPLORERS_WITHOUT_CHART
    return charts


def tall_screenshot(page, path: Path, height_js: str = PAGE_HEIGHT_JS, width: int = 1400) -> None:
    """Make the window as tall as the content (pages that scroll inside an element), shoot."""
    height = int(page.evaluate(height_js))
    page.set_viewport_size({"width": width, "height": max(600, min(height, MAX_SCREENSHOT_HEIGHT))})
    time.sleep(1.5)  # let charts and layout settle at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


def wait_until(
    probe: Callable[[], T], ok: Callable[[T], bool], timeout: float, interval: float = 0.5
) -> tuple[bool, T]:
    """Call `probe` until `ok(result)` or the timeout; return (succeeded, last result)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if ok(result):
            return True, result
        if time.monotonic() >= deadline:
            return False, result
        time.sleep(interval)


def chart_problems(charts: list[dict]) -> list[str]:
    """Human-readable problems of the charts found by CHARTS_JS (empty if all rendered)."""
    problems = []
    for i, chart in enumerate(charts, 1):
        if not (chart["svg"] or chart["canvas"]):
            problems.append(f"chart {i}: no svg/canvas (text: {chart['text']!r})")
        elif chart["marks"] == 0:
            problems.append(f"chart {i}: svg without any marks")
        elif not chart["visible"]:
            problems.append(f"chart {i}: rendered but not visible (zero size)")
        if chart["error"]:
            problems.append(f"chart {i}: error {chart['error']!r}")
    return problems


def failure_texts(text: str) -> list[str]:
    return [t for t in FAILURE_TEXTS if t.lower() in text.lower()]


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def start_process(cmd: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Start a server in its own process group, output to `log`."""
    handle = open(log, "wb")  # noqa: SIM115 - closed by stop_process
    popen_kwargs = {"start_new_session": True} if os.name == "posix" else {}
    proc = subprocess.Popen(
        cmd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        **popen_kwargs, **kwargs,
    )  # fmt: skip
    proc._lessons_log = handle  # type: ignore[attr-defined]
    return proc


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(proc: subprocess.Popen, grace: float = 20) -> None:
    """Terminate, wait, kill: the process, then whatever it started (its process group).

    The process is terminated first, so a server can shut its kernels down; anything left in
    its process group (the group's id is proc.pid) then gets SIGTERM and finally SIGKILL.
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if os.name == "posix" and _group_alive(proc.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc._lessons_log.close()  # type: ignore[attr-defined]


def wait_for_port(
    port: int, proc: subprocess.Popen, log: Path, what: str, timeout: float = SERVER_START_TIMEOUT
) -> None:
    """Wait until something accepts connections on 127.0.0.1:`port` (a cheap readiness check)."""

    def listening() -> str | None:
        with socket.socket() as sock:
            sock.settimeout(2)
            return None if sock.connect_ex(("127.0.0.1", port)) == 0 else "not listening yet"

    _wait_until(listening, f"listen on port {port}", proc, log, what, timeout)


def wait_for_http(
    url: str, proc: subprocess.Popen, log: Path, what: str, timeout: float = SERVER_START_TIMEOUT
) -> None:
    """Poll `url` until it answers 200; fail with the server's log tail if it does not."""

    def answering() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return None if response.status == 200 else f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as error:
            return str(error)

    _wait_until(answering, f"answer {url}", proc, log, what, timeout)


def _wait_until(
    not_ready: Callable[[], str | None],
    goal: str,
    proc: subprocess.Popen,
    log: Path,
    what: str,
    timeout: float,
) -> None:
    """Poll `not_ready()` (None once ready, else why not) every 0.5 s; fail with the log tail
    if `proc` exits first or `timeout` passes."""
    deadline = time.monotonic() + timeout
    why = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"{what} exited with code {proc.returncode} before it could {goal}.\n"
                f"Log tail:\n{log_tail(log)}",
                pytrace=False,
            )
        why = not_ready()
        if why is None:
            return
        time.sleep(0.5)
    pytest.fail(
        f"{what} did not {goal} within {timeout:.0f} s ({why}).\nLog tail:\n{log_tail(log)}",
        pytrace=False,
    )


# --- hostile input for the escaping tests ----------------------------------------------

XSS_TITLE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def write_hostile_events(path: Path) -> None:
    """data/events.csv with the first event's title replaced by markup that would run."""
    source = ROOT / "data" / "events.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("title")] = XSS_TITLE
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_notebook(path: Path, sources: list[str]) -> None:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{number}",  # nbformat 4.5 requires cell ids
            "metadata": {},
            "outputs": [],
            "source": source,
        }
        for number, source in enumerate(sources)
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
