"""The two ways to show lessons without JupyterLab, checked in headless Chromium.

`python -m lessons present --port P --no-browser` serves the classroom explorer with Voilà:
it must render its charts and widgets and follow a filter. `python -m lessons export OUT`
writes every lesson as HTML, with a course index and its JavaScript beside it: each page must
render its charts from file:// with every network request blocked (the honesty, size and
accessibility of the pages are checked on two lessons in test_export_static.py).
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from browser_helpers import (
    CHARTS_JS,
    NOTEBOOKS,
    ROOT,
    XSS_TITLE,
    chart_problems,
    expected_charts,
    failure_texts,
    free_port,
    log_tail,
    start_process,
    stop_process,
    stored_widget_views,
    tall_screenshot,
    wait_for_port,
    wait_until,
    write_hostile_events,
    write_notebook,
)

LESSONS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
PRESENTER_CHARTS = 3  # timeline, Syria map, Libya map
PAGE_TIMEOUT = 180  # Voilà runs the notebook before the page is complete
RENDER_TIMEOUT = 90
CHANGE_TIMEOUT = 30
EXPORT_TIMEOUT = 1200  # executes all ten lessons
# Requests that may fail offline without losing anything a lesson needs: Voilà's lab
# template links Font Awesome's CSS from a CDN (icons only).
COSMETIC_TYPES = {"stylesheet", "font", "image"}
BODY_TEXT_JS = "() => document.body.innerText"
STDERR_JS = """() => [...document.querySelectorAll(
  '[data-mime-type="application/vnd.jupyter.stderr"], .output_stderr, .jp-RenderedText.output_error'
)].map((el) => el.textContent.slice(0, 1500))"""


def isolated_env(base: Path) -> dict[str, str]:
    """The user's ~/.jupyter config and runtime files stay out of the test."""
    for folder in ("config", "runtime"):
        (base / folder).mkdir(exist_ok=True)
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONUNBUFFERED": "1",
    }


# --- Voilà presenter ------------------------------------------------------------------------


def present_command(port: int) -> list[str]:
    return [sys.executable, "-m", "lessons", "present", "--port", str(port), "--no-browser"]


@pytest.fixture(scope="module")
def presenter(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("voila")
    port = free_port()
    log = base / "voila.log"
    proc = start_process(present_command(port), log, env=isolated_env(base), cwd=ROOT)
    try:
        wait_for_port(port, proc, log, "lessons present (Voilà)")
        yield f"http://127.0.0.1:{port}/", log
    finally:
        stop_process(proc)


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_presenter_renders_and_follows_a_filter(page, network, presenter, screenshots) -> None:
    url, log = presenter
    try:
        page.goto(url, timeout=PAGE_TIMEOUT * 1000)
        ok, charts = wait_until(
            lambda: page.evaluate(CHARTS_JS),
            lambda cs: len(cs) >= PRESENTER_CHARTS and not chart_problems(cs),
            RENDER_TIMEOUT,
            interval=1,
        )
        assert ok, (
            f"presenter: {len(charts)} charts, problems {chart_problems(charts)}\n"
            f"Voilà log tail:\n{log_tail(log)}"
        )
        text = page.evaluate(BODY_TEXT_JS)
        assert not failure_texts(text), f"presenter: failure text {failure_texts(text)}"
        assert "Traceback" not in text, "presenter: a traceback is shown"
        assert not page.evaluate(STDERR_JS), page.evaluate(STDERR_JS)
        assert page.locator(".jupyter-widgets").count() > 0, "presenter: no widgets rendered"
        for control in (".widget-slider", ".widget-text input", ".widget-select-multiple"):
            assert page.locator(control).count(), f"presenter: no {control} control"

        # type a word into the timeline's search: its chart and table follow
        chart = page.locator(".vega-embed").first
        table = page.locator(".widget-html-content", has=page.locator("table")).first
        before = chart.evaluate("(el) => el.querySelector('svg').innerHTML"), table.inner_text()
        page.locator(".widget-text input").first.fill("Idlib")
        changed, after = wait_until(
            lambda: (
                chart.evaluate("(el) => el.querySelector('svg').innerHTML"),
                table.inner_text(),
            ),
            lambda now: now[0] != before[0] and now[1] != before[1],
            CHANGE_TIMEOUT,
        )
        assert changed, "presenter: the search did not change both the chart and the table"
        assert "Idlib" in after[1]
        assert re.search(r"\d+ matching event", after[1])
        assert not chart_problems(page.evaluate(CHARTS_JS))

        needed = [
            f"{kind} {url}" for kind, url in network.aborted_typed if kind not in COSMETIC_TYPES
        ]
        assert not needed, f"presenter needs the internet for: {needed}"
        if network.aborted:
            warnings.warn(
                f"lessons present: requests to the internet (blocked; cosmetic): {network.aborted}",
                stacklevel=1,
            )
        assert not page.errors, f"presenter: JavaScript errors: {page.errors}"
    finally:
        tall_screenshot(page, screenshots / "voila_presenter.png")


def test_present_stops_when_terminated(tmp_path: Path) -> None:
    """Terminating `lessons present` (as a process manager or a test would) stops Voilà."""
    port = free_port()
    log = tmp_path / "voila.log"
    proc = start_process(present_command(port), log, env=isolated_env(tmp_path), cwd=ROOT)
    try:
        wait_for_port(port, proc, log, "lessons present (Voilà)")
        proc.terminate()
        proc.wait(timeout=30)
        stopped, _ = wait_until(lambda: port_closed(port), bool, 10)
        assert stopped, (
            f"Voilà still serves port {port} 10 s after `lessons present` was terminated "
            "(the child server outlives the command)"
        )
    finally:
        stop_process(proc)


# --- static export --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("export")
    out = base / "site"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lessons", "export", str(out)],
            cwd=ROOT,
            env=isolated_env(base),
            capture_output=True,
            text=True,
            timeout=EXPORT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"lessons export took longer than {EXPORT_TIMEOUT} s: {error}", pytrace=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        pytest.fail(f"lessons export failed ({result.returncode}):\n{tail}", pytrace=False)
    return out


def test_export_writes_every_lesson_with_its_javascript(exported: Path) -> None:
    pages = sorted(p.stem for p in exported.glob("*.html"))
    assert pages == sorted([*LESSONS, "index"])
    index = (exported / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<h2><a href="([^"]+)\.html">', index) == LESSONS
    for lesson in LESSONS:
        html = (exported / f"{lesson}.html").read_text(encoding="utf-8")
        sources = re.findall(r"<script[^>]+src=[\"']([^\"']+)[\"']", html)
        assert sources, f"{lesson}.html loads no JavaScript files"
        files = sources + re.findall(r"<(?:link|img)[^>]+(?:href|src)=\"([^\"#]+)\"", html)
        files = [f for f in files if not f.startswith("data:")]
        remote = [s for s in files if re.match(r"(https?:)?//", s)]
        assert not remote, f"{lesson}.html loads files from the internet: {remote}"
        missing = [s for s in files if not (exported / s.split("?")[0]).is_file()]
        assert not missing, f"{lesson}.html needs files that are not beside it: {missing}"
    # one copy of the chart code for all pages, not one per chart
    assert len(list(exported.glob("lessons-charts-*.js"))) == 1


