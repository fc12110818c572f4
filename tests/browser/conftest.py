"""Fixtures for the browser tests: a private JupyterLab server and a headless Chromium.

The server serves a temporary *copy* of `notebooks/`, so running the lessons in the browser
never touches the committed notebooks. Its settings and workspaces live in temporary folders
(windowed notebook rendering is switched off so every cell is in the DOM, and the news and
update checks are off); the lab extensions (ipywidgets, anywidget) stay those of `.venv`.

Chromium runs with a fresh profile and may only talk to 127.0.0.1/localhost (or, for static
exports, only read files): every other request is aborted and recorded, so a test can show
that nothing a lesson needs comes from the internet.

Without `/usr/bin/chromium` the browser tests skip, unless `LESSONS_REQUIRE_BROWSER` is set
(CI sets it), in which case they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_helpers import (
    NOTEBOOKS,
    SCREENSHOTS,
    free_port,
    start_process,
    stop_process,
    wait_for_http,
)

CHROMIUM = Path(os.environ.get("LESSONS_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = bool(os.environ.get("LESSONS_REQUIRE_BROWSER"))
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


def browser_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (install the Debian package 'chromium')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    reason = browser_missing_reason()
    if reason is None:
        return
    if REQUIRE_BROWSER:
        pytest.fail(f"LESSONS_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; set LESSONS_REQUIRE_BROWSER=1 to fail instead")


# --- JupyterLab -----------------------------------------------------------------------------


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


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings"
    for name, value in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value), encoding="utf-8")
    for folder in ("workspaces", "config", "runtime"):
        (base / folder).mkdir()
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        # the user's own ~/.jupyter config must not change the test; .venv/etc/jupyter
        # (server extensions) and .venv/share/jupyter (lab extensions) stay on the paths
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONUNBUFFERED": "1",
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


@pytest.fixture(scope="session")
def _context(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    network = Network()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            service_workers="block",  # every request goes through the route below
        )
        context.set_default_timeout(30_000)
        context.route("**/*", network.handle)
        try:
            yield context, network
        finally:
            context.close()


@pytest.fixture
def network(_context) -> Network:
    """The network policy for this test (localhost allowed); aborted URLs start empty."""
    net = _context[1]
    net.allow_local = True
    net.aborted.clear()
    net.aborted_typed.clear()
    return net


@pytest.fixture
def page(_context, network):
    """A fresh tab; closed after the test. Page errors are collected in `page.errors`."""
    pg = _context[0].new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda error: errors.append(str(error)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    pg.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
