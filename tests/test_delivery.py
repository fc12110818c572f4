"""Delivery: student copies, the `lessons` command, the doctor, the presenter, the export."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from lessons import data, doctor, export, project, student
from lessons.cli import main
from lessons.presenter import classroom_explorer

ROOT = Path(__file__).resolve().parents[1]
LESSONS = student.lesson_files(ROOT / "notebooks")


# --- student copies ------------------------------------------------------------------------


def test_committed_student_copies_are_exactly_what_the_generator_writes() -> None:
    results = student.write_student_copies(ROOT / "notebooks", ROOT / "student", check_only=True)
    assert len(results) == len(LESSONS)
    stale = [r.target.name for r in results if r.status != "unchanged"]
    assert not stale, f"run `python -m lessons student --force`: {stale} are out of date"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_student_copy_has_no_solutions_and_keeps_every_self_check(lesson: Path) -> None:
    teacher = nbformat.read(lesson, as_version=4)
    copy = student.student_notebook(teacher, lesson.name)
    solutions = [c for c in teacher.cells if student.is_solution(c)]
    assert not [c for c in copy.cells if student.is_solution(c)]
    prompts = [c for c in copy.cells if student.STUDENT_TAG in c.metadata.get("tags", [])]
    assert len(prompts) == len(solutions)
    assert len(copy.cells) == len(teacher.cells)
    checks_in = [
        c.source for c in teacher.cells if "checks." in c.source and not student.is_solution(c)
    ]
    assert checks_in == [c.source for c in copy.cells if "checks." in c.source]
    assert "checks.reveal" not in "".join(c.source for c in copy.cells if c.cell_type == "code")


def _lesson_with_a_solution() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Lesson 9"),
        nbformat.v4.new_code_cell('from lessons import checks\n\nchecks.ask("09.1")'),
        nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("Worked example", metadata={"tags": ["solution"]}),
    ]
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return notebook


def test_student_copy_speaks_to_a_learner_working_alone() -> None:
    copy = student.student_notebook(_lesson_with_a_solution(), "09_x.ipynb")
    banner = copy.cells[0].source
    assert "your copy" in banner and "ask your teacher" in banner
    assert "notebooks/" not in banner and "Edit the lesson" not in banner
    assert "--lesson" not in banner  # only options that exist
    prompts = [c.source for c in copy.cells if student.STUDENT_TAG in c.metadata.get("tags", [])]
    assert len(prompts) == 2
    for text in prompts:
        assert "partner" not in text
        assert "Show answer" in text and "Show model answer" in text
    assert "Try the exercise" in prompts[0]


def test_student_copy_is_not_modified_when_jupyterlab_opens_it() -> None:
    """JupyterLab writes the kernel's language_info (with its Python version) into an open
    notebook; a copy that already holds it is not marked modified on opening."""
    import platform

    from ipykernel.ipkernel import IPythonKernel

    copy = student.student_notebook(_lesson_with_a_solution(), "09_x.ipynb")
    assert copy.metadata["language_info"]["version"] == platform.python_version()
    kernel = IPythonKernel.language_info
    assert copy.metadata["language_info"]["version"] == kernel["version"]
    for cell in copy.cells:
        assert cell.get("id")  # nbformat 4.5 ids: JupyterLab would add them otherwise
    assert copy.nbformat_minor >= 5


def test_a_copy_written_under_another_python_still_counts_as_unchanged(tmp_path: Path) -> None:
    lessons_dir = tmp_path / "notebooks"
    lessons_dir.mkdir()
    nbformat.write(_lesson_with_a_solution(), lessons_dir / "09_x.ipynb")
    out = tmp_path / "student"
    student.write_student_copies(lessons_dir, out)
    target = out / "09_x.ipynb"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["metadata"]["language_info"]["version"] = "3.0.0"
    target.write_text(json.dumps(data), encoding="utf-8")
    results = student.write_student_copies(lessons_dir, out, check_only=True)
    assert [r.status for r in results] == ["unchanged"]


def test_student_copies_never_overwrite_a_changed_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "student"
    student.write_student_copies(ROOT / "notebooks", out)
    edited = out / LESSONS[0].name
    edited.write_text('{"teacher": "my own notes"}', encoding="utf-8")
    before = edited.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        student.write_student_copies(ROOT / "notebooks", out)
    assert edited.read_bytes() == before
    results = student.write_student_copies(ROOT / "notebooks", out, force=True)
    assert {r.status for r in results} == {"written", "unchanged"}
    assert edited.read_text(encoding="utf-8") == student.render_student_copy(LESSONS[0])


def test_generation_is_deterministic() -> None:
    assert student.render_student_copy(LESSONS[1]) == student.render_student_copy(LESSONS[1])


# --- the command ---------------------------------------------------------------------------

SUBCOMMANDS = ["lab", "doctor", "student", "export", "present", "data"]


@pytest.mark.parametrize("name", [None, *SUBCOMMANDS])
def test_every_subcommand_has_help(name: str | None) -> None:
    result = CliRunner().invoke(main, [name, "--help"] if name else ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_data_lists_every_dataset_with_source_and_licence() -> None:
    result = CliRunner().invoke(main, ["data"])
    assert result.exit_code == 0
    for res in data.datapackage()["resources"]:
        assert f"{res['name']}  ({res['path']})" in result.output
    assert result.output.count("licence: ") == len(data.datapackage()["resources"])


def test_student_check_passes_on_the_committed_copies() -> None:
    result = CliRunner().invoke(main, ["student", "--check"])
    assert result.exit_code == 0, result.output
    assert result.output.count("unchanged") == len(LESSONS)


def test_errors_are_one_line_and_non_zero() -> None:
    result = CliRunner().invoke(main, ["export", "--lesson", "99"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"Error: no lesson '99' in {ROOT / 'notebooks'}")
    assert "(lessons there: 00_start_here, 01_reading_the_report," in result.output
    assert "Traceback" not in result.output


def test_missing_project_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(project, "_candidates", lambda: [tmp_path])
    result = CliRunner().invoke(main, ["student", "--check"])
    assert result.exit_code == 1
    assert "no lessons folder found" in result.output
    assert "LESSONS_HOME" in result.output


def test_project_root_honours_lessons_home(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("LESSONS_HOME", str(ROOT))
    monkeypatch.chdir(tmp_path)
    assert project.find_project_root() == ROOT


# --- doctor --------------------------------------------------------------------------------


def test_doctor_passes_in_the_locked_environment() -> None:
    findings = doctor.doctor()
    problems = [f.line() for f in findings if f.ok is False]
    assert not problems
    names = {f.name for f in findings}
    assert {"widget front end", "chart renderer", "data", "altair"} <= names
    assert doctor.report(findings).endswith("should run offline.")


def test_doctor_flags_a_version_that_drifted_from_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text('[[package]]\nname = "pandas"\nversion = "0.0.1"\n', encoding="utf-8")
    found = {f.name: f for f in doctor.check_packages(lock)}
    assert found["pandas"].ok is None
    assert "lock says 0.0.1" in found["pandas"].detail
    assert "run.py" in found["pandas"].fix


def test_doctor_flags_an_edited_data_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    edited = tmp_path / "events.csv"
    shutil.copyfile(data.resource_path("events"), edited)
    with edited.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    original = data.resource_path
    monkeypatch.setattr(
        data, "resource_path", lambda name: edited if name == "events" else original(name)
    )
    findings = doctor.check_data()
    assert [f.name for f in findings] == ["data events"]
    assert findings[0].ok is False
    assert "git checkout -- data/events.csv" in findings[0].fix


def test_doctor_command_exit_code_follows_the_findings() -> None:
    result = CliRunner().invoke(main, ["doctor", "--only", "data", "--only", "python"])
    assert result.exit_code == 0, result.output
    n_files = len(data.datapackage()["resources"])
    assert f"[ok  ] data: {n_files} files verified" in result.output


# --- presenter -----------------------------------------------------------------------------


def test_classroom_explorer_filters_like_the_lesson_explorer() -> None:
    view = classroom_explorer()
    assert repr(view) == "<classroom explorer: timeline, syria, libya>"
    timeline = view.explorers["timeline"]
    before = timeline.output.value
    timeline.controls["search"].value = "Haftar"
    assert timeline.output.value != before
    assert "Haftar" in timeline.output.value
    syria = view.explorers["syria"]
    spec_before = syria.chart.chart.to_dict()
    syria.controls["years"].value = (2020, 2020)
    assert syria.chart.chart.to_dict() != spec_before


def test_presenter_notebook_shows_only_the_explorer() -> None:
    notebook = nbformat.read(ROOT / "notebooks/presenter/classroom_explorer.ipynb", 4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) == 1
    assert "classroom_explorer()" in code[0].source


# --- static export -------------------------------------------------------------------------


def _fake_state() -> dict[str, dict]:
    spec = {"description": 'Bars of "events" <per> theme', "title": "Events", "mark": "bar"}
    return {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_chart", "IPY_MODEL_t"]},
        },
        "chart": {"model_name": "AnyModel", "model_module": "anywidget", "state": {"spec": spec}},
        "t": {"model_name": "HTMLModel", "state": {"value": "<p>3 events</p>"}},
    }


def test_fallback_shows_each_chart_as_a_picture_with_alt_text_and_the_text_output() -> None:
    fallback = export.fallback_html("box", _fake_state(), render_svg=lambda spec: "<svg/>")
    assert 'alt="Bars of &quot;events&quot; &lt;per&gt; theme"' in fallback
    assert "data:image/svg+xml;base64," in fallback
    assert fallback.index("<img") < fallback.index("<p>3 events</p>")
    assert "open this lesson in JupyterLab" in fallback


def test_widget_without_chart_or_text_gets_no_fallback() -> None:
    state = {"s": {"model_name": "IntSliderModel", "state": {"value": 3}}}
    assert export.fallback_html("s", state, render_svg=lambda spec: "<svg/>") == ""


def test_chart_svg_renders_offline() -> None:
    svg = export._chart_svg(
        {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    )
    assert svg.startswith("<svg")


def test_export_writes_offline_pages_with_javascript_beside_them(tmp_path: Path) -> None:
    lesson = tmp_path / "00_tiny.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Tiny lesson\nOne chart."),
        nbformat.v4.new_code_cell(
            "import lessons\nfrom lessons import aggregate, charts\nstatus = lessons.setup()\n"
            "charts.category_counts(aggregate.events_by_category(lessons.load_events()))"
        ),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lesson)
    out = tmp_path / "export"
    pages = export.export_lessons([lesson], out, progress=lambda _line: None)
    assert [p.path.name for p in pages] == ["00_tiny.html"]
    assert pages[0].fallbacks == 1
    for name in ("require.js", "embed-amd.js", "anywidget.js"):
        assert (out / name).stat().st_size > 10_000
    page = (out / "00_tiny.html").read_text(encoding="utf-8")
    assert '<script src="require.js"></script>' in page
    assert "var widgetRendererSrc = 'embed-amd.js';" in page
    for cdn in ("cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net/npm/@jupyter-widgets"):
        assert cdn not in page
    assert "application/vnd.jupyter.widget-state+json" in page
    assert 'class="lessons-fallback"' in page
    state = json.loads(
        page.split('<script type="application/vnd.jupyter.widget-state+json">')[1].split(
            "</script>"
        )[0]
    )
    assert any(m.get("model_module") == "anywidget" for m in state["state"].values())


def test_binder_requirements_pin_exactly_the_locked_versions() -> None:
    import re
    import tomllib

    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked: dict[str, set[str]] = {}  # a package may be locked twice, for different Pythons
    for package in lock["package"]:
        locked.setdefault(package["name"].lower().replace("_", "-"), set()).add(package["version"])
    pins = re.findall(
        r"^([A-Za-z0-9_.-]+)==([^\s;]+)", (ROOT / "binder/requirements.txt").read_text(), re.M
    )
    assert len(pins) > 50
    drift = {n: (v, locked.get(n.lower())) for n, v in pins if v not in locked.get(n.lower(), ())}
    assert not drift, f"regenerate binder/requirements.txt (see its header): {drift}"
    for name in ("jupyterlab", "ipywidgets", "pandas", "altair", "voila", "anywidget"):
        assert name in {n.lower() for n, _ in pins}


def _run_py():
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lab_opens_the_student_copies_by_default_and_any_lesson_on_request() -> None:
    run = _run_py()
    args = run.lab_arguments([])
    assert args[0] == f"--ServerApp.root_dir={ROOT / 'student'}"
    assert args[1].endswith("student/00_start_here.ipynb")
    teacher = run.lab_arguments(["04", "--teacher", "--allow-root"])
    assert teacher[0] == f"--ServerApp.root_dir={ROOT / 'notebooks'}"
    assert teacher[1].endswith("notebooks/04_crisis_and_reconciliation.ipynb")
    assert teacher[2:] == ["--allow-root"]
    assert run.lab_arguments(["8"])[1].endswith("student/08_measuring_a_relationship.ipynb")


def test_lab_names_the_lessons_a_folder_holds_when_one_is_missing(tmp_path: Path) -> None:
    run = _run_py()
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "01_reading_the_report.ipynb").write_text("{}")
    assert run.lab_arguments([], root=tmp_path)[1].endswith("01_reading_the_report.ipynb")
    with pytest.raises(SystemExit, match=r"no lesson 04 .*lessons there: 01"):
        run.lab_arguments(["04"], root=tmp_path)


def test_student_copies_for_chosen_lessons_only(tmp_path: Path) -> None:
    out = tmp_path / "class"
    results = student.write_student_copies(
        ROOT / "notebooks", out, lessons=["1", "04_crisis_and_reconciliation"]
    )
    assert [r.target.name for r in results] == [
        "01_reading_the_report.ipynb",
        "04_crisis_and_reconciliation.ipynb",
    ]
    assert sorted(p.name for p in out.iterdir()) == [r.target.name for r in results]
    with pytest.raises(FileNotFoundError, match=r"no lesson '42' .*lessons there: 00_start_here"):
        student.write_student_copies(ROOT / "notebooks", out, lessons=["42"])


def test_student_command_takes_lessons_and_names_an_unknown_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["student", "--out", str(tmp_path), "--lesson", "08"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["08_measuring_a_relationship.ipynb"]
    result = CliRunner().invoke(main, ["student", "--out", str(tmp_path), "--lesson", "99"])
    assert result.exit_code != 0
    assert "no lesson '99'" in result.output
    assert "Traceback" not in result.output


def test_lessons_lab_opens_the_student_copies_unless_the_teacher_asks() -> None:
    from lessons.cli import lab_command

    command, _ = lab_command(ROOT, None)
    assert f"--ServerApp.root_dir={ROOT / 'student'}" in command
    assert command[-1].endswith("student/00_start_here.ipynb")
    command, _ = lab_command(ROOT, "5", teacher=True)
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in command
    assert command[-1].endswith("notebooks/05_syria_and_idlib.ipynb")
