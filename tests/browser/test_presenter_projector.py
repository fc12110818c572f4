"""The presenter (`lessons present`) on a projector, in headless Chromium.

At 1280×720 — a common projector — the events table's text must be at least 14 px and every
chart inside the window; zoomed to 150 % and 200 % (the window narrows to 853 and 640 CSS
pixels, as a browser's zoom does) no chart or legend may be cut. A search that matches nothing
empties the chart and says so; no developer's note sits on top; the controls have names and
a focus ring that shows. `lessons present --events FILE` shows the teacher's rows.
Screenshots go to test-artifacts/screenshots/presenter_*.png.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

import pytest
from browser_helpers import (
    CHARTS_JS,
    ROOT,
    chart_problems,
    free_port,
    log_tail,
    start_process,
    stop_process,
    tall_screenshot,
    wait_for_port,
    wait_until,
)

PAGE_TIMEOUT = 180  # Voilà runs the notebook before the page is complete
RENDER_TIMEOUT = 90
CHANGE_TIMEOUT = 30
N_CHARTS = 3  # timeline, Syria map, Libya map
MIN_TABLE_PX = 14
# A browser zoomed to 150 % or 200 % on a 1280×720 screen lays the page out in this many
# CSS pixels; the charts must follow when the zoom changes after the page loaded.
ZOOMS = {"100": (1280, 720), "150": (853, 480), "200": (640, 360)}
TEACHER_TITLE = "A row only the teacher's file holds"

# Every chart's box, its legends' boxes and the window's width, in CSS pixels.
GEOMETRY_JS = """() => ({
  width: document.documentElement.clientWidth,
  charts: [...document.querySelectorAll('.vega-embed')].map((embed) => {
    const svg = [...embed.querySelectorAll('svg, canvas')].find((x) => !x.closest('details'));
    const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
    return {
      embed: box(embed),
      picture: svg ? box(svg) : null,
      legends: [...embed.querySelectorAll('.role-legend')].map(box),
      title: (embed.querySelector('.role-title-text') || {}).textContent || '',
    };
  }),
})"""
TABLE_FONTS_JS = """() => [...document.querySelectorAll(
  'table.lessons-events caption, table.lessons-events th, table.lessons-events td,'
  + ' table.lessons-events .lessons-summary'
)].map((el) => parseFloat(getComputedStyle(el).fontSize))"""
# Axis and legend text of the charts (the presenter's theme: 14 px, titles 18 px).
CHART_TEXT_JS = """() => [...document.querySelectorAll(
  '.vega-embed .role-axis-label text, .vega-embed .role-legend-label text'
)].map((el) => parseFloat(el.getAttribute('font-size') || getComputedStyle(el).fontSize))"""
FOCUS_JS = """(selector) => {
  const el = document.querySelector(selector);
  el.focus();
  const style = getComputedStyle(el);
  return {focused: document.activeElement === el, style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), colour: style.outlineColor};
}"""
BODY_TEXT_JS = "() => document.body.innerText"


def isolated_env(base: Path, **extra: str) -> dict[str, str]:
    for folder in ("config", "runtime"):
        (base / folder).mkdir(exist_ok=True)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("LESSONS_EVENTS", None)  # only a test's own --events may name a file
    return env


def start_presenter(base: Path, *args: str):
    port = free_port()
    log = base / "voila.log"
    cmd = [sys.executable, "-m", "lessons", "present", "--port", str(port), "--no-browser", *args]
    proc = start_process(cmd, log, env=isolated_env(base), cwd=ROOT)
    wait_for_port(port, proc, log, "lessons present (Voilà)")
    return proc, f"http://127.0.0.1:{port}/", log


@pytest.fixture(scope="module")
def presenter(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("voila-projector")
    proc, url, log = start_presenter(base)
    try:
        yield url, log
    finally:
        stop_process(proc)


def open_presenter(page, url: str, log: Path, size: tuple[int, int]) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url, timeout=PAGE_TIMEOUT * 1000)
    ok, charts = wait_until(
        lambda: page.evaluate(CHARTS_JS),
        lambda cs: len(cs) >= N_CHARTS and not chart_problems(cs),
        RENDER_TIMEOUT,
        interval=1,
    )
    assert ok, f"presenter: {len(charts)} charts, {chart_problems(charts)}\n{log_tail(log)}"


def cut_parts(geometry: dict) -> list[str]:
    """Charts, pictures or legends that reach past their box or the window's right edge."""
    width, problems = geometry["width"], []
    for number, chart in enumerate(geometry["charts"], 1):
        edge = min(width, chart["embed"][1]) + 1  # one pixel of rounding
        parts = [("chart", chart["picture"])] if chart["picture"] else []
        parts += [("legend", legend) for legend in chart["legends"]]
        for what, (left, right) in parts:
            if left < -1 or right > edge:
                problems.append(
                    f"chart {number} ({chart['title']!r}): {what} spans {left:.0f}–{right:.0f} px"
                    f", the window is {width} px wide"
                )
    return problems


def settle(page, what) -> dict:
    """The geometry once the charts have re-laid out (two equal readings in a row)."""
    last: list[dict] = [{}]

    def probe() -> dict:
        now = page.evaluate(GEOMETRY_JS)
        same, last[0] = now == last[0], now
        return {"same": same, **now}

    ok, geometry = wait_until(probe, lambda g: g["same"] and not cut_parts(g), CHANGE_TIMEOUT, 1)
    assert ok, f"{what}: {cut_parts(geometry) or 'charts still moving'}"
    return geometry


