"""Content checks that can fail: the curated record is sourced, dated, balanced and linked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import lessons

EVENTS = lessons.load_events()
CLAIMS = lessons.load_report_claims()


def test_at_least_120_events_from_1992_to_2025_or_later() -> None:
    assert len(EVENTS) >= 120
    assert EVENTS["date"].min().year == 1992
    assert EVENTS["date"].max().year >= 2025


def test_events_sorted_by_date() -> None:
    assert EVENTS["date"].is_monotonic_increasing


def test_every_event_is_sourced() -> None:
    for column in ("source_publisher", "source_title", "source_url"):
        assert EVENTS[column].notna().all(), column
        assert EVENTS[column].str.strip().ne("").all(), column
    assert EVENTS["source_url"].str.match(r"^https?://").all()


ANNOUNCED_IN_ADVANCE = {
    "2020-01-12-idlib-ceasefire",
    "1994-07-01-turkish-straits-rules-russia-objects",  # rules announced in June, applied 1 July
}


def test_source_published_no_earlier_than_event_mostly() -> None:
    dated = EVENTS.dropna(subset=["source_date"])
    early = dated[dated["source_date"] < dated["date"] - pd.Timedelta(days=1)]
    # announced in advance: the source reports the agreed start date of the truce
    early = early[~early["event_id"].isin(ANNOUNCED_IN_ADVANCE)]
    # a preview story may appear a day before; more than that would be a wrong date
    assert early.empty, early[["event_id", "date", "source_date"]]


def test_event_ids_start_with_their_date() -> None:
    stamp = EVENTS["date"].dt.strftime("%Y-%m-%d")
    month_or_year = EVENTS["date_precision"] != "day"
    starts = pd.Series([e.startswith(d) for e, d in zip(EVENTS["event_id"], stamp, strict=True)])
    assert (starts | month_or_year.to_numpy()).all()


def test_every_category_is_used_and_none_dominates() -> None:
    counts = EVENTS["category"].value_counts()
    assert set(counts.index) >= {"diplomacy", "syria", "libya", "energy", "arms", "ukraine"}
    assert counts.max() / len(EVENTS) < 0.45


def test_report_events_are_all_referenced_by_a_claim() -> None:
    referenced = {eid for ids in CLAIMS["event_ids"] for eid in ids}
    in_report = set(EVENTS.loc[EVENTS["in_report"], "event_id"])
    assert in_report <= referenced, in_report - referenced


def test_claims_dates_resolve_against_publication_day() -> None:
    claims = CLAIMS.set_index("time_phrase")
    assert claims.loc["Thursday", "resolved_date"] == pd.Timestamp("2020-03-05")
    assert claims.loc["last week", "resolved_date"] == pd.Timestamp("2020-02-27")
    assert claims.loc["last fall's deal", "resolved_date"] == pd.Timestamp("2019-10-22")
    assert claims.loc["a 2018 deal", "resolved_date"] == pd.Timestamp("2018-09-17")
    assert (CLAIMS["resolved_date"].dropna() < pd.Timestamp("2020-03-06")).all()


def test_report_speakers_are_named() -> None:
    speakers = " ".join(CLAIMS["speaker"])
    for name in ("Trenin", "Cagaptay", "Felgenhauer"):
        assert name in speakers


def test_balyun_toll_change_is_recorded() -> None:
    row = EVENTS.set_index("event_id").loc["2020-02-27-balyun-air-strike"]
    assert row["fatalities"] == 34
    assert "36" in row["key_numbers"] and "33" in row["key_numbers"]
    tolls = lessons.load_toll_reports()
    balyun = tolls[tolls["event_id"] == "2020-02-27-balyun-air-strike"]
    assert balyun["killed"].tolist()[0] == 9
    assert balyun["killed"].max() == 36


def test_summaries_are_short_and_do_not_repeat_titles() -> None:
    assert EVENTS["summary"].str.len().le(400).all()
    assert (EVENTS["summary"] != EVENTS["title"]).all()


def test_haftar_variant_noted() -> None:
    haftar = EVENTS[EVENTS["actors"].map(lambda a: any("Haftar" in x for x in a))]
    assert len(haftar) >= 3
    assert haftar["note"].str.contains("Hifter").all()


def test_phases_cover_the_record_without_gaps() -> None:
    phases = lessons.load_phases()
    assert phases["start"].iloc[0] <= EVENTS["date"].min()
    gaps = phases["start"].iloc[1:].to_numpy() - phases["end"].iloc[:-1].to_numpy()
    assert (gaps == pd.Timedelta(days=1)).all()


# --- exercises (src/lessons/exercises/NN.json) and the notebooks that ask them ----------------

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_DIR = ROOT / "src" / "lessons" / "exercises"
LESSON_NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
_CALL = re.compile(r"""checks\.(ask|check|hint|reveal|progress)\(\s*["']([^"']*)["']""")


def _calls(notebook: Path) -> list[tuple[str, str, str]]:
    """(function, id, cell source) for every checks.* call in the notebook's code cells."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [
        (match[1], match[2], cell.source)
        for cell in cells
        if cell.cell_type == "code"
        for match in _CALL.finditer(cell.source)
    ]


def _lesson_exercises(notebook: Path) -> list[str]:
    file = EXERCISE_DIR / f"{notebook.name[:2]}.json"
    if not file.exists():
        pytest.skip(f"{file.name} is not written yet")
    return [ex["id"] for ex in json.loads(file.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("notebook", LESSON_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_asks_each_exercise_once_in_order(notebook: Path) -> None:
    ids = _lesson_exercises(notebook)
    asked = [exercise_id for call, exercise_id, _ in _calls(notebook) if call == "ask"]
    assert asked == ids, f"{notebook.name} asks {asked}; {notebook.name[:2]}.json has {ids}"


@pytest.mark.parametrize("notebook", LESSON_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_no_old_or_unknown_exercise_ids(notebook: Path) -> None:
    ids = set(_lesson_exercises(notebook))
    used = {exercise_id for call, exercise_id, _ in _calls(notebook) if call != "progress"}
    assert used <= ids, f"{notebook.name} calls unknown ids: {sorted(used - ids)}"


@pytest.mark.parametrize("notebook", LESSON_NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_cells_are_self_contained_and_progress_ends_the_lesson(notebook: Path) -> None:
    _lesson_exercises(notebook)
    calls = _calls(notebook)
    for call, exercise_id, source in calls:
        if call == "ask":
            assert "from lessons import" in source and "checks" in source, (
                f"{exercise_id}: the cell must import checks itself (it runs after a restart)"
            )
    lesson = notebook.name[:2]
    assert ("progress", lesson) in {(c, i) for c, i, _ in calls}, (
        f'{notebook.name} should end with checks.progress("{lesson}")'
    )
