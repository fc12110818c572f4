"""The capstone evidence board: search, add, unknown ids, remove, saving, and odd input."""

from __future__ import annotations

import json

import pytest

import lessons
from lessons import capstone


@pytest.fixture(scope="module")
def events():
    return lessons.load_events()


@pytest.fixture()
def progress(tmp_path, monkeypatch):
    target = tmp_path / "progress.json"
    monkeypatch.setenv("LESSONS_PROGRESS", str(target))
    return target


def test_fold_ignores_case_and_accents():
    assert capstone.fold("ERDOGAN") == capstone.fold("Erdoğan")
    assert capstone.fold("Cavusoglu") == capstone.fold("Çavuşoğlu")
    assert capstone.fold("Istanbul") == capstone.fold("İstanbul")
    assert capstone.fold(None) == ""


def test_search_is_accent_insensitive_and_filters(events):
    plain = capstone.search_events(events, "Erdogan")
    accented = capstone.search_events(events, "Erdoğan")
    assert len(plain) > 0 and len(plain) == len(accented)
    syria = capstone.search_events(events, "", themes="syria")
    assert set(syria["category"]) == {"syria"}
    assert len(capstone.search_events(events, "", themes="all")) == len(events)
    years = capstone.search_events(events, "", years=(2025, 2026))
    assert years["date"].dt.year.between(2025, 2026).all()
    assert capstone.search_events(events, "zzzz-no-such-word").empty


def test_board_shows_ids_dates_sources_and_kind(events, progress):
    board = capstone.evidence_board(events)
    board.search.value = "Moscow protocol"
    assert board.results.children, "a search that matches shows rows"
    text = board.results.children[0].children[1].value
    row = board.matches().iloc[0]
    for part in (row["event_id"], row["source_publisher"], row["source_kind"]):
        assert str(part) in text or str(part).replace("'", "&#x27;") in text
    assert row["date"].strftime("%Y-%m-%d") in text


def test_add_click_and_remove_and_save(events, progress):
    board = capstone.evidence_board(events)
    first_id = board.matches().iloc[0]["event_id"]
    add_button = board.results.children[0].children[0]
    add_button.click()
    assert board.evidence == [first_id]
    saved = json.loads(progress.read_text())["exercises"][capstone.PROGRESS_KEY]
    assert saved["evidence"] == [first_id]
    again = capstone.evidence_board(events)
    assert again.evidence == [first_id], "the list survives a restart"
    message = board.add(first_id)
    assert "Already" in message and board.evidence == [first_id]
    board.collected.children[0].children[0].click()  # the Remove button
    assert board.evidence == []
    assert json.loads(progress.read_text())["exercises"][capstone.PROGRESS_KEY]["evidence"] == []


def test_add_by_hand_several_ids_and_quotes(events, progress):
    board = capstone.evidence_board(events)
    ids = events["event_id"].tolist()[:2]
    board.id_box.value = f"'{ids[0]}', \"{ids[1]}\""
    board.id_button.click()
    assert board.evidence == ids
    assert board.id_box.value == ""


def test_unknown_id_gets_a_message_with_closest_matches(events, progress):
    board = capstone.evidence_board(events)
    known = "2020-03-05-moscow-additional-protocol"
    assert known in set(events["event_id"])
    message = board.add("2020-03-05-moscow-protocol")
    assert "No event has the id" in message
    assert known in message
    assert board.evidence == []
    assert "No event has the id" in board.message.value


@pytest.mark.parametrize(
    "odd", [None, "", "   ", 42, 3.5, [], ["nope"], {"a": 1}, "<b>x</b>", ("x", None), float("nan")]
)
def test_odd_input_never_raises(events, progress, odd):
    board = capstone.evidence_board(events)
    message = board.add(odd)
    assert isinstance(message, str) and message
    assert isinstance(board.remove(odd), str)
    assert "<b>" not in board.message.value
    board.search.value = str(odd)
    board.theme.value = "All themes"
    assert isinstance(board.evidence, list)


def test_empty_search_says_so(events, progress):
    board = capstone.evidence_board(events)
    board.search.value = "qqqqqq"
    assert board.results.children == () or list(board.results.children) == []
    assert "No row matches" in board.results_caption.value


def test_damaged_progress_file_does_not_stop_the_board(events, progress):
    progress.write_text("{not json", encoding="utf-8")
    board = capstone.evidence_board(events)
    assert board.evidence == []
    board.add(events["event_id"].iloc[0])
    assert board.evidence == [events["event_id"].iloc[0]]


def test_evidence_table_and_repr(events, progress):
    ids = events["event_id"].tolist()[:3]
    table = capstone.evidence_table(events, [*ids, "unknown-id"])
    assert list(table.index) == ids
    assert "source_kind" in table.columns
    board = capstone.evidence_board(events)
    assert repr(board) == repr(capstone.evidence_board(events))


def test_show_evidence_is_friendly_when_empty(events):
    shown = capstone.show_evidence(events, [])
    assert "Nothing collected yet" in shown.data
    ids = events["event_id"].tolist()[:1]
    assert list(capstone.show_evidence(events, ids).index) == ids
