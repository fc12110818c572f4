"""`lessons export`: the lessons as static HTML pages that open from disk, offline, with an index.

Why this way: a learner without Jupyter (or a teacher posting to a class website) still
needs the text and the charts. Each lesson is executed once so the widget state is stored,
then written with nbconvert's JupyterLab template (`templates/lessons_export.html.j2`).
Everything the pages need sits beside them, one copy for all pages: require.js, the widgets
HTML manager and its icon fonts, anywidget, the JupyterLab stylesheet, our stylesheet and
script, and the chart code (`export_widgets` moves it out of each chart). Nothing comes from
the network; charts keep their Vega-Lite bindings.

The pages are honest about being static: controls that need a kernel are switched off with
a note above them (`export_widgets`), "run this cell" wording is dropped or says "In
JupyterLab" (`export_text`), and every widget output also carries a static SVG picture of
its charts (with the chart's description as alt text), shown when JavaScript cannot run.
`index.html` lists each exported lesson's question, objectives and time (`course`).

>>> [p.name for p in asset_sources()][:2]
['require.js', 'embed-amd.js']
"""

from __future__ import annotations

import base64
import hashlib
import html
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from lessons import course
from lessons.export_text import make_text_static
from lessons.export_widgets import NOTES, descendants, make_static, note_kind, shared_esm_script
from lessons.student import choose_lessons  # one rule picks lessons for every command

__all__ = ["INDEX", "Exported", "choose_lessons", "export_lessons", "index_html", "static_page"]

STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_FILES = (
    "require.js",
    "embed-amd.js",
    "embed-amd.js.LICENSE.txt",
    # Font Awesome's solid and regular icons, for the widgets' buttons (Check, Hint, Show
    # answer); its brand icons are never used, so their font is not shipped
    "1551f4f60c37af51121f.woff2",
    "7a3337626410ca2f4071.woff2",
    "lessons-export.css",
    "lessons-export.js",
)
WIDGET_MANAGER = "embed-amd.js"
IPYWIDGETS_7_MODULES = ("@jupyter-widgets/base7", "@jupyter-widgets/controls7")
LAB_CSS = "lessons-lab.css"  # JupyterLab's light theme and code colours, written once
FIGURES = "figures"  # the static pictures of the charts, shared by all pages
INDEX = "index.html"
COURSE_TITLE = "Russia–Turkey Lessons"
COURSE_LEDE = (
    "Are Russia and Turkey partners, rivals, or both? Lessons built on a sourced record of "
    "events from 1992 to today."
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CELL_TIMEOUT_S = 300


@dataclass(frozen=True)
class Exported:
    """One written page: where, how big, how many static pictures and kernel-only notes."""

    path: Path
    bytes: int
    fallbacks: int
    notes: int = 0


def asset_sources() -> list[Path]:
    """The committed files every export copies beside its pages."""
    return [STATIC / name for name in STATIC_FILES]


def widget_manager_js(text: str) -> str:
    """The widgets HTML manager without its copy of ipywidgets 7 (about 0.8 MB).

    embed-amd.js defines each package as one AMD module, one `define(...)` per line, and
    carries ipywidgets 7 (`base7`, `controls7`) beside ipywidgets 8 for pages made by old
    kernels. Our pages hold ipywidgets 8 models only, and nothing requires those two modules
    unless a page holds ipywidgets 7 ones, so they are left out.

    >>> widget_manager_js('define("a",[],1);\\ndefine("@jupyter-widgets/base7",[],2);\\n')
    'define("a",[],1);\\n'
    """
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(tuple(f'define("{name}"' for name in IPYWIDGETS_7_MODULES))
    ]
    return "".join(kept)


def copy_assets(out_dir: Path) -> list[Path]:
    """Put what the pages need beside them, once (anywidget from the installed package)."""
    import anywidget

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in asset_sources():
        target = out_dir / source.name
        if source.name == WIDGET_MANAGER:
            text = widget_manager_js(source.read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, target)
        written.append(target)
    anywidget_js = Path(anywidget.__file__).parent / "nbextension" / "index.js"
    written.append(Path(shutil.copyfile(anywidget_js, out_dir / "anywidget.js")))
    lab_css = out_dir / LAB_CSS
    lab_css.write_text(_lab_stylesheet(), encoding="utf-8")
    written.append(lab_css)
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


def _chart_svg(spec: dict[str, Any]) -> str:
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def svg_data_uri(svg: str) -> str:
    """A picture inside the page itself (base64: a third larger than the SVG)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


class FigureFiles:
    """Pictures as files in `figures/`, named by their content: a chart shown by several
    pages (the timeline of lessons 0 and 2) is stored once, and with no base64 overhead."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / FIGURES

    def __call__(self, svg: str) -> str:
        name = f"{hashlib.sha256(svg.encode()).hexdigest()[:16]}.svg"
        target = self.folder / name
        if not target.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            target.write_text(svg, encoding="utf-8")
        return f"{FIGURES}/{name}"


