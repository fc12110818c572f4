"""See a lesson as a learner does: run it in a private JupyterLab and screenshot it page by page.

    .venv/bin/python tools/screenshot_lesson.py notebooks/05_syria_and_idlib.ipynb /tmp/shots/05
    .venv/bin/python tools/screenshot_lesson.py notebooks/05_syria_and_idlib.ipynb OUT --no-run

Copies the notebook (and `data/`, beside it, as in the project) into a temporary folder, starts
JupyterLab there on a free loopback port and Debian's Chromium (headless, via Playwright; every
request that is not to 127.0.0.1 is blocked), opens the notebook, clears the stored outputs and
runs all cells (unless --no-run: then it shows the stored outputs, as an unrun notebook looks),
waits for the kernel to be idle and for the charts to render, and writes 1400×900 screenshots,
scrolling down the notebook: OUT/page-000.png, page-001.png, … Their paths are printed, with
what was seen on the way (JupyterLab's "modified" mark after opening, errors, unrendered charts).
Everything it started is stopped, also on error or Ctrl+C. The notebook in the project is never
touched. Exit code 0 when the screenshots were written, 1 otherwise.

The JupyterLab set-up, Chromium's flags and the notebook driving are those of the browser tests
(tests/browser/browser_helpers.py), so what you see here is what they check.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import pytest  # noqa: E402  (browser_helpers report a failure with pytest.fail)
from browser_helpers import (  # noqa: E402
    CHARTS_JS,
    CHROMIUM,
    NOTEBOOK_SCROLLER,
    SCROLL_TOP_JS,
    Network,
    chart_problems,
    expected_charts,
    failure_texts,
    launch_chromium,
    open_notebook,
    run_all,
    running_lab,
    stored_widget_views,
    wait_until,
)

WIDTH, HEIGHT = 1400, 900
RENDER_TIMEOUT = 60  # seconds for the charts to appear after the kernel is idle
OVERLAP = 60  # pixels each page repeats from the previous one, so nothing falls between
MAX_PAGES = 200
DIRTY_JS = """() => {
  const tab = document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
  return !!(tab && tab.classList.contains('jp-mod-dirty'));
}"""
SCROLL_JS = """([selector, top]) => {
  const outer = document.querySelector(selector);
  if (!outer) return {top: 0, max: 0};
  outer.scrollTop = top;
  return {top: outer.scrollTop, max: outer.scrollHeight - outer.clientHeight};
}"""
PAGE_TEXT_JS = """() => {
  const nb = document.querySelector('.jp-NotebookPanel .jp-Notebook');
  return nb ? nb.innerText : '';
}"""
STDERR_JS = """() => [...document.querySelectorAll(
  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
)].map((el) => el.textContent.slice(0, 300))"""


def say(message: str) -> None:
    print(message, flush=True)


def prepare(notebook: Path, base: Path) -> Path:
    """A copy of the notebook in base/notebooks, with the project's data in base/data."""
    root = base / "notebooks"
    root.mkdir()
    shutil.copy2(notebook, root / notebook.name)
    if (ROOT / "data").is_dir():
        shutil.copytree(ROOT / "data", base / "data")
    return root


