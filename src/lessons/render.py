"""One explicit call that makes every chart render offline: `lessons.setup()`.

Why explicit: importing a library should never change global state (a teacher's other
notebooks would change behaviour). Why the `jupyter` renderer with `offline=True`: Altair's
default renderer loads vega from a CDN, which a classroom without internet cannot reach, and
the mimetype renderer is not shown by JupyterLab 4.6 for Vega-Lite 6. The offline renderer
bundles the JavaScript (through anywidget and vl-convert) and also lets selections reach
Python.
"""

from __future__ import annotations

import warnings

import altair as alt

THEME_NAME = "lessons"

# Okabe & Ito (2008) colour-blind-safe palette, black last for "other".
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
    "#000000",  # black
    "#7F3C8D",  # purple
]


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "range": {"category": PALETTE},
            "font": "sans-serif",
            "title": {"fontSize": 15, "anchor": "start"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 12, "titleFontSize": 12},
            "view": {"stroke": None},
        }
    }


def setup(*, offline: bool = True) -> str:
    """Switch Altair to offline rendering and the lessons' colour-blind-safe theme.

    Returns a one-line status a notebook can show, so a learner sees it worked.
    """
    alt.theme.register(THEME_NAME, enable=True)(_theme)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alt.renderers.enable("jupyter", offline=offline)
        if offline:
            alt.JupyterChart.enable_offline()
    mode = "offline (no internet needed)" if offline else "online (JavaScript from a CDN)"
    return f"Charts ready: Altair {alt.__version__}, rendering {mode}."
