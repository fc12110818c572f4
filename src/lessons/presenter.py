"""The classroom explorer: the course's main explorer, laid out for a projector.

Why a separate view: in class the teacher projects one screen and steers it while learners
call out years, themes and words. The Voilà presenter (`lessons present`) shows only this
widget — no code cells — and it is a plain function so tests can build it without a browser.

Projector-ready: the charts take the page's width (`width="container"`), so a 1280×720
projector or a browser zoomed to 150 % or 200 % never cuts a legend; table text is 16 px and,
after `setup()`, chart text 14 px; the rows of controls wrap instead of running off the page;
every control has a name a screen reader reads out and a focus ring that shows. The events
come from the teacher's own file when one is set (`lessons.settings`), else from the bundled
record; `lessons present --events FILE` names one for a session.

>>> explorer = classroom_explorer()
>>> explorer
<classroom explorer: timeline, syria, libya>
>>> explorer.explorers["timeline"].controls["search"].value = "no-such-word-anywhere"
>>> explorer.explorers["timeline"].chart.chart.to_dict()["title"][:16]
'No event matches'
"""

from __future__ import annotations

import copy
import html
from pathlib import Path

import anywidget
import ipywidgets as w
import pandas as pd

from lessons import data, render, settings, widgets

INTRO = (
    "<h2 style='margin:0'>Russia and Turkey, 1992–2026: partners, rivals, or both?</h2>"
    "<p style='margin:4px 0 8px'>Choose years and themes or type a word; the chart and the"
    " table of sourced events follow. The maps below place the Syrian and Libyan events.</p>"
)
FOCUS_COLOUR = "#1A4F8B"  # 8.3:1 on white, as the exported pages use (WCAG 2.4.7, 1.4.11)

# Scoped to the presenter's own box, so showing it inside JupyterLab changes nothing else.
STYLE = f"""<style>
.lessons-presenter {{
  --jp-widgets-font-size: 16px;
  font-size: 16px;
  max-width: 100%;
}}
.lessons-presenter .widget-hbox {{ flex-wrap: wrap; row-gap: 6px; }}
.lessons-presenter .widget-label, .lessons-presenter .widget-readout {{ font-size: 16px; }}
.lessons-presenter .widget-text {{ width: 420px; max-width: 100%; }}
.lessons-presenter table.lessons-events {{ width: 100%; }}
.lessons-presenter table.lessons-events,
.lessons-presenter table.lessons-events :is(caption, th, td, .lessons-summary) {{
  font-size: 16px !important;
}}
.lessons-presenter .lessons-events :is(th, td) {{
  padding: 4px 8px; text-align: left; vertical-align: top;
}}
.lessons-presenter .vega-embed {{ width: 100%; }}
/* doubled class: ipywidgets' own `outline: none !important` on text inputs is more specific */
.lessons-presenter.lessons-presenter :focus-visible,
.lessons-presenter.lessons-presenter :is(input, select, textarea, button, a, summary):focus-visible,
.lessons-presenter.lessons-presenter .noUi-handle:focus {{
  outline: 3px solid {FOCUS_COLOUR} !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 5px #ffffff;
}}
</style>"""

# Two things the page's own parts do not do, done by a small script in the page (it acts only
# inside `.lessons-presenter`, also on charts and sliders drawn later):
# 1. Names. ipywidgets 8 draws range sliders with noUiSlider and never passes it
#    `handleAttributes`, so each handle is an unnamed role="slider" (noUiSlider issue #1223);
#    vega-embed's "…" menu is an unnamed <summary>. They get names from the labels on screen.
#    This part can go once ipywidgets and vega-embed name them.
# 2. Widths. A chart of `width="container"` measures its box once, then again on each window
#    resize; Voilà draws the charts while the page is still hidden (0 px wide), and a box can
#    change without the window changing. So each chart's box is watched and, when its width
#    changes, the charts are told the window resized.
PAGE_JS = """
function label(handle) {
  const box = handle.closest('.widget-inline-hbox');
  const text = box && box.querySelector(':scope > .widget-label');
  return (text && text.textContent.trim()) || 'Slider';
}
const widths = new WeakMap();
const boxes = new ResizeObserver((entries) => {
  let changed = false;
  for (const entry of entries) {
    const width = Math.round(entry.contentRect.width);
    if (width > 0 && widths.get(entry.target) !== width) changed = true;
    widths.set(entry.target, width);
  }
  if (changed) window.dispatchEvent(new Event('resize'));
});
function tend() {
  for (const root of document.querySelectorAll('.lessons-presenter')) {
    for (const handle of root.querySelectorAll('.noUi-handle[role="slider"]')) {
      const both = handle.parentElement.closest('.noUi-target')
        .querySelectorAll('.noUi-handle').length > 1;
      const end = handle.classList.contains('noUi-handle-upper') ? 'to' : 'from';
      const wanted = both ? `${label(handle)} ${end}` : label(handle);
      if (handle.getAttribute('aria-label') !== wanted) handle.setAttribute('aria-label', wanted);
    }
    for (const menu of root.querySelectorAll('.vega-embed details > summary')) {
      if (!menu.hasAttribute('aria-label')) {
        menu.setAttribute('aria-label', 'Chart menu: save the chart as a picture');
      }
    }
    for (const chart of root.querySelectorAll('.vega-embed')) {
      if (!widths.has(chart)) {
        widths.set(chart, undefined);
        boxes.observe(chart);
      }
    }
  }
}
export default {
  render({ el }) {
    el.style.display = 'none';
    tend();
    const watch = new MutationObserver(tend);
    watch.observe(document.body, { subtree: true, childList: true });
    return () => watch.disconnect();
  },
};
"""


