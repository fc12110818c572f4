"""Shared by the browser tests and tools/screenshot_lesson.py: what a rendered chart or error
looks like, server processes, a private JupyterLab, Chromium's flags, and driving a notebook."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
# Unrun notebooks show widgets by their text/plain: a chart as "Interactive chart “…” — run this
# cell (Shift+Enter) to see it", an explorer as "Timeline explorer (controls: years, …) — run
# this cell (Shift+Enter) to use it" (lessons.render.chart_placeholder, widgets.Explorer). Older
# stored outputs said "<altair…JupyterChart object at 0x…>" and "<explorer with controls: …>".
CHART_VIEW = re.compile(r"^Interactive chart\b|JupyterChart")
EXPLORER_VIEW = re.compile(
    r"^(?:.+) \(controls: (?P<new>.*)\) — run this cell|^<explorer with controls: (?P<old>.*)>"
)
# All explorers but these carry a chart (named by their controls).
EXPLORERS_WITHOUT_CHART = {"phrase, guess, check"}
# Text that means a widget was shown as its text fallback, not rendered.
FALLBACK_TEXTS = ("run this cell (Shift+Enter)", "<explorer with", "JupyterChart")
MAX_SCREENSHOT_HEIGHT = 16_000
SERVER_START_TIMEOUT = 60  # seconds for a server to answer

CHROMIUM = Path(os.environ.get("LESSONS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LAB_SETTINGS = {
    # every cell stays in the DOM, so charts far down a lesson can be checked
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no "get notified about Jupyter news?" toast, no update check
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


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


def explorer_controls(view: str) -> str | None:
    """The controls an explorer's text names ("years, category, search"), or None."""
    match = EXPLORER_VIEW.match(view)
    return None if match is None else (match.group("new") or match.group("old"))


def expected_charts(views: list[str]) -> int:
    """How many charts those widget views show: each chart, each explorer with a chart."""
    charts = 0
    for view in views:
        if CHART_VIEW.search(view):
            charts += 1
        elif (controls := explorer_controls(view)) is not None:
            charts += controls not in EXPLORERS_WITHOUT_CHART
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


# --- a private JupyterLab -----------------------------------------------------------------


@dataclass
class LabServer:
    url: str
    token: str
    root: Path
    log: Path

    def lab_url(self, notebook: str) -> str:
        name = urllib.parse.quote(notebook)
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self, notebook: str) -> None:
        """Stop the kernel sessions of one notebook, so lessons do not pile up kernels."""
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path", "").endswith(notebook):
                self.api("DELETE", f"/api/sessions/{session['id']}")


@contextlib.contextmanager
def running_lab(base: Path, root: Path) -> Iterator[LabServer]:
    """JupyterLab serving `root` on a free loopback port, stopped (with its kernels) on exit.

    Its settings, workspaces, config and runtime files live in folders under `base` (windowed
    notebook rendering off, no news or update checks); the user's ~/.jupyter stays out.
    """
    settings = base / "settings"
    for name, value in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value), encoding="utf-8")
    for folder in ("workspaces", "config", "runtime"):
        (base / folder).mkdir(exist_ok=True)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        # the user's own ~/.jupyter config must not change the result; .venv/etc/jupyter
        # (server extensions) and .venv/share/jupyter (lab extensions) stay on the paths
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONUNBUFFERED": "1",
        # answers clicked in this server's lessons stay here: other kernels of the suite (nbval)
        # must not see them in their progress tables
        "LESSONS_PROGRESS": str(base / "lessons_progress.json"),
    }
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.allow_root=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--NotebookNotary.db_file=:memory:",
    ]  # fmt: skip
    log = base / "jupyterlab.log"
    proc = start_process(cmd, log, env=env, cwd=base)
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log)
    try:
        wait_for_http(f"{server.url}/api/status?token={token}", proc, log, "JupyterLab")
        yield server
    finally:
        stop_process(proc)


# --- Chromium -------------------------------------------------------------------------------


