"""`lessons._progress`: the learner's progress file, read and written directly.

test_checks.py drives this module through `checks` and the widget; here each function is
called on its own, in a temporary folder, so where the file goes, what it holds and how a bad
file is survived are pinned down independently of the exercises. Nothing here raises: every
failure is a `False` and a one-line `last_warning`.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from lessons import _progress


@pytest.fixture
def target(tmp_path, monkeypatch) -> Path:
    file = tmp_path / "kept" / "progress.json"
    monkeypatch.setenv(_progress.ENV, str(file))
    return file


def test_path_follows_the_variable_else_the_current_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(_progress.ENV, raising=False)
    assert _progress.path() == tmp_path / "lessons_progress.json"
    monkeypatch.setenv(_progress.ENV, "   ")  # blank: as if unset
    assert _progress.path() == tmp_path / "lessons_progress.json"
    monkeypatch.setenv(_progress.ENV, "~/p.json")
    assert _progress.path() == Path.home() / "p.json"
    monkeypatch.setenv(_progress.ENV, str(tmp_path / "elsewhere.json"))
    assert _progress.path() == tmp_path / "elsewhere.json"  # looked up at every call


def test_no_file_is_an_empty_record_and_writes_nothing(target) -> None:
    assert _progress.read() == {}
    assert _progress.record("05.2") == {}
    assert not target.exists() and _progress.last_warning is None


def test_update_merges_fields_and_keeps_the_file_shape(target) -> None:
    assert _progress.update("05.2", status="tried", tries=1)
    assert _progress.update("05.2", status="right", tries=2)
    assert _progress.update("01.1", status="written", text="Erdoğan — “quoted”")
    stored = json.loads(target.read_text(encoding="utf-8"))
    assert stored == {
        "version": 1,
        "exercises": {
            "01.1": {"status": "written", "text": "Erdoğan — “quoted”"},
            "05.2": {"status": "right", "tries": 2},
        },
    }
    assert list(stored["exercises"]) == ["01.1", "05.2"]  # sorted: a stable file to diff
    assert "Erdoğan" in target.read_text(encoding="utf-8")  # readable text, not \\u escapes
    assert _progress.record("05.2") == {"status": "right", "tries": 2}


def test_record_is_a_copy(target) -> None:
    _progress.update("05.2", status="right")
    mine = _progress.record("05.2")
    mine["status"] = "tried"
    assert _progress.record("05.2")["status"] == "right"


def test_writes_leave_no_temporary_files_and_an_ordinary_mode(target) -> None:
    _progress.update("05.2", status="tried")
    assert [p.name for p in target.parent.iterdir()] == ["progress.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    target.chmod(0o600)  # a learner made it private: the next write keeps that
    _progress.update("05.2", status="right")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        '{"version": 1}',
        '{"version": 1, "exercises": ["05.2"]}',
        "[]",
        b"\xff\xfe\x00",
    ],
)
def test_a_damaged_file_starts_over_and_is_set_aside(target, damage) -> None:
    target.parent.mkdir(parents=True)
    if isinstance(damage, bytes):
        target.write_bytes(damage)
    else:
        target.write_text(damage, encoding="utf-8")
    assert _progress.read() == {}
    assert "starting afresh" in _progress.last_warning or "starts afresh" in _progress.last_warning
    assert _progress.update("05.2", status="tried")
    corrupt = target.with_name("progress.json.corrupt")
    assert corrupt.read_bytes() == (damage if isinstance(damage, bytes) else damage.encode())
    assert _progress.record("05.2") == {"status": "tried"} and _progress.last_warning is None


def test_records_that_are_not_objects_are_skipped(target) -> None:
    target.parent.mkdir(parents=True)
    target.write_text(
        json.dumps({"version": 1, "exercises": {"05.2": {"status": "right"}, "05.3": "right"}}),
        encoding="utf-8",
    )
    assert _progress.read() == {"05.2": {"status": "right"}}


def test_a_folder_that_cannot_be_written_loses_progress_not_the_lesson(
    tmp_path, monkeypatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(_progress.ENV, str(blocker / "progress.json"))  # its parent is a file
    assert _progress.update("05.2", status="tried") is False
    assert _progress.last_warning.startswith("Could not save progress to progress.json (")
    assert _progress.read() == {}


def test_a_file_that_cannot_be_read_gives_a_warning(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "progress.json"
    folder.mkdir()  # a folder where the file should be
    monkeypatch.setenv(_progress.ENV, str(folder))
    assert _progress.read() == {}
    assert _progress.last_warning.startswith("Could not read progress.json")


@pytest.mark.parametrize(
    ("entry", "shown"),
    [
        ({"status": "right"}, "right"),
        ({"status": "written", "text": "…"}, "written"),
        ({"status": "tried"}, "tried"),
        ({"status": "done"}, "not tried"),
        ({"status": None}, "not tried"),
        ({}, "not tried"),
    ],
)
def test_status(entry, shown) -> None:
    assert _progress.status(entry) == shown