def fallback_html(
    model_id: str,
    models: dict[str, dict[str, Any]],
    render_svg: Callable[[dict[str, Any]], str] = _chart_svg,
    picture_url: Callable[[str], str] = svg_data_uri,
) -> str:
    """Static stand-in for one widget output: its charts as SVG pictures, its text as HTML."""
    parts = []
    for model in descendants(model_id, models):
        state = model.get("state", {})
        if model.get("model_module") == "anywidget" and isinstance(state.get("spec"), dict):
            spec = state["spec"]
            url = picture_url(render_svg(spec))
            alt = spec.get("description") or "chart"
            title = spec.get("title")
            title = title.get("text") if isinstance(title, dict) else title
            caption = html.escape(str(title or "Chart")) + " (static picture of the chart)"
            parts.append(
                f'<figure><img src="{html.escape(url, quote=True)}" '
                f'alt="{html.escape(alt, quote=True)}">'
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


def _widget_outputs(notebook: nbformat.NotebookNode):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                yield output, view["model_id"]


def add_fallbacks(
    notebook: nbformat.NotebookNode, picture_url: Callable[[str], str] = svg_data_uri
) -> int:
    """Attach a static fallback to every widget output; return how many were attached."""
    models = _models(notebook)
    count = 0
    for output, model_id in _widget_outputs(notebook):
        fallback = fallback_html(model_id, models, picture_url=picture_url)
        if fallback:
            output.setdefault("metadata", {})["lessons_fallback"] = fallback
            count += 1
    return count


def add_notes(notebook: nbformat.NotebookNode) -> int:
    """Mark every widget output holding kernel-only controls with its note; return how many."""
    models = _models(notebook)
    count = 0
    for output, model_id in _widget_outputs(notebook):
        kind = note_kind(model_id, models)
        if kind:
            output.setdefault("metadata", {})["lessons_note"] = NOTES[kind]
            count += 1
    return count


def _compact_json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@cache
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor

    class SharedCss(Preprocessor):  # type: ignore[misc]
        """Inline no CSS in the page: the code colours go to the shared stylesheet, and a
        teacher's own `custom.css` (which nbconvert would add) stays out of handouts."""

        def preprocess(self, nb, resources):
            resources["inlining"] = {"css": []}
            return nb, resources

    return HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(TEMPLATES)],
        template_file="lessons_export.html.j2",
        require_js_url="require.js",
        widget_renderer_url=WIDGET_MANAGER,
        filters={"lessons_compact_json": _compact_json},
        preprocessors=[SharedCss],
    )


def _lab_stylesheet() -> str:
    """JupyterLab's stylesheet, light theme and code colours, as nbconvert would inline them."""
    from jupyterlab_pygments import JupyterStyle
    from pygments.formatters import HtmlFormatter

    environment = _exporter().environment
    parts = [environment.loader.get_source(environment, f"static/{name}")[0]
             for name in ("index.css", "theme-light.css")]  # fmt: skip
    parts.append(HtmlFormatter(style=JupyterStyle).get_style_defs(".highlight"))
    return "\n".join(parts)


def to_html(notebook: nbformat.NotebookNode, title: str) -> str:
    """The page, with every script and stylesheet URL pointing at a file beside it."""
    notebook.metadata["title"] = title
    body, _resources = _exporter().from_notebook_node(notebook)
    return body


def static_page(notebook: nbformat.NotebookNode, title: str, out_dir: Path) -> tuple[str, int, int]:
    """An executed lesson as a static page: (html, static pictures, kernel-only notes).

    Writes the shared chart code and the pictures it needs into `out_dir` (each once: the
    name is its hash).
    """
    fallbacks = add_fallbacks(notebook, FigureFiles(out_dir))
    notes = add_notes(notebook)
    shared = make_static(_models(notebook))
    scripts = []
    for key, source in sorted(shared.shared_esm.items()):
        name = f"lessons-charts-{key}.js"
        target = out_dir / name
        if not target.exists():
            target.write_text(shared_esm_script(key, source), encoding="utf-8")
        scripts.append(name)
    notebook.metadata["lessons_export"] = {"scripts": scripts}
    make_text_static(notebook)
    return to_html(notebook, title), fallbacks, notes


def _inline(text: str) -> Any:
    from markupsafe import Markup

    from lessons.checks import markdown_html

    return Markup(markdown_html(text)) if text else ""  # markdown_html escapes the text first


def index_html(lessons: list[tuple[course.LessonInfo, str]]) -> str:
    """The course page: each lesson's title (linked to `href`), question, objectives, time."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True
    )
    entries = [
        {
            "number": info.number,
            "href": href,
            "title": info.title,
            "question": _inline(info.question[:1].upper() + info.question[1:]),
            "objectives": [_inline(o) for o in info.objectives],
            "time": _inline(info.time),
            "before": _inline(info.before),
        }
        for info, href in lessons
    ]
    template = environment.get_template("lessons_index.html.j2")
    return template.render(course_title=COURSE_TITLE, course_lede=COURSE_LEDE, lessons=entries)


def export_lessons(
    lessons: list[Path], out_dir: Path, *, progress: Callable[[str], None] = print
) -> list[Exported]:
    """Execute and export each lesson into `out_dir` (created if needed), then `index.html`."""
    copy_assets(out_dir)
    written = []
    listed = []
    for lesson in lessons:
        info = course.lesson_info(lesson)
        notebook = execute_with_widget_state(lesson)
        page, fallbacks, notes = static_page(notebook, info.title, out_dir)
        target = out_dir / f"{lesson.stem}.html"
        target.write_text(page, encoding="utf-8")
        size = target.stat().st_size
        written.append(Exported(target, size, fallbacks, notes))
        listed.append((info, target.name))
        progress(
            f"{target.name}: {size / 1e6:.1f} MB, {fallbacks} static pictures, "
            f"{notes} tools marked as working in JupyterLab only"
        )
    index = out_dir / INDEX
    index.write_text(index_html(listed), encoding="utf-8")
    progress(f"{INDEX}: the course, {len(listed)} lessons")
    return written
