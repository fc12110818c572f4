"""Every lesson, run in a real JupyterLab in headless Chromium, as a teacher would.

For each lesson: open it, clear the stored outputs, Run → Run All Cells, wait for the kernel,
then check that every code cell ran, nothing went to stderr, every widget and chart rendered
(as many charts as the stored notebook shows), no request left the machine, and that each
explorer answers a change of one of its controls with a new chart (or new text). A full-page
screenshot of each lesson goes to test-artifacts/screenshots/<lesson>.png.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from browser_helpers import (
    CHARTS_JS,
    FALLBACK_TEXTS,
    NOTEBOOKS,
    SCROLL_HEIGHT_JS,
    SCROLL_TOP_JS,
    XSS_TITLE,
    chart_problems,
    expected_charts,
    explorer_controls,
    failure_texts,
    open_notebook,
    run_all,
    stored_widget_views,
    tall_screenshot,
    wait_until,
    write_hostile_events,
    write_notebook,
)

LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
RENDER_TIMEOUT = 60
CHANGE_TIMEOUT = 30

OUTPUTS_JS = """() => {
  const all = [...document.querySelectorAll('.jp-OutputArea-output')];
  return {
    stderr: all.filter((el) => el.dataset.mimeType === 'application/vnd.jupyter.stderr')
      .map((el) => el.textContent.slice(0, 1500)),
    plain: all.filter((el) => el.dataset.mimeType === 'text/plain')
      .map((el) => el.textContent.slice(0, 300)),
    widgets: all.filter((el) => !el.dataset.mimeType).map((el) => ({
      children: el.children.length,
      jupyterWidgets: el.querySelectorAll('.jupyter-widgets, .vega-embed').length,
      text: el.textContent.slice(0, 300),
    })),
    notebookText: document.querySelector('.jp-NotebookPanel .jp-Notebook').innerText,
  };
}"""
EXPLORERS = ".jp-OutputArea-output:not([data-mime-type]) > .widget-vbox.lessons-explorer"
SNAPSHOT_JS = """(el) => {
  const chart = el.querySelector('.vega-embed .chart-wrapper svg, .vega-embed canvas');
  const html = [...el.querySelectorAll('.widget-html-content')].map((h) => h.innerHTML);
  return {
    chart: chart ? (chart.tagName === 'svg' ? chart.innerHTML : chart.toDataURL()) : null,
    html: html.join('\\n'),
  };
}"""


# --- what the stored notebook shows ---------------------------------------------------------


def code_cells(notebook: Path) -> int:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return sum(cell["cell_type"] == "code" for cell in nb["cells"])


def test_stored_notebooks_have_charts() -> None:
    """The chart count used below is meaningful: most lessons show charts."""
    counts = {name: expected_charts(stored_widget_views(NOTEBOOKS / name)) for name in LESSONS}
    assert len(LESSONS) >= 10
    assert sum(c > 0 for c in counts.values()) >= 9, counts


# --- driving JupyterLab ---------------------------------------------------------------------


def full_page_screenshot(page, path: Path) -> None:
    """The whole lesson in one picture: the window as tall as the notebook, scrolled to top."""
    page.evaluate(SCROLL_TOP_JS)
    tall_screenshot(page, path, SCROLL_HEIGHT_JS)


# --- explorer interactions ------------------------------------------------------------------


def change_one_control(page, explorer) -> str:
    """Change one control of an explorer like a learner would; return what was done."""
    dropdown = explorer.locator(".widget-dropdown select")
    if dropdown.count():
        select = dropdown.first
        options = select.locator("option").all_text_contents()
        current = select.evaluate("(el) => el.options[el.selectedIndex].text")
        other = next(o for o in options if o != current)
        select.select_option(label=other)
        return f"dropdown {current!r} -> {other!r}"
    toggles = explorer.locator(".widget-toggle-buttons button:not(.mod-active)")
    if toggles.count():
        button = toggles.first
        label = button.inner_text()
        button.click()
        return f"toggle button {label!r}"
    text = explorer.locator(".widget-text input[type=text]")
    if text.count():
        text.first.fill("gas")
        text.first.press("Enter")
        return "search 'gas'"
    handle = explorer.locator(".widget-slider .noUi-handle")
    if handle.count():
        handle.first.focus()
        for _ in range(3):
            handle.first.press("ArrowRight")
        return "slider +3 steps"
    pytest.fail("explorer has no dropdown, toggle, text box or slider to change")


def check_explorers(page, name: str) -> list[str]:
    done = []
    explorers = page.locator(EXPLORERS)
    for i in range(explorers.count()):
        explorer = explorers.nth(i)
        explorer.scroll_into_view_if_needed()
        before = explorer.evaluate(SNAPSHOT_JS)
        action = change_one_control(page, explorer)
        key = "chart" if before["chart"] is not None else "html"
        changed, _ = wait_until(
            lambda explorer=explorer: explorer.evaluate(SNAPSHOT_JS),
            lambda snap, key=key, before=before: snap[key] is not None and snap[key] != before[key],
            CHANGE_TIMEOUT,
        )
        assert changed, f"{name}: explorer {i + 1}: {action} did not change its {key}"
        problems = chart_problems(explorer.evaluate(CHARTS_JS))
        assert not problems, f"{name}: explorer {i + 1} after {action}: {problems}"
        done.append(f"explorer {i + 1}: {action} changed its {key}")
    return done


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_and_renders(page, network, lab_server, screenshots, lesson) -> None:
    notebook = lab_server.root / lesson  # the copy the server runs
    views = stored_widget_views(notebook)
    n_charts = expected_charts(views)
    n_explorers = sum(explorer_controls(v) is not None for v in views)
    try:
        open_notebook(page, lab_server, lesson)
        prompts = run_all(page, lesson)

        # every code cell ran (Run All stops at the first exception)
        not_run = [i for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
        assert len(prompts) == code_cells(notebook)
        assert not not_run, f"{lesson}: code cells {not_run} did not run; prompts {prompts}"

        # charts and widgets: wait for the front end to render what the kernel sent
        def rendered():
            return page.evaluate(OUTPUTS_JS), page.evaluate(CHARTS_JS)

        def complete(state) -> bool:
            outputs, charts = state
            return (
                len(outputs["widgets"]) >= len(views)
                and len(charts) >= n_charts
                and not chart_problems(charts)
                and not failure_texts(outputs["notebookText"])
            )

        _ok, (outputs, charts) = wait_until(rendered, complete, RENDER_TIMEOUT, interval=1)

        errors = [t for t in outputs["stderr"] if "Traceback" in t or "Error" in t]
        assert not errors, f"{lesson}: error output:\n" + "\n---\n".join(errors)
        assert not outputs["stderr"], f"{lesson}: output on stderr: {outputs['stderr']}"
        fallbacks = [t for t in outputs["plain"] if any(f in t for f in FALLBACK_TEXTS)]
        assert not fallbacks, f"{lesson}: widgets shown as text, not rendered: {fallbacks}"
        assert not failure_texts(outputs["notebookText"]), (
            f"{lesson}: failure text on the page: {failure_texts(outputs['notebookText'])}"
        )
        assert len(outputs["widgets"]) == len(views), (
            f"{lesson}: {len(outputs['widgets'])} widget outputs rendered, "
            f"the stored notebook has {len(views)}"
        )
        empty = [w["text"] for w in outputs["widgets"] if not w["jupyterWidgets"]]
        assert not empty, f"{lesson}: widget outputs without a rendered widget: {empty}"
        assert len(charts) == n_charts, (
            f"{lesson}: {len(charts)} charts rendered, the stored notebook shows {n_charts}"
        )
        assert not chart_problems(charts), f"{lesson}: {chart_problems(charts)}"

        # each explorer reacts to its controls
        assert page.locator(EXPLORERS).count() == n_explorers
        check_explorers(page, lesson)

        assert not network.aborted, f"{lesson}: requests to the internet: {network.aborted}"
        assert not page.errors, f"{lesson}: JavaScript errors: {page.errors}"
    finally:
        full_page_screenshot(page, screenshots / f"{Path(lesson).stem}.png")
        lab_server.shutdown_kernels(lesson)


# --- HTML escaping ---------------------------------------------------------------------------

XSS_NOTEBOOK = "xss_check.ipynb"


def test_event_text_is_escaped_in_the_browser(page, network, lab_server, screenshots) -> None:
    csv_path = lab_server.root / "events_xss.csv"
    write_hostile_events(csv_path)
    write_notebook(
        lab_server.root / XSS_NOTEBOOK,
        [
            "import lessons\nfrom lessons import widgets\n\nlessons.setup()",
            f"events = lessons.load_events(path={str(csv_path)!r})\n"
            "widgets.timeline_explorer(events)",
        ],
    )
    try:
        open_notebook(page, lab_server, XSS_NOTEBOOK)
        prompts = run_all(page, XSS_NOTEBOOK)
        assert prompts == ["[1]:", "[2]:"], prompts
        search = page.locator(f"{EXPLORERS} .widget-text input[type=text]")
        search.wait_for(timeout=RENDER_TIMEOUT * 1000)
        search.fill("__xss")
        search.press("Enter")
        # the explorer's text output (it also holds a hidden style block, another HTML widget)
        table = page.locator(f"{EXPLORERS} .widget-html-content", has=page.locator("table"))
        filtered, caption = wait_until(
            lambda: table.inner_text(), lambda t: "1 matching event(s)" in t, CHANGE_TIMEOUT
        )
        assert filtered, f"the search did not narrow the table to the event: {caption[:300]!r}"
        time.sleep(1)  # an injected onerror handler would have fired by now
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        title = page.locator(f"{EXPLORERS} .widget-html-content strong")
        assert title.inner_text() == XSS_TITLE
        assert title.is_visible()
        assert page.locator(f"{EXPLORERS} .widget-html-content img").count() == 0
        assert not chart_problems(page.evaluate(CHARTS_JS))

        # the chart's tooltip shows the title as text too
        page.locator(f"{EXPLORERS} .vega-embed .mark-symbol path").first.hover()
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=CHANGE_TIMEOUT * 1000)
        assert XSS_TITLE in tooltip.inner_text()
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        assert not network.aborted, network.aborted
    finally:
        full_page_screenshot(page, screenshots / "xss_check.png")
        lab_server.shutdown_kernels(XSS_NOTEBOOK)


# --- an exercise answered in the browser, as a learner would ----------------------------------

EXERCISE_LESSON = "08_measuring_a_relationship.ipynb"


def test_an_exercise_is_answered_in_its_box(page, network, lab_server, screenshots) -> None:
    """Type a wrong number, press Check, get the targeted message; then a hint; then the answer."""
    try:
        open_notebook(page, lab_server, EXERCISE_LESSON)
        run_all(page, EXERCISE_LESSON)
        box = page.locator(".lessons-ask", has_text="Exercise 08.2")
        box.wait_for(timeout=RENDER_TIMEOUT * 1000)
        box.scroll_into_view_if_needed()
        show = box.get_by_role("button", name="Show answer")
        assert show.is_disabled(), "the answer must not be available before a first try"
        box.locator("input[type=text]").first.fill("3.5")
        box.get_by_role("button", name="Check").click()
        status = box.locator("[role=status]")
        said, text = wait_until(
            lambda: status.inner_text(), lambda t: "root 05" in t, CHANGE_TIMEOUT
        )
        assert said, f"no targeted feedback for 3.5: {text!r}"
        box.get_by_role("button", name="Hint").click()
        hinted, text = wait_until(lambda: box.inner_text(), lambda t: "Hint" in t, CHANGE_TIMEOUT)
        assert hinted, text
        show.click()
        revealed, text = wait_until(
            lambda: status.inner_text(), lambda t: "Answer" in t and "8" in t, CHANGE_TIMEOUT
        )
        assert revealed, f"Show answer did not show the answer: {text!r}"
        assert "Correct" not in text
        assert not network.aborted, network.aborted
        assert not page.errors, page.errors
    finally:
        full_page_screenshot(page, screenshots / "exercise_in_box.png")
        lab_server.shutdown_kernels(EXERCISE_LESSON)
