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

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    CHROMIUM,
    NOTEBOOKS,
    SCREENSHOTS,
    LabServer,
    Network,
    launch_chromium,
    running_lab,
)

REQUIRE_BROWSER = bool(os.environ.get("LESSONS_REQUIRE_BROWSER"))


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


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with running_lab(base, root) as server:
        yield server


# --- Chromium -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _context(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    network = Network()
    with sync_playwright() as playwright:
        context = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"), network)
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
