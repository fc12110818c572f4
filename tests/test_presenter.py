"""The presenter without a browser: what it shows when nothing matches, and `present --events`.

`lessons present` checks the teacher's file before it starts Voilà (one clear error, no
server), then hands the file to the Voilà kernel by name (LESSONS_EVENTS); the server start
itself is replaced here by a function that records the command.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from lessons import cli, data, presenter, settings
from lessons.errors import DataError

EVENTS = data.load_events(data.resource_path("events"))


@pytest.fixture(autouse=True)
def _no_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(settings.ENV, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def explorer() -> presenter.ClassroomExplorer:
    return presenter.classroom_explorer(EVENTS)


def write_events(path: Path, **last_row: str) -> Path:
    """The bundled events with one more row (a copy of the first, new id and title)."""
    with open(data.resource_path("events"), encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    extra = {**rows[0], "event_id": "2001-01-02-teacher-row", "title": "A teacher's row"}
    rows.append({**extra, "date": "2001-01-02", **last_row})
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- charts that follow the page, and empty when nothing matches ----------------------------


def test_every_chart_of_the_presenter_takes_the_page_width(explorer) -> None:
    for name, view in explorer.explorers.items():
        assert view.chart.chart.to_dict()["width"] == "container", name


def test_a_search_that_matches_nothing_empties_the_chart_and_says_why(explorer) -> None:
    timeline = explorer.explorers["timeline"]
    timeline.controls["search"].value = "Idlib"
    assert "matching event(s)" in timeline.output.value
    timeline.controls["search"].value = "qqqq-no-such-word"
    spec = timeline.chart.chart.to_dict()
    assert spec["mark"]["type"] == "text"  # not the Idlib points from before
    assert spec["title"].startswith("No event matches “qqqq-no-such-word”")
    assert spec["width"] == "container"
    assert "No event matches “qqqq-no-such-word”" in timeline.output.value
    assert "<table" not in timeline.output.value
    timeline.controls["search"].value = ""
    assert spec != timeline.chart.chart.to_dict()


def test_a_map_with_no_event_in_the_years_says_so(explorer) -> None:
    syria = explorer.explorers["syria"]
    years = set(range(2015, 2025)) - set(
        EVENTS.loc[EVENTS["place_id"].isin(_places("SY")), "date"].dt.year
    )
    empty_year = min(years)  # 2021: the record places no Syrian event in it
    syria.controls["years"].value = (empty_year, empty_year)
    spec = syria.chart.chart.to_dict()
    assert spec["title"].startswith(f"No events in Syria in {empty_year}")
    assert "none in these years" in spec["description"]
    assert "No event of the record took place in Syria" in syria.output.value
    syria.controls["years"].value = (2020, 2020)
    assert syria.chart.chart.to_dict()["title"] == "Events in Syria, 2020"
    assert "matching event(s)" in syria.output.value


def _places(country: str) -> set[str]:
    places = data.load_places()
    return set(places.loc[places["country_code"] == country, "place_id"])


def test_the_lessons_keep_their_fixed_width_charts() -> None:
    """The width option is the presenter's: a lesson's explorer draws as before."""
    from lessons import charts, widgets

    timeline = widgets.timeline_explorer(EVENTS)
    assert timeline.chart.chart.to_dict()["width"] == charts.WIDTH
    timeline.controls["search"].value = "qqqq-no-such-word"
    assert timeline.chart.chart.to_dict()["width"] == charts.WIDTH


def test_the_page_carries_its_style_and_no_developer_note(explorer) -> None:
    html = " ".join(getattr(child, "value", "") for child in explorer.children)
    assert "--jp-widgets-font-size: 16px" in html
    assert "font-size: 16px !important" in html  # the events table, over its inline 14 px
    assert "outline: 3px solid" in html
    assert "lessons present" not in html and "Voilà" not in html
    assert "lessons-presenter" in explorer._dom_classes
    notebook = Path(cli.__file__).resolve().parents[2] / cli.PRESENTER
    text = notebook.read_text(encoding="utf-8")
    assert '"cell_type": "markdown"' not in text  # Voilà would show it above the explorer


# --- lessons present --events ---------------------------------------------------------------


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """`present` runs to the server start; the command and environment are recorded."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cli, "_root", lambda: Path(cli.__file__).resolve().parents[2])
    monkeypatch.setattr(cli, "_run_server", lambda cmd, root: calls.append((cmd, dict(os.environ))))
    return calls


