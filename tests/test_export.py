"""`lessons export` without a browser: the course index, honest static pages, one copy of the
chart code, and a size budget per page.

The fast tests read the real lessons (their opening cells and text) and small widget states;
the slow ones share one export of two lessons (02: years slider, timeline with a brush, phase
comparer; 08: toggle buttons and a smoothing slider) into a temporary folder. The browser
checks of the same pages are in tests/browser/test_export_static.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets as w
import nbformat
import pytest
from ipywidgets.embed import dependency_state

from lessons import course, export, export_text, export_widgets

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
EXPORTED = ("02", "08")
# Bytes per lesson page, with the shared files beside it. 11 pages at this budget plus the
# shared files (about 4.3 MB) and the chart pictures stay under the 8 MB target for a course.
PAGE_BUDGET = 450_000
# A course's shared files: the widget manager, the chart code, JupyterLab's stylesheet,
# require.js, anywidget, the icon fonts, our stylesheet and script.
SHARED_BUDGET = 4_500_000
WIDGET_STATE = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">\s*(.*?)\s*</script>', re.S
)
RUN_INSTRUCTION = re.compile(
    r"shift\+enter|run all cells|run (?:the|this|each) (?:first )?(?:code )?cells?\b", re.I
)


# --- the course: each lesson's opening facts -----------------------------------------------


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem[:2])
def test_every_lesson_states_its_question_objectives_and_time(path: Path) -> None:
    info = course.lesson_info(path)
    assert info.number == path.stem[:2]
    assert info.title.startswith(f"Lesson {int(info.number)} ")
    assert info.question.endswith("?"), info.question
    assert len(info.objectives) >= 3, info.objectives
    assert all("**You will" not in o and o for o in info.objectives)
    assert "minutes" in info.time and "**" not in info.time
    assert "Before this" not in info.time


def test_a_question_over_two_lines_is_read_whole() -> None:
    info = course.lesson_info(NOTEBOOKS / "08_measuring_a_relationship.ipynb")
    assert info.question.startswith("can a computer that reads the news")
    assert info.question.endswith("where does its answer go wrong?")
    assert info.before == "Lessons 0–2"  # "· **Before this:**" on the time's line


def test_a_lesson_missing_its_facts_has_them_empty() -> None:
    info = course.lesson_info_from_cells(["# Lesson 3 — Notes\n\nJust some text."], "03_notes")
    assert (info.number, info.title) == ("03", "Lesson 3 — Notes")
    assert (info.question, info.objectives, info.time, info.before) == ("", (), "", "")
    untitled = course.lesson_info_from_cells([], "extra")
    assert (untitled.number, untitled.title) == ("", "extra")
    assert course.opening_markdown([{"cell_type": "code", "source": "1"}]) == []


def test_index_escapes_text_and_shows_what_a_lesson_has() -> None:
    full = course.LessonInfo(
        "01_a", "01", "Lesson 1 — <A>", "why <b>this</b>?", ("read `a <row>`",), "45 minutes"
    )
    bare = course.LessonInfo("02_b", "02", "Lesson 2 — B")
    page = export.index_html([(full, "01_a.html"), (bare, "02_b.html")])
    assert '<a href="01_a.html">Lesson 1 — &lt;A&gt;</a>' in page
    assert "Why &lt;b&gt;this&lt;/b&gt;?" in page  # capitalised, escaped
    assert "<code>a &lt;row&gt;</code>" in page
    assert "45 minutes" in page
    assert '<a href="02_b.html">Lesson 2 — B</a>' in page
    assert "does not state its question" in page
    assert "<b>" not in page


# --- the text of a static page ------------------------------------------------------------


def test_how_to_run_sentences_are_dropped_and_try_this_ones_say_jupyterlab() -> None:
    text = (
        "**How to work:** run each cell with **Shift+Enter** (or **Run → Run All Cells** once). "
        "Answer in the boxes and press **Check**. If you restart the kernel, run the first code "
        "cell again.\n\n| run the cell | kept |\n|---|---|\n\n```\nrun this cell\n```\n\n"
        "- Change `m3` to `TJ` and run it again: TJ starts in 2008.\n- a run of years"
    )
    out = export_text.static_markdown(text)
    assert out.startswith("Answer in the boxes and press **Check**.\n\n| run the cell | kept |")
    assert "```\nrun this cell\n```" in out  # code is code
    assert "- *In JupyterLab:* Change `m3` to `TJ` and run it again: TJ starts in 2008." in out
    assert "- a run of years" in out
    assert "Shift+Enter" not in out and "restart" not in out


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem[:2])
def test_no_lesson_tells_a_static_reader_to_run_a_cell(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    changed = export_text.make_text_static(notebook)
    assert changed >= 1, "every lesson explains how to run it: that must go"
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        prose = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(prose.split())):
            if RUN_INSTRUCTION.search(sentence):
                assert sentence.startswith(export_text.IN_LAB), sentence


# --- the widget state of a static page ----------------------------------------------------


def test_controls_are_switched_off_defaults_left_out_and_outputs_noted() -> None:
    slider = w.IntSlider(value=3, description="Smoothing")
    toggles = w.ToggleButtons(options=["a", "b"], value="b")
    box = w.VBox([slider, toggles, w.HTML("<p>3 events</p>")])
    box.add_class("lessons-explorer")
    ask = w.VBox([w.Text(description="Answer"), w.Button(description="Check")])
    ask.add_class("lessons-ask")
    text_only = w.HTML("<p>no controls</p>")
    state = dependency_state([box, ask, text_only], drop_defaults=False)  # as nbclient keeps it
    before = len(json.dumps(state))
    assert export_widgets.note_kind(box.model_id, state) == "explorer"
    assert export_widgets.note_kind(ask.model_id, state) == "exercise"
    assert export_widgets.note_kind(text_only.model_id, state) is None
    result = export_widgets.make_static(state)
    assert result.disabled == 4
    for model_id in (slider.model_id, toggles.model_id):
        assert state[model_id]["state"]["disabled"] is True
    assert state[slider.model_id]["state"]["value"] == 3
    assert state[toggles.model_id]["state"]["index"] == 1
    assert "_view_count" not in state[slider.model_id]["state"]
    assert state[slider.layout.model_id]["state"] == {}, "a layout with nothing set keeps nothing"
    assert len(json.dumps(state)) < before / 2


def test_chart_code_is_shared_and_imported_once_per_page() -> None:
    esm = "export default {render() {}};\n" + "// vega\n" * 5000
    models = {
        f"c{i}": {
            "model_name": "AnyModel",
            "model_module": "anywidget",
            "state": {"_esm": esm, "spec": {"mark": "bar"}, "embed_options": None},
        }
        for i in range(3)
    }
    result = export_widgets.make_static(models)
    key = export_widgets.esm_key(esm)
    assert result.shared_esm == {key: esm}
    for model in models.values():
        assert len(model["state"]["_esm"]) < 1000 and key in model["state"]["_esm"]
        assert model["state"]["embed_options"]["actions"] == {
            "export": True, "source": False, "compiled": False, "editor": False,
        }  # fmt: skip
    script = export_widgets.shared_esm_script(key, esm)
    assert json.dumps(esm) in script


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_shared_chart_script_and_stub_are_valid_javascript(tmp_path: Path) -> None:
    key = export_widgets.esm_key("x")
    classic = tmp_path / "shared.js"
    classic.write_text(export_widgets.shared_esm_script(key, "export default 1;\n</script>"))
    module = tmp_path / "stub.mjs"
    module.write_text(export_widgets.esm_stub(key))
    for path in (classic, module):
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_widget_manager_leaves_out_ipywidgets_7_only() -> None:
    vendored = (export.STATIC / export.WIDGET_MANAGER).read_text(encoding="utf-8")
    slim = export.widget_manager_js(vendored)
    defined = re.findall(r'^define\("([^"]+)"', slim, re.M)
    assert defined == [
        "@jupyter-widgets/base",
        "@jupyter-widgets/controls",
        "@jupyter-widgets/html-manager",
        "@jupyter-widgets/html-manager/dist/libembed-amd",
    ]
    assert len(vendored) - len(slim) > 700_000
    assert "libembed-amd" in slim.splitlines()[-2]  # the line that starts the rendering


# --- one real export of two lessons --------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    lessons = export.choose_lessons(NOTEBOOKS, EXPORTED)
    export.export_lessons(lessons, out, progress=lambda _line: None)
    return out


def _page(site: Path, number: str) -> str:
    return next(site.glob(f"{number}_*.html")).read_text(encoding="utf-8")


def _widget_state(page: str) -> dict[str, dict]:
    return json.loads(WIDGET_STATE.search(page).group(1))["state"]


class _MarkdownText(HTMLParser):
    """The text of the page's markdown cells."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        classes = dict(attrs).get("class") or ""
        if self.depth or "jp-MarkdownCell" in classes:
            self.depth += tag not in ("br", "img", "hr", "input")

    def handle_endtag(self, tag) -> None:
        if self.depth and tag not in ("br", "img", "hr", "input"):
            self.depth -= 1

    def handle_data(self, data) -> None:
        if self.depth:
            self.text.append(data)


