"""A class folder holding only some lessons: every command works there, and only there.

Why: a teacher copies the lessons of one class (here 01 and 04) to a folder or a USB stick.
The commands must work with that subset and must act on that folder alone: never on the
checkout the environment was installed from (this one), which the tests hash before and after.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lessons import project, student
from lessons.cli import lab_command, main

ROOT = Path(__file__).resolve().parents[1]
CLASS = ("01_reading_the_report.ipynb", "04_crisis_and_reconciliation.ipynb")


def _digest(folders: list[Path]) -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def checkout_untouched(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test here may change a file of this checkout's lessons (or add an export)."""
    monkeypatch.delenv(project.ENV_VAR, raising=False)
    monkeypatch.delenv("LESSONS_PROGRESS", raising=False)
    watched = [ROOT / "notebooks", ROOT / "student"]
    before = _digest(watched)
    exports = (ROOT / "export").exists()
    yield
    assert _digest(watched) == before, "a command changed this checkout's lessons"
    assert (ROOT / "export").exists() == exports


def _class_folder(base: Path, *, teacher: bool = True, learner: bool = False) -> Path:
    """Lessons 01 and 04 only: the authored lessons and/or the student copies."""
    folder = base / "class"
    for sub, wanted in (("notebooks", teacher), ("student", learner)):
        if wanted:
            (folder / sub).mkdir(parents=True)
            for name in CLASS:
                shutil.copy2(ROOT / sub / name, folder / sub / name)
    return folder


def test_the_lessons_folder_is_found_here_or_above_never_at_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _class_folder(tmp_path)
    (folder / "notebooks" / "notes").mkdir()
    monkeypatch.chdir(folder / "notebooks" / "notes")
    assert project.find_project_root() == folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no lessons here or above: no fallback to this checkout
    assert project.find_project_root(required=False) is None
    with pytest.raises(project.ProjectNotFound, match="no lessons folder found"):
        project.find_project_root()
    result = CliRunner().invoke(main, ["student"])
    assert result.exit_code == 1 and "LESSONS_HOME" in result.output
    assert "Traceback" not in result.output


def test_lessons_home_names_the_folder_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _class_folder(tmp_path)
    monkeypatch.chdir(ROOT)  # even inside a checkout, the named folder wins
    monkeypatch.setenv(project.ENV_VAR, str(folder))
    assert project.find_project_root() == folder
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(project.ENV_VAR, str(empty))
    with pytest.raises(project.ProjectNotFound, match=f"LESSONS_HOME={empty} holds no lessons"):
        project.find_project_root()


def test_student_copies_in_a_class_folder_of_two_lessons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _class_folder(tmp_path)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["student"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (folder / "student").iterdir()) == list(CLASS)
    assert result.output.count("written") == 2
    assert str(folder / "student" / CLASS[1]) in result.output
    for name in CLASS:  # the same copies as this checkout's (generated from the same lessons)
        assert (folder / "student" / name).read_text() == student.render_student_copy(
            ROOT / "notebooks" / name
        )
    result = CliRunner().invoke(main, ["student", "--lesson", "04"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["unchanged", str(folder / "student" / CLASS[1])]
    result = CliRunner().invoke(main, ["student", "--lesson", "00"])
    assert result.exit_code == 1
    assert f"no lesson '00' in {folder / 'notebooks'}" in result.output
    assert "lessons there: 01_reading_the_report, 04_crisis_and_reconciliation" in result.output


def test_lab_opens_the_class_folder_and_its_first_lesson(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _class_folder(tmp_path, learner=True)
    monkeypatch.chdir(folder)
    root = project.find_project_root()
    command, cwd = lab_command(root, None)
    assert cwd == folder
    assert f"--ServerApp.root_dir={folder / 'student'}" in command
    assert command[-1] == str(folder / "student" / CLASS[0])
    command, _ = lab_command(root, "4", teacher=True)
    assert command[-1] == str(folder / "notebooks" / CLASS[1])
    assert CliRunner().invoke(main, ["lab", "--help"]).exit_code == 0
    result = CliRunner().invoke(main, ["lab", "00"])
    assert result.exit_code == 1
    assert "no lesson '00'" in result.output and "01_reading_the_report" in result.output


def test_a_folder_of_student_copies_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a learner gets on a USB stick: student/04 alone."""
    folder = tmp_path / "stick"
    (folder / "student").mkdir(parents=True)
    shutil.copy2(ROOT / "student" / CLASS[1], folder / "student" / CLASS[1])
    monkeypatch.chdir(folder / "student")
    root = project.find_project_root()
    assert root == folder
    for teacher in (False, True):  # --teacher too: the copies are all the folder holds
        command, _ = lab_command(root, None, teacher=teacher)
        assert command[-1] == str(folder / "student" / CLASS[1])
    result = CliRunner().invoke(main, ["student"])
    assert result.exit_code == 1
    assert f"no lessons in {folder / 'notebooks'}" in result.output


def _run_py():
    spec = importlib.util.spec_from_file_location("run_py_subsets", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_py_lab_in_a_class_folder(tmp_path: Path) -> None:
    run = _run_py()
    folder = _class_folder(tmp_path, learner=True)
    args = run.lab_arguments([], root=folder)
    assert args[:2] == [
        f"--ServerApp.root_dir={folder / 'student'}",
        str(folder / "student" / CLASS[0]),
    ]
    assert run.lab_arguments(["04", "--teacher"], root=folder)[1] == str(
        folder / "notebooks" / CLASS[1]
    )
    shutil.rmtree(folder / "student")  # only the authored lessons: lab opens them
    assert run.lab_arguments(["4"], root=folder)[1] == str(folder / "notebooks" / CLASS[1])
    with pytest.raises(SystemExit, match="lessons there: 01, 04"):
        run.lab_arguments(["07"], root=folder)


def test_export_chooses_among_the_class_lessons_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lessons `lessons export` hands to the exporter (not executed here: that is slow and
    covered by the export's own tests)."""
    import lessons.export

    folder = _class_folder(tmp_path)
    monkeypatch.chdir(folder)
    handed: list[list[Path]] = []
    monkeypatch.setattr(
        lessons.export, "export_lessons", lambda chosen, *a, **k: handed.append(list(chosen))
    )
    result = CliRunner().invoke(main, ["export", "--lesson", "04"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["export", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    assert handed == [[folder / "notebooks" / CLASS[1]], [folder / "notebooks" / n for n in CLASS]]
    result = CliRunner().invoke(main, ["export", "--lesson", "07"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "lessons there: 01_reading_the_report, 04_crisis_and_reconciliation" in result.output
    chosen = lessons.export.choose_lessons(folder / "notebooks", ["4", "01"])
    assert chosen == [folder / "notebooks" / n for n in CLASS]


def test_progress_lists_only_the_lessons_the_folder_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _class_folder(tmp_path, teacher=False, learner=True)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0, result.output
    titles = [
        line.split(":")[0] for line in result.output.splitlines() if line.startswith("Lesson")
    ]
    assert titles == ["Lesson 01", "Lesson 04"]
    assert str(folder / "lessons_progress.json") in result.output


def test_the_command_in_a_separate_process_acts_on_the_class_folder(tmp_path: Path) -> None:
    """End to end, as a teacher types it: `python -m lessons student` in the class folder."""
    folder = _class_folder(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in (project.ENV_VAR, "LESSONS_PROGRESS")}
    done = subprocess.run(
        [sys.executable, "-m", "lessons", "student", "--lesson", "01"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["written", str(folder / "student" / CLASS[0])]
    assert [p.name for p in (folder / "student").iterdir()] == [CLASS[0]]
