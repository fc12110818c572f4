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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Altair is imported by setup(), not by `import lessons` (~1.5 s saved)
    import altair as alt

THEME_NAME = "lessons"
RENDERER = "lessons"  # Altair's "jupyter" renderer, minus a second pass over each spec
# What a notebook that was not run shows in place of a chart or an explorer (the text/plain
# of the widget's output): one readable line instead of "<JupyterChart object at 0x…>".
RUN_TO_SEE = "run this cell (Shift+Enter) to see it"
RUN_TO_USE = "run this cell (Shift+Enter) to use it"


def _theme() -> alt.theme.ThemeConfig:
    from lessons.charts import PALETTE  # the one palette; charts never imports render

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
        if RENDERER not in alt.renderers.names():
            alt.renderers.register(RENDERER, _widget_renderer)
        alt.renderers.enable(RENDERER, offline=offline)
        if offline:
            _enable_offline_with_cached_bundle(alt)
    mode = "offline (no internet needed)" if offline else "online (JavaScript from a CDN)"
    return f"Charts ready: Altair {alt.__version__}, rendering {mode}."


def _widget_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """Show a chart's spec in Altair's chart widget, as its "jupyter" renderer does.

    Why not that renderer itself: it turns the spec, which `to_dict()` has just made and
    checked, back into chart objects with `Chart.from_dict`, checking every part against the
    Vega-Lite schema again: 0.3-0.8 s a chart, about 5 s over one run of all the lessons.
    The widget only needs the finished spec. If this Altair's widget wants more than that,
    the chart goes through the "jupyter" renderer as before.
    """
    import altair as alt

    offline = bool(metadata.get("offline", False))
    try:
        alt.JupyterChart.enable_offline(offline=offline)
        widget = alt.JupyterChart(
            chart=_finished_chart(spec), embed_options=metadata.get("embed_options")
        )
        if widget.spec != spec:
            raise ValueError("the widget did not take the spec as it is")
    except Exception:
        from altair.vegalite.v6.display import jupyter_renderer  # Altair 6: see pyproject

        return _with_run_hint(jupyter_renderer(spec, **metadata), spec)
    return _with_run_hint(widget._repr_mimebundle_(), spec)


def chart_placeholder(spec: dict[str, Any]) -> str:
    """The line shown for a chart where it cannot be drawn: its title and what to do.

    >>> chart_placeholder({"title": "Events per theme"})
    'Interactive chart “Events per theme” — run this cell (Shift+Enter) to see it'
    """
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(part) for part in title)
    if not title:  # a concatenation keeps the title on its first part
        for key in ("vconcat", "hconcat", "concat", "layer"):
            for part in spec.get(key) or []:
                inner = chart_placeholder(part)
                if "“" in inner:
                    return inner
    named = f" “{title}”" if title else ""
    return f"Interactive chart{named} — {RUN_TO_SEE}"


def _with_run_hint(bundle: Any, spec: dict[str, Any]) -> Any:
    """The renderer's output with its text/plain replaced by `chart_placeholder(spec)`.

    The widget's own text is its Python repr with a memory address, which changes on every
    run (nbval would see a difference) and tells a learner nothing.
    """
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    if isinstance(data, dict) and "text/plain" in data:
        data["text/plain"] = chart_placeholder(spec)
    return bundle


def _finished_chart(spec: dict[str, Any]) -> Any:
    """A chart object that is only a finished spec: its `to_dict()` gives the spec back as is."""
    chart = _finished_chart_class()()
    chart.__dict__["_finished"] = spec
    return chart


@cache
def _finished_chart_class() -> type:
    """The class of `_finished_chart`, made once Altair is imported (setup() imports it)."""
    import altair as alt

    class FinishedChart(alt.Chart):
        def to_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return self.__dict__["_finished"]

    return FinishedChart


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