def test_index_lists_each_exported_lesson_with_its_facts(site: Path) -> None:
    index = (site / export.INDEX).read_text(encoding="utf-8")
    links = re.findall(r'<h2><a href="([^"]+)">([^<]+)</a></h2>', index)
    assert [href for href, _ in links] == [p.name for p in sorted(site.glob("[0-9]*.html"))]
    for number in EXPORTED:
        info = course.lesson_info(next(NOTEBOOKS.glob(f"{number}_*.ipynb")))
        assert info.title in index
        assert info.question[1:40] in index
        assert len(re.findall(r"<li>", index)) >= 2 * 3
        assert "minutes" in index
    assert (site / "index.html").stat().st_size < 20_000


def test_one_copy_of_the_chart_code_serves_every_page(site: Path) -> None:
    shared = sorted(site.glob("lessons-charts-*.js"))
    assert len(shared) == 1, shared
    code = shared[0].read_text(encoding="utf-8")
    assert len(code) > 500_000  # the Vega bundle itself
    sample = json.loads(code.split("] = ", 1)[1].rstrip().rstrip(";"))[5000:5200]
    for number in EXPORTED:
        page = _page(site, number)
        assert sample not in page and json.dumps(sample)[1:-1] not in page
        assert f'<script src="{shared[0].name}"></script>' in page
        charts = [m for m in _widget_state(page).values() if m["model_module"] == "anywidget"]
        assert charts, number
        assert all(len(m["state"]["_esm"]) < 1000 for m in charts)