def test_present_hands_a_good_file_to_voila_by_name(tmp_path, started, monkeypatch) -> None:
    write_events(tmp_path / "my_events.csv")
    monkeypatch.setattr(os, "environ", dict(os.environ))  # the command sets LESSONS_EVENTS
    result = CliRunner().invoke(cli.main, ["present", "--events", "my_events.csv", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert f"Showing the events of {tmp_path / 'my_events.csv'}" in result.output
    ((command, env),) = started
    assert "voila" in command and "--no-browser" in command
    assert env[settings.ENV] == str((tmp_path / "my_events.csv").resolve())


def test_present_without_events_passes_no_file(started, monkeypatch) -> None:
    monkeypatch.setattr(os, "environ", dict(os.environ))
    result = CliRunner().invoke(cli.main, ["present", "--no-browser"])
    assert result.exit_code == 0, result.output
    ((_command, env),) = started
    assert settings.ENV not in env


def test_present_follows_lessons_toml(tmp_path, started, monkeypatch) -> None:
    mine = write_events(tmp_path / "mine.csv")
    (tmp_path / "lessons.toml").write_text('events = "mine.csv"\n', encoding="utf-8")
    monkeypatch.setattr(os, "environ", dict(os.environ))
    result = CliRunner().invoke(cli.main, ["present", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert started[0][1][settings.ENV] == str(mine.resolve())


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"quad_class": "7"}, "row {row}, column 'quad_class'"),
        ({"date": "2001-13-40"}, "row {row}, column 'date'"),
        ({"category": "sport"}, "row {row}, column 'category'"),
    ],
)
def test_present_stops_on_a_bad_row_with_file_row_and_column(
    tmp_path, started, row: dict[str, str], expected: str
) -> None:
    mine = write_events(tmp_path / "my_events.csv", **row)
    result = CliRunner().invoke(cli.main, ["present", "--events", str(mine), "--no-browser"])
    assert result.exit_code == 1
    last_row = len(EVENTS) + 2  # the header is row 1
    assert str(mine) in result.output
    assert expected.format(row=last_row) in result.output
    assert "Traceback" not in result.output
    assert not started  # no server for a file that would fail in front of the class


def test_present_stops_on_a_missing_file(tmp_path, started) -> None:
    result = CliRunner().invoke(cli.main, ["present", "--events", "nope.csv"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.csv'}: file not found (given with --events)" in result.output
    assert not started


def test_presenter_events_checks_the_file_it_returns(tmp_path) -> None:
    mine = write_events(tmp_path / "ok.csv")
    assert presenter.presenter_events(mine) == mine.resolve()
    assert presenter.presenter_events(None) is None
    with pytest.raises(DataError, match="column 'category'"):
        presenter.presenter_events(write_events(tmp_path / "bad.csv", category="sport"))


def test_setup_keeps_the_lessons_theme_with_chart_text_for_a_projector() -> None:
    import altair as alt

    from lessons import charts

    before = alt.theme.active
    try:
        assert presenter.setup().startswith("Charts ready")
        config = alt.Chart(EVENTS.head(1)).mark_point().encode(x="date:T").to_dict()["config"]
    finally:
        alt.theme.enable(before)
    assert config["range"]["category"] == charts.PALETTE  # still the lessons' palette
    assert config["axis"] == {"labelFontSize": 14, "titleFontSize": 14}
    assert config["legend"] == {"labelFontSize": 14, "titleFontSize": 14}
    assert config["title"]["fontSize"] == 18