def hide_side_panels(page) -> None:
    """Close the left and right side bars, so the notebook gets the whole width."""
    for side in ("left", "right"):
        tab = page.locator(f".jp-SideBar.jp-mod-{side} .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()  # clicking the open panel's tab closes the panel
    time.sleep(0.5)


def wait_for_charts(page, expected: int) -> list[str]:
    """Wait until `expected` charts are drawn (or the timeout); return what is wrong."""

    def state():
        return page.evaluate(CHARTS_JS), page.evaluate(PAGE_TEXT_JS)

    def complete(s) -> bool:
        charts, text = s
        return len(charts) >= expected and not chart_problems(charts) and not failure_texts(text)

    _ok, (charts, text) = wait_until(state, complete, RENDER_TIMEOUT, interval=1)
    problems = chart_problems(charts) + [f"on the page: {t!r}" for t in failure_texts(text)]
    if len(charts) < expected:
        problems.append(f"{len(charts)} charts drawn, the stored notebook shows {expected}")
    return problems


def shoot_pages(page, out: Path) -> list[Path]:
    """Screenshots of the window, scrolling the notebook down by a window at a time."""
    page.evaluate(SCROLL_TOP_JS)
    time.sleep(0.5)
    first = page.evaluate(SCROLL_JS, [NOTEBOOK_SCROLLER, 0])
    step = max(200, page.evaluate(
        f"() => (document.querySelector('{NOTEBOOK_SCROLLER}') || {{clientHeight: 800}})"
        ".clientHeight"
    ) - OVERLAP)  # fmt: skip
    paths = []
    top = 0
    maximum = first["max"]
    for number in range(MAX_PAGES):
        where = page.evaluate(SCROLL_JS, [NOTEBOOK_SCROLLER, top])
        time.sleep(0.4)  # charts that come into view lay themselves out
        path = out / f"page-{number:03d}.png"
        page.screenshot(path=str(path))
        paths.append(path)
        maximum = where["max"]
        if where["top"] >= maximum:
            break
        top += step
    return paths


def screenshot_lesson(notebook: Path, out: Path, run: bool) -> int:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        say(f"error: Chromium not found at {CHROMIUM} (Debian package 'chromium')")
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    expected = expected_charts(stored_widget_views(notebook))
    with tempfile.TemporaryDirectory(prefix="screenshot-lesson-") as tmp:
        base = Path(tmp)
        root = prepare(notebook, base)
        network = Network()
        try:
            with running_lab(base, root) as lab, sync_playwright() as playwright:
                context = launch_chromium(playwright, base / "chromium-profile", network, HEIGHT)
                try:
                    page = context.new_page()
                    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
                    errors: list[str] = []
                    page.on("pageerror", lambda error: errors.append(str(error)))
                    say(f"opening {notebook.name} in JupyterLab ({lab.url}) …")
                    open_notebook(page, lab, notebook.name)
                    hide_side_panels(page)
                    time.sleep(2)  # JupyterLab may rewrite the model just after loading
                    dirty = page.evaluate(DIRTY_JS)
                    say(
                        "modified mark after opening: "
                        + (
                            "YES (JupyterLab changed the notebook on load: usually the kernel's"
                            " language_info, which the stored notebook lacks)"
                            if dirty
                            else "no"
                        )
                    )
                    if run:
                        say("running all cells …")
                        prompts = run_all(page, notebook.name)
                        not_run = [p for p in prompts if not p.startswith("[") or p == "[ ]:"]
                        if not_run:
                            say(f"warning: {len(not_run)} code cells did not run (an error?)")
                        for problem in wait_for_charts(page, expected):
                            say(f"warning: {problem}")
                        time.sleep(3)  # explorers redraw their first chart once shown
                        for text in page.evaluate(STDERR_JS):
                            say(f"warning: output on stderr: {text[:200]!r}")
                    else:
                        time.sleep(3)
                    for error in errors:
                        say(f"warning: JavaScript error: {error[:200]}")
                    if network.aborted:
                        say(f"warning: blocked requests to the internet: {network.aborted[:5]}")
                    paths = shoot_pages(page, out)
                    lab.shutdown_kernels(notebook.name)
                finally:
                    context.close()
        except (AssertionError, pytest.fail.Exception, PlaywrightError) as error:
            say(f"error: {str(error).strip()[:2000]}")
            return 1
    for path in paths:
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebook", type=Path, help="the lesson, e.g. notebooks/00_start_here.ipynb"
    )
    parser.add_argument("outdir", type=Path, help="where page-000.png, page-001.png, … go")
    parser.add_argument(
        "--no-run", action="store_true", help="show the stored outputs; do not run the cells"
    )
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no such notebook: {args.notebook}")
    try:
        return screenshot_lesson(args.notebook.resolve(), args.outdir, run=not args.no_run)
    except KeyboardInterrupt:
        say("interrupted; everything started was stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