class PageHelper(anywidget.AnyWidget):
    """Invisible: names slider handles and chart menus, keeps charts as wide as their box."""

    _esm = PAGE_JS

    def __repr__(self) -> str:
        return "<presenter page helper: control names, chart widths>"


PROJECTOR_THEME = "lessons-projector"
# Chart text for a projector: the lessons' theme says 12 px for axes and legends, 15 px titles.
PROJECTOR_TEXT = {
    "title": {"fontSize": 18},
    "axis": {"labelFontSize": 14, "titleFontSize": 14},
    "legend": {"labelFontSize": 14, "titleFontSize": 14},
}


def setup() -> str:
    """The presenter page's first call: `lessons.setup()`, then its theme with larger chart text.

    Explicit, like `lessons.setup()`: it enables an Altair theme for this kernel, so it is
    called by the presenter notebook and never at import.
    """
    import altair as alt

    status = render.setup()
    lessons_theme = alt.theme.get()

    def projector() -> dict:
        theme = copy.deepcopy(lessons_theme()) if lessons_theme else {"config": {}}
        for part, sizes in PROJECTOR_TEXT.items():
            theme["config"].setdefault(part, {}).update(sizes)
        return theme

    alt.theme.register(PROJECTOR_THEME, enable=True)(projector)
    return status


def source_note(events: pd.DataFrame) -> str:
    """A line naming the teacher's events file, or "" for the bundled record.

    >>> source_note(data.load_events(data.resource_path("events")))
    ''
    """
    path = events.attrs.get("path")
    if not path or Path(path).resolve() == data.resource_path("events").resolve():
        return ""
    return (
        f"<p style='margin:0 0 8px'>Events from your file <code>{html.escape(str(path))}</code>"
        f" ({len(events)} events).</p>"
    )


class ClassroomExplorer(w.VBox):
    """The stacked explorers, with a short stable text for places widgets cannot render."""

    def __init__(self, explorers: dict[str, widgets.Explorer], note: str = ""):
        self.explorers = explorers
        super().__init__(
            [
                w.HTML(STYLE),
                PageHelper(),
                w.HTML(INTRO + note),
                explorers["timeline"],
                w.HTML("<h3>Where: Syria</h3>"),
                explorers["syria"],
                w.HTML("<h3>Where: Libya</h3>"),
                explorers["libya"],
            ]
        )
        self.add_class("lessons-presenter")

    def __repr__(self) -> str:
        return f"<classroom explorer: {', '.join(self.explorers)}>"


def classroom_explorer(
    events: pd.DataFrame | None = None,
    phases: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> ClassroomExplorer:
    """Timeline explorer with filters, then the Syria and Libya maps, each with its own slider.

    Without `events`: the teacher's file if one is set (`settings.events_file()`), else the
    bundled record.
    """
    events = data.load_events() if events is None else events
    phases = data.load_phases() if phases is None else phases
    places = data.load_places() if places is None else places
    shapes = {name: data.load_shapes(name) for name in ("syria", "libya")}
    explorers = {"timeline": widgets.timeline_explorer(events, phases, chart_width="container")}
    for region in ("syria", "libya"):
        explorers[region] = widgets.map_explorer(
            events, places, shapes, region=region, chart_width="container"
        )
    return ClassroomExplorer(explorers, source_note(events))


def presenter_events(path: str | Path | None = None) -> Path | None:
    """The events file `lessons present` shows, checked before the server starts.

    `path` (from `--events`), else the setting (`settings.events_file()`), else None (the
    bundled record). The file is loaded with the usual checks, so a bad row stops the command
    with the usual one-line error naming file, row and column (a `DataError`).

    >>> presenter_events(None) is None or presenter_events(None).is_file()
    True
    """
    chosen = (
        settings.existing_file(path, "given with --events")
        if path is not None
        else settings.events_file()
    )
    if chosen is not None:
        data.load_events(chosen)
    return chosen