@dataclass
class Network:
    """What the browser may reach; every aborted request is recorded."""

    allow_local: bool = True
    aborted: list[str] = field(default_factory=list)
    aborted_typed: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url)

    def handle(self, route) -> None:
        url = route.request.url
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme in ("file", "data", "blob") or (
            self.allow_local and parsed.hostname in LOCAL_HOSTS
        ):
            route.continue_()
        else:
            self.aborted.append(url)
            self.aborted_typed.append((route.request.resource_type, url))
            route.abort("internetdisconnected")


def launch_chromium(playwright, profile: Path, network: Network, height: int = 1000):
    """Headless Chromium with a fresh profile; every request goes through `network`."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": height},
        service_workers="block",  # every request goes through the route below
    )
    context.set_default_timeout(30_000)
    context.route("**/*", network.handle)
    return context


# --- driving a notebook in JupyterLab -------------------------------------------------------

KERNEL_READY_TIMEOUT = 120  # a fresh kernel on a busy 2-core machine
MENU_EFFECT_TIMEOUT = 15  # e.g. after Run All Cells, some prompt must change
MENU_ATTEMPTS = 3
RUN_ALL_TIMEOUT = 240

KERNEL_STATUS_JS = """() => {
  const el = document.querySelector('#jp-main-statusbar span[title^="Change kernel"]');
  return el ? el.textContent : '';
}"""
PROMPTS_JS = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
  .map((el) => el.textContent.trim())"""
# The notebook scrolls inside this element (windowing is off, so every cell is in the DOM).
NOTEBOOK_SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"
SCROLL_HEIGHT_JS = """() => {
  const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  const cells = outer ? outer.querySelectorAll('.jp-Cell') : [];
  if (!cells.length) return document.body.scrollHeight;
  return cells[cells.length - 1].getBoundingClientRect().bottom + outer.scrollTop + 60;
}"""
SCROLL_TOP_JS = """() => {
  const outer = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  if (outer) outer.scrollTop = 0;
}"""


def menu(page, label: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{label}$")).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def kernel_status(page) -> str:
    return page.evaluate(KERNEL_STATUS_JS)


def open_notebook(page, lab_server: LabServer, name: str) -> None:
    page.goto(lab_server.lab_url(name))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=60_000)
    ready, status = wait_until(
        lambda: kernel_status(page), lambda s: s.endswith("| Idle"), KERNEL_READY_TIMEOUT
    )
    assert ready, f"{name}: kernel not idle after {KERNEL_READY_TIMEOUT} s (status {status!r})"


def menu_until(page, label: str, command: str, ok, what: str) -> None:
    """Choose a menu command until its effect shows (a click right after start-up can be lost)."""
    for _attempt in range(MENU_ATTEMPTS):
        menu(page, label, command)
        done, _ = wait_until(lambda: page.evaluate(PROMPTS_JS), ok, MENU_EFFECT_TIMEOUT)
        if done:
            return
    pytest.fail(f"{what}: {label} → {command} had no effect after {MENU_ATTEMPTS} tries")


def run_all(page, name: str) -> list[str]:
    """Clear outputs, Run All Cells, wait until every cell ran and the kernel is idle."""
    menu_until(
        page, "Edit", "editmenu:clear-all", lambda ps: all(p in ("", "[ ]:") for p in ps), name
    )
    menu_until(
        page, "Run", "runmenu:run-all", lambda ps: any(p not in ("", "[ ]:") for p in ps), name
    )

    def settled() -> tuple[str, list[str]]:
        return kernel_status(page), page.evaluate(PROMPTS_JS)

    def done(state: tuple[str, list[str]]) -> bool:
        status, ps = state
        return status.endswith("| Idle") and "[*]:" not in ps

    ok, state = wait_until(settled, done, RUN_ALL_TIMEOUT, interval=1)
    assert ok, f"{name}: still running after {RUN_ALL_TIMEOUT} s: {state}"
    time.sleep(1)  # idle may flicker between two cells: confirm once more
    ok, state = wait_until(settled, done, RUN_ALL_TIMEOUT, interval=1)
    assert ok, f"{name}: still running after {RUN_ALL_TIMEOUT} s: {state}"
    return state[1]


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