@pytest.mark.parametrize("lesson", LESSONS)
def test_export_renders_offline(page, network, exported, screenshots, lesson) -> None:
    network.allow_local = False  # file:// only: nothing from any server, not even localhost
    n_charts = expected_charts(stored_widget_views(NOTEBOOKS / f"{lesson}.ipynb"))
    try:
        page.goto((exported / f"{lesson}.html").as_uri())
        ok, charts = wait_until(
            lambda: page.evaluate(CHARTS_JS),
            lambda cs: len(cs) >= n_charts and not chart_problems(cs),
            RENDER_TIMEOUT,
            interval=1,
        )
        assert ok, f"{lesson}: {len(charts)} of {n_charts} charts, {chart_problems(charts)}"
        assert len(charts) == n_charts, f"{lesson}: {len(charts)} charts, expected {n_charts}"
        text = page.evaluate(BODY_TEXT_JS)
        assert not failure_texts(text), f"{lesson}: failure text {failure_texts(text)}"
        assert "Traceback" not in text, f"{lesson}: a traceback is shown"
        if n_charts:
            assert page.locator(".jupyter-widgets").count() > 0, f"{lesson}: no live widgets"
        assert not network.aborted, f"{lesson}: requests beyond file://: {network.aborted}"
        assert not page.errors, f"{lesson}: JavaScript errors: {page.errors}"
    finally:
        time.sleep(0.5)
        tall_screenshot(page, screenshots / f"export_{lesson}.png")


def test_export_shows_hostile_event_text_as_text(page, network, tmp_path, screenshots) -> None:
    """A title carrying markup is shown literally in the exported page, live and as fallback."""
    from lessons.export import export_lessons

    events_csv = tmp_path / "events_xss.csv"
    write_hostile_events(events_csv)
    lesson = tmp_path / "00_xss.ipynb"
    write_notebook(
        lesson,
        [
            "import lessons\nfrom lessons import widgets\nstatus = lessons.setup()\n"
            f"events = lessons.load_events(path={str(events_csv)!r})\n"
            "explorer = widgets.timeline_explorer(events)\n"
            "explorer.controls['search'].value = '__xss'\nexplorer"
        ],
    )
    out = tmp_path / "site"
    export_lessons([lesson], out, progress=lambda _line: None)
    network.allow_local = False
    try:
        page.goto((out / "00_xss.html").as_uri())
        ok, _charts = wait_until(
            lambda: page.evaluate(CHARTS_JS), lambda cs: len(cs) >= 1, RENDER_TIMEOUT, interval=1
        )
        assert ok, "the exported explorer's chart did not render"
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        assert XSS_TITLE in page.evaluate(BODY_TEXT_JS)
        # the markup travels inside the widget-state JSON (inert) and must never become elements
        assert page.locator("img[src='x']").count() == 0
        assert page.evaluate("() => typeof window.__xss") == "undefined"
    finally:
        tall_screenshot(page, screenshots / "export_xss_check.png")
