"""A teacher's own events file, named once, reaches every lesson, self-check and the presenter.

The file is the bundled record plus two valid rows (energy events before 2015, so the count
that exercise 03.3 expects grows by two) written to a temporary folder; `LESSONS_EVENTS` or
a `lessons.toml` names it. A bad extra row gives the usual error naming file, row and column.
"""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest

from lessons import checks, data, settings
from lessons.errors import DataError

BUNDLED = data.resource_path("events")
EXTRA_IDS = ("2003-06-01-teacher-added-energy-a", "2004-06-01-teacher-added-energy-b")
EXTRA_TITLES = ("Teacher's added energy event A", "Teacher's added energy event B")
COUNT_EXERCISE = "03.3"  # energy events before 2015: {"how": "count"} over events.csv


def _clear_caches() -> None:
    """Forget every cached table and answer, so the next load reads the file now named."""
    for name in ("lessons.data", "lessons.reader", "lessons.checks", "lessons.glossary"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    checks.use_folder(None)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """No setting from the machine running the tests; caches clear before and after."""
    monkeypatch.delenv(settings.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    _clear_caches()
    yield
    _clear_caches()


def _rows() -> tuple[list[str], list[dict[str, str]]]:
    with open(BUNDLED, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_extended(path: Path, **changes: str) -> Path:
    """The bundled rows plus two energy events of 2003 and 2004; `changes` edit the last one."""
    header, rows = _rows()
    model = next(r for r in rows if r["category"] == "energy" and r["date"] < "2015-01-01")
    for event_id, title in zip(EXTRA_IDS, EXTRA_TITLES, strict=True):
        day = event_id[:10]
        rows.append({**model, "event_id": event_id, "title": title, "date": day, "end_date": ""})
    rows[-1].update(changes)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def bundled_count() -> int:
    frame = data.load_events(BUNDLED)
    return int(((frame["date"] < "2015-01-01") & (frame["category"] == "energy")).sum())


# --- where the file is named ----------------------------------------------------------------


def test_without_a_setting_the_bundled_record_is_used(tmp_path: Path) -> None:
    assert settings.events_file() is None
    assert len(data.load_events()) == len(_rows()[1])


def test_the_environment_variable_names_the_file(tmp_path, monkeypatch) -> None:
    mine = write_extended(tmp_path / "my_events.csv")
    monkeypatch.setenv(settings.ENV, "my_events.csv")  # relative: from the current folder
    assert settings.events_file() == mine.resolve()


def test_lessons_toml_in_a_parent_folder_names_the_file_relative_to_itself(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    mine = write_extended(tmp_path / "data" / "mine.csv")
    (tmp_path / "lessons.toml").write_text('events = "data/mine.csv"\n', encoding="utf-8")
    below = tmp_path / "student" / "week1"
    below.mkdir(parents=True)
    assert settings.events_file(start=below) == mine.resolve()


def test_the_environment_variable_wins_over_lessons_toml(tmp_path, monkeypatch) -> None:
    (tmp_path / "lessons.toml").write_text('events = "missing.csv"\n', encoding="utf-8")
    mine = write_extended(tmp_path / "mine.csv")
    monkeypatch.setenv(settings.ENV, str(mine))
    assert settings.events_file() == mine.resolve()


def test_a_lessons_toml_without_events_means_the_bundled_record(tmp_path) -> None:
    (tmp_path / "lessons.toml").write_text("# nothing set yet\n", encoding="utf-8")
    assert settings.events_file() is None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('events = "nowhere.csv"\n', "nowhere.csv: file not found (named by the setting 'events'"),
        ("events = [1\n", "lessons.toml: not valid TOML"),
        ("events = 3\n", "the setting 'events' must be a file name in quotes"),
        ('events = "."\n', "is a folder, not a CSV file"),
    ],
)
def test_a_broken_setting_is_one_clear_error(tmp_path, toml: str, expected: str) -> None:
    (tmp_path / "lessons.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        settings.events_file()
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and str(tmp_path) in message


def test_an_environment_variable_naming_no_file_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(settings.ENV, "gone.csv")
    with pytest.raises(DataError, match=r"gone\.csv: file not found \(named by the environment"):
        settings.events_file()


def test_an_empty_environment_variable_is_no_setting(monkeypatch) -> None:
    monkeypatch.setenv(settings.ENV, "  ")
    assert settings.events_file() is None


# --- what follows the file ------------------------------------------------------------------


def test_load_events_returns_the_teachers_extra_rows(tmp_path, monkeypatch) -> None:
    mine = write_extended(tmp_path / "my_events.csv")
    monkeypatch.setenv(settings.ENV, str(mine))
    events = data.load_events()
    assert set(EXTRA_IDS) <= set(events["event_id"])
    assert len(events) == len(_rows()[1]) + 2
    assert Path(events.attrs["path"]).resolve() == mine.resolve()


def test_the_lessons_toml_setting_reaches_load_events(tmp_path) -> None:
    write_extended(tmp_path / "mine.csv")
    (tmp_path / "lessons.toml").write_text('events = "mine.csv"\n', encoding="utf-8")
    assert set(EXTRA_IDS) <= set(data.load_events()["event_id"])


def test_a_count_self_check_expects_the_count_of_the_teachers_file(tmp_path, monkeypatch):
    before = bundled_count()
    assert checks.expected_answer(COUNT_EXERCISE) == before
    _clear_caches()
    monkeypatch.setenv(settings.ENV, str(write_extended(tmp_path / "my_events.csv")))
    # checks computes its answers from data.load_table("events"): with no path, that must
    # follow the setting as load_events() does
    assert checks.expected_answer(COUNT_EXERCISE) == before + 2, (
        "the self-checks ignore the teacher's events file (data.load_table('events') "
        "does not follow settings.events_file())"
    )
    assert checks.check(COUNT_EXERCISE, before + 2).correct
    assert not checks.check(COUNT_EXERCISE, before).correct


def test_the_presenter_shows_the_teachers_file(tmp_path, monkeypatch) -> None:
    from lessons.presenter import classroom_explorer

    mine = write_extended(tmp_path / "my_events.csv")
    monkeypatch.setenv(settings.ENV, str(mine))
    explorer = classroom_explorer()
    timeline = explorer.explorers["timeline"]
    timeline.controls["search"].value = "Teacher's added energy event"
    assert "2 matching event(s)" in timeline.output.value
    assert all(title.replace("'", "&#x27;") in timeline.output.value for title in EXTRA_TITLES)
    shown = " ".join(getattr(child, "value", "") for child in explorer.children)
    assert f"Events from your file <code>{mine.resolve()}</code>" in shown


def test_a_bad_extra_row_names_file_row_and_column(tmp_path, monkeypatch) -> None:
    mine = write_extended(tmp_path / "my_events.csv", quad_class="9")
    monkeypatch.setenv(settings.ENV, str(mine))
    row = len(_rows()[1]) + 3  # header is row 1, then the bundled rows, then the two extra
    with pytest.raises(DataError) as caught:
        data.load_events()
    error = caught.value
    assert (Path(error.path).resolve(), error.row, error.column) == (
        mine.resolve(),
        row,
        "quad_class",
    )
    assert f"row {row}, column 'quad_class'" in str(error)
