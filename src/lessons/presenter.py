"""The classroom explorer: the course's main explorer, laid out for a projector.

Why a separate view: in class the teacher projects one screen and steers it while learners
call out years, themes and words. The Voilà presenter (`lessons present`) shows only this
widget — no code cells — and it is a plain function so tests can build it without a browser.
"""

from __future__ import annotations

import ipywidgets as w
import pandas as pd

from lessons import data, widgets

INTRO = (
    "<h2 style='margin:0'>Russia and Turkey, 1992–2026: partners, rivals, or both?</h2>"
    "<p style='margin:4px 0 8px'>Choose years and themes or type a word; the chart and the"
    " table of sourced events follow. The maps below place the Syrian and Libyan events.</p>"
)


class ClassroomExplorer(w.VBox):
    """The stacked explorers, with a short stable text for places widgets cannot render."""

    def __init__(self, explorers: dict[str, widgets.Explorer]):
        self.explorers = explorers
        super().__init__(
            [
                w.HTML(INTRO),
                explorers["timeline"],
                w.HTML("<h3>Where: Syria</h3>"),
                explorers["syria"],
                w.HTML("<h3>Where: Libya</h3>"),
                explorers["libya"],
            ]
        )

    def __repr__(self) -> str:
        return f"<classroom explorer: {', '.join(self.explorers)}>"


def classroom_explorer(
    events: pd.DataFrame | None = None,
    phases: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> ClassroomExplorer:
    """Timeline explorer with filters, then the Syria and Libya maps, each with its own slider."""
    events = data.load_events() if events is None else events
    phases = data.load_phases() if phases is None else phases
    places = data.load_places() if places is None else places
    shapes = {name: data.load_shapes(name) for name in ("syria", "libya")}
    explorers = {"timeline": widgets.timeline_explorer(events, phases)}
    for region in ("syria", "libya"):
        explorers[region] = widgets.map_explorer(events, places, shapes, region=region)
    return ClassroomExplorer(explorers)
