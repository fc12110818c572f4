"""`lessons export`: every lesson as a static HTML page that opens from disk, offline.

Why this way: a learner without Jupyter (or a teacher posting to a class website) still
needs the charts. Each lesson is executed once so the widget state is stored, then written
with nbconvert's JupyterLab template. Three JavaScript files that nbconvert would fetch from
CDNs — require.js, the widgets HTML manager and anywidget — are copied beside the HTML, so
nothing comes from the network; charts keep their Vega-Lite bindings. Every widget output also
carries a static SVG picture of its charts (with the chart's description as alt text), shown
when JavaScript cannot run and hidden once the live widget renders.
"""

from __future__ import annotations

import base64
import html
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_FILES = (
    "require.js",
    "embed-amd.js",
    "embed-amd.js.LICENSE.txt",
    "1551f4f60c37af51121f.woff2",
    "7a3337626410ca2f4071.woff2",
    "d878b0a6a1144760244f.woff2",
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CELL_TIMEOUT_S = 300


@dataclass(frozen=True)
class Exported:
    """One written page: where, how big, how many static pictures it carries."""

    path: Path
    bytes: int
    fallbacks: int


def copy_javascript(out_dir: Path) -> list[Path]:
    """Put the JavaScript the pages need beside them (anywidget from the installed package)."""
    import anywidget

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in STATIC_FILES:
        written.append(Path(shutil.copyfile(STATIC / name, out_dir / name)))
    anywidget_js = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    written.append(Path(shutil.copyfile(anywidget_js, out_dir / "anywidget.js")))
    return written


def execute_with_widget_state(path: Path) -> nbformat.NotebookNode:
    """Run a lesson in a fresh kernel and keep the widget state the static page needs."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def _models(notebook: nbformat.NotebookNode) -> dict[str, dict[str, Any]]:
    return notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _descendants(model_id: str, models: dict[str, dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """The model and every widget inside it, depth first (VBox/HBox children, in order)."""
    seen: set[str] = set()
    stack = [model_id]
    while stack:
        current = stack.pop(0)
        if current in seen or current not in models:
            continue
        seen.add(current)
        model = models[current]
        yield model
        children = model.get("state", {}).get("children", [])
        stack[0:0] = [c.removeprefix("IPY_MODEL_") for c in children if isinstance(c, str)]


def _chart_svg(spec: dict[str, Any]) -> str:
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def fallback_html(
    model_id: str,
    models: dict[str, dict[str, Any]],
    render_svg: Callable[[dict[str, Any]], str] = _chart_svg,
) -> str:
    """Static stand-in for one widget output: its charts as SVG pictures, its text as HTML."""
    parts = []
    for model in _descendants(model_id, models):
        state = model.get("state", {})
        if model.get("model_module") == "anywidget" and isinstance(state.get("spec"), dict):
            spec = state["spec"]
            svg = render_svg(spec)
            alt = spec.get("description") or "chart"
            title = spec.get("title")
            title = title.get("text") if isinstance(title, dict) else title
            data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            caption = html.escape(str(title or "Chart")) + " (static picture of the chart)"
            parts.append(
                f'<figure><img src="{data_uri}" alt="{html.escape(alt, quote=True)}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        elif model.get("model_name") == "HTMLModel" and state.get("value"):
            parts.append(f"<div>{state['value']}</div>")  # built and escaped by lessons.widgets
    if not parts:
        return ""
    note = (
        "<p><em>Interactive tool: open this lesson in JupyterLab to use it. "
        "Below is what it showed when the lesson was exported.</em></p>"
    )
    return note + "".join(parts)


def add_fallbacks(notebook: nbformat.NotebookNode) -> int:
    """Attach a static fallback to every widget output; return how many were attached."""
    models = _models(notebook)
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if not view:
                continue
            fallback = fallback_html(view["model_id"], models)
            if fallback:
                output.setdefault("metadata", {})["lessons_fallback"] = fallback
                count += 1
    return count


def to_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The page, with every script URL pointing at a file beside it."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(TEMPLATES)],
        template_file="lessons_export.html.j2",
        require_js_url="require.js",
        widget_renderer_url="embed-amd.js",
    )
    notebook.metadata["title"] = title
    body, _resources = exporter.from_notebook_node(notebook)
    return body


def export_lessons(
    lessons: list[Path], out_dir: Path, *, progress: Callable[[str], None] = print
) -> list[Exported]:
    """Execute and export each lesson into `out_dir` (created if needed)."""
    copy_javascript(out_dir)
    written = []
    for lesson in lessons:
        notebook = execute_with_widget_state(lesson)
        fallbacks = add_fallbacks(notebook)
        title = notebook.cells[0].source.splitlines()[0].lstrip("# ").strip()
        target = out_dir / f"{lesson.stem}.html"
        target.write_text(to_html(notebook, title), encoding="utf-8")
        size = target.stat().st_size
        written.append(Exported(target, size, fallbacks))
        progress(f"{target.name}: {size / 1e6:.1f} MB, {fallbacks} static fallbacks")
    return written
