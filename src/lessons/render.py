"""One explicit call that makes every chart render offline: `lessons.setup()`.

Why explicit: importing a library should never change global state (a teacher's other
notebooks would change behaviour). Why the `jupyter` renderer with `offline=True`: Altair's
default renderer loads vega from a CDN, which a classroom without internet cannot reach, and
the mimetype renderer is not shown by JupyterLab 4.6 for Vega-Lite 6. The offline renderer
bundles the JavaScript (through anywidget and vl-convert) and also lets selections reach
Python.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Altair is imported by setup(), not by `import lessons` (~1.5 s saved)
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
    import altair as alt
    import pandas as pd

    alt.theme.register(THEME_NAME, enable=True)(_theme)
    # Sums of money such as "$2.5bn ... $1bn" in one table cell would otherwise be typeset as
    # LaTeX by JupyterLab: tables are marked so that MathJax leaves them alone.
    pd.set_option("display.html.use_mathjax", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alt.renderers.enable("jupyter", offline=offline)
        if offline:
            _enable_offline_with_cached_bundle(alt)
    mode = "offline (no internet needed)" if offline else "online (JavaScript from a CDN)"
    return f"Charts ready: Altair {alt.__version__}, rendering {mode}."


def _enable_offline_with_cached_bundle(alt: Any) -> None:
    """`alt.JupyterChart.enable_offline()`, reusing vl-convert's JavaScript bundle from disk.

    Why: vl-convert builds the Vega bundle afresh in every kernel (~1.3 s per notebook). The
    bundle depends only on Altair's snippet, the Vega-Lite version and vl-convert's version,
    so it is kept in the user's cache folder under a hash of those and read back next time.
    If the cache cannot be read or written, the bundle is simply built as before.
    """
    import vl_convert

    build = vl_convert.javascript_bundle

    def bundle(snippet: str | None = None, vl_version: str | None = None) -> str:
        key = repr((snippet, vl_version, getattr(vl_convert, "__version__", "")))
        path = (
            _cache_dir() / f"vl-convert-bundle-{hashlib.sha256(key.encode()).hexdigest()[:24]}.js"
        )
        with contextlib.suppress(OSError, UnicodeDecodeError):
            cached = path.read_text(encoding="utf-8")
            if cached:
                return cached
        built = build(snippet, vl_version=vl_version)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            partial.write_text(built, encoding="utf-8")
            os.replace(partial, path)  # atomic: another kernel never reads half a file
        return built

    vl_convert.javascript_bundle = bundle
    try:
        alt.JupyterChart.enable_offline()
    finally:
        vl_convert.javascript_bundle = build


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "russia-turkey-lessons"