def test_presenter_fits_a_projector_and_a_zoomed_browser(page, presenter, screenshots) -> None:
    url, log = presenter
    try:
        open_presenter(page, url, log, ZOOMS["100"])
        fonts = page.evaluate(TABLE_FONTS_JS)
        assert fonts, "presenter: no events table"
        assert min(fonts) >= MIN_TABLE_PX, f"table text {min(fonts)} px at 1280×720"
        chart_text = page.evaluate(CHART_TEXT_JS)
        assert chart_text and min(chart_text) >= MIN_TABLE_PX, f"chart text {set(chart_text)} px"
        geometry = settle(page, "1280×720")
        widths = [c["picture"][1] - c["picture"][0] for c in geometry["charts"]]
        # the charts take the page's width (about 1250 px), not their old fixed 640 or 460
        assert min(widths) > 0.8 * geometry["width"], f"chart widths {widths} at 1280 px"
        page.screenshot(path=str(screenshots / "presenter_1280x720.png"))
        for zoom in ("150", "200"):
            width, height = ZOOMS[zoom]
            page.set_viewport_size({"width": width, "height": height})
            geometry = settle(page, f"zoomed to {zoom} % ({width} px)")
            assert all(c["legends"] for c in geometry["charts"][:1]), "the timeline lost its legend"
            assert min(page.evaluate(TABLE_FONTS_JS)) >= MIN_TABLE_PX
            page.screenshot(path=str(screenshots / f"presenter_zoom{zoom}.png"))
        assert not page.errors, f"presenter: JavaScript errors: {page.errors}"
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
        tall_screenshot(page, screenshots / "presenter_1280_full.png", width=1280)


def test_presenter_has_no_developer_note_and_named_controls(page, presenter) -> None:
    url, log = presenter
    open_presenter(page, url, log, ZOOMS["100"])
    text = page.evaluate(BODY_TEXT_JS)
    first = text.strip().splitlines()[0]
    assert first.startswith("Russia and Turkey, 1992–2026"), f"the page opens with {first!r}"
    for note in ("lessons present", "Voilà", "presenter view", "Classroom explorer"):
        assert note not in text, f"developer note on the page: {note!r}"
    assert page.title() == "Russia and Turkey: classroom explorer"
    handles = page.locator(".noUi-handle[role='slider']")
    ok, names = wait_until(
        lambda: [handles.nth(i).get_attribute("aria-label") for i in range(handles.count())],
        lambda ns: bool(ns) and all(ns),
        CHANGE_TIMEOUT,
    )
    assert ok, f"slider handles without a name: {names}"
    assert names[:2] == ["Years from", "Years to"]
    for role, name in (("textbox", "Search"), ("listbox", "Themes"), ("button", "All themes")):
        assert page.get_by_role(role, name=name).count() == 1, f"no {role} named {name!r}"
    for selector in (".widget-text input", ".noUi-handle", ".widget-button", "select"):
        ring = page.evaluate(FOCUS_JS, selector)
        assert ring["focused"], selector
        assert ring["style"] == "solid" and ring["width"] >= 2, f"{selector}: faint focus {ring}"
        assert ring["colour"] == "rgb(26, 79, 139)", f"{selector}: focus ring {ring['colour']}"


def test_a_search_that_matches_nothing_empties_the_chart(page, presenter, screenshots) -> None:
    url, log = presenter
    open_presenter(page, url, log, ZOOMS["100"])
    timeline = page.locator(".vega-embed").first
    marks = "(el) => el.querySelectorAll('.mark-symbol path').length"
    assert timeline.evaluate(marks) > 0
    page.locator(".widget-text input").first.fill("qqqq-no-such-word")
    ok, state = wait_until(
        lambda: (timeline.evaluate(marks), page.evaluate(BODY_TEXT_JS)),
        lambda s: s[0] == 0 and "(no events to draw)" in s[1],
        CHANGE_TIMEOUT,
    )
    assert ok, f"the chart still shows {state[0]} events of the earlier search"
    text = state[1]
    assert "No event matches “qqqq-no-such-word” in 1992–2026 and 9 theme(s)." in text
    assert "Check the spelling" in text
    assert "matching event(s)" not in text.split("Where: Syria")[0]
    page.screenshot(path=str(screenshots / "presenter_no_match.png"))
    geometry = page.evaluate(GEOMETRY_JS)
    assert not cut_parts(geometry)


def write_teachers_file(path: Path) -> Path:
    source = ROOT / "data" / "events.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    extra = {**rows[0], "event_id": "2001-01-02-teacher-row", "date": "2001-01-02"}
    rows.append({**extra, "title": TEACHER_TITLE})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_present_events_shows_the_teachers_row(page, tmp_path, screenshots) -> None:
    mine = write_teachers_file(tmp_path / "my_events.csv")
    proc, url, log = start_presenter(tmp_path, "--events", str(mine))
    try:
        open_presenter(page, url, log, ZOOMS["100"])
        text = page.evaluate(BODY_TEXT_JS)
        assert f"Events from your file {mine}" in text
        page.locator(".widget-text input").first.fill("only the teacher")
        ok, text = wait_until(
            lambda: page.evaluate(BODY_TEXT_JS),
            lambda t: "1 matching event(s)" in t and TEACHER_TITLE in t,
            CHANGE_TIMEOUT,
        )
        assert ok, f"the teacher's row is not shown:\n{text[:600]}\n{log_tail(log)}"
        time.sleep(1)
        page.screenshot(path=str(screenshots / "presenter_teachers_file.png"))
    finally:
        stop_process(proc)