def test_pages_stay_within_their_size_budget(site: Path) -> None:
    for page in site.glob("[0-9]*.html"):
        assert page.stat().st_size <= PAGE_BUDGET, f"{page.name}: {page.stat().st_size:,} bytes"
    shared = sum(
        p.stat().st_size
        for p in site.iterdir()
        if p.is_file() and p.suffix != ".html" and not p.name.endswith(".LICENSE.txt")
    )
    assert shared <= SHARED_BUDGET, f"shared files: {shared:,} bytes"
    pictures = list((site / export.FIGURES).glob("*.svg"))
    assert pictures and all(p.read_text(encoding="utf-8").startswith("<svg") for p in pictures)


def test_every_control_is_switched_off_and_its_tool_says_so(site: Path) -> None:
    for number in EXPORTED:
        page = _page(site, number)
        models = list(_widget_state(page).values())
        controls = [
            m for m in models
            if m["model_module"] == "@jupyter-widgets/controls"
            and m["model_name"].endswith(("SliderModel", "DropdownModel", "ToggleButtonsModel",
                                          "TextModel", "ButtonModel", "SelectMultipleModel"))
        ]  # fmt: skip
        assert controls, number
        assert all(m["state"].get("disabled") is True for m in controls), number
        notes = page.count('<p class="lessons-static-note">')
        explorers = sum("lessons-explorer" in m["state"].get("_dom_classes", []) for m in models)
        assert notes >= explorers >= 1, (number, notes, explorers)
        assert "open the lesson in JupyterLab" in page


def test_page_text_gives_no_run_instruction(site: Path) -> None:
    for number in EXPORTED:
        parser = _MarkdownText()
        parser.feed(_page(site, number))
        text = " ".join(" ".join(parser.text).split())
        assert "Loading" not in text
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if RUN_INSTRUCTION.search(sentence):
                assert sentence.startswith("In JupyterLab:"), sentence


def test_everything_a_page_loads_sits_beside_it(site: Path) -> None:
    for number in EXPORTED:
        page = _page(site, number)
        wanted = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"#]+)"', page)
        local = [u for u in wanted if not u.startswith("data:")]
        assert not [u for u in local if re.match(r"(https?:)?//", u)]
        missing = [u for u in local if not (site / u).is_file()]
        assert not missing, f"{number}: {missing}"
    for font in export.STATIC_FILES:
        if font.endswith(".woff2"):
            assert (site / font).is_file()
    assert "@jupyter-widgets" in (site / "lessons-export.js").read_text(encoding="utf-8")


# --- the command, in a folder holding only some lessons ----------------------------------


def _tiny_lesson(path: Path, title: str, question: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            f"# {title}\n\n**The question:** {question}\n\n**Time:** 45 minutes.\n\n"
            "Run each cell with **Shift+Enter**. Read the number below."
        ),
        nbformat.v4.new_code_cell("6 * 7"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)


def test_export_command_takes_a_subset_of_the_lessons_in_the_folder_it_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from lessons.cli import main

    (tmp_path / "notebooks").mkdir()
    _tiny_lesson(tmp_path / "notebooks" / "01_one.ipynb", "Lesson 1 — One", "why one?")
    _tiny_lesson(tmp_path / "notebooks" / "04_four.ipynb", "Lesson 4 — Four", "why four?")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LESSONS_HOME", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["export", "site", "--lesson", "4"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert sorted(p.name for p in site.glob("*.html")) == ["04_four.html", "index.html"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="04_four.html">Lesson 4 — Four</a>' in index and "Why four?" in index
    assert "One" not in index
    page = (site / "04_four.html").read_text(encoding="utf-8")
    assert "Read the number below." in page and "Shift+Enter" not in page
    assert "42" in page
    assert f"Open {site / 'index.html'}" in result.output

    missing = runner.invoke(main, ["export", "site", "--lesson", "07"])
    assert missing.exit_code != 0
    assert "no lesson '07'" in missing.output and "01_one, 04_four" in missing.output
