"""The exercise engine (`lessons.checks`): the bundled exercises, grading, the widget, progress.

Two sets of exercises: every bundled `src/lessons/exercises/NN.json` (each must follow
docs/exercise_format.md, compute its answer, accept it and reject a wrong one, and say each of
its targeted messages), and a small fixture (`tests/fixtures/exercises/99.json`, one exercise of
every input kind) that pins down how each kind reads and grades answers, independent of the
lessons being written. No test writes into the repository: conftest.py points LESSONS_PROGRESS
at a fresh temporary file for every test.
"""

from __future__ import annotations

import copy
import datetime as dt
import doctest
import json
import math
from pathlib import Path

import ipywidgets as w
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import _ask, _grading, _progress, checks

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "exercises"
BUNDLED = ROOT / "src" / "lessons" / "exercises"
LESSONS = [f"{n:02d}" for n in range(11)]


def _bundled() -> dict[str, dict]:
    """The bundled exercises as written (not validated: the format test reports problems)."""
    found = {}
    for file in sorted(BUNDLED.glob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for ex in data if isinstance(data, list) else []:
            if isinstance(ex, dict) and isinstance(ex.get("id"), str):
                found[ex["id"]] = ex
    return found


BUNDLED_EXERCISES = _bundled()
CLOSED = [i for i, ex in BUNDLED_EXERCISES.items() if ex.get("input") != "essay"]
ESSAYS = [i for i, ex in BUNDLED_EXERCISES.items() if ex.get("input") == "essay"]
TARGETED = [
    (i, n)
    for i, ex in BUNDLED_EXERCISES.items()
    if ex.get("input") != "essay"
    for n in range(len(ex.get("feedback", []) if isinstance(ex.get("feedback"), list) else []))
]


@pytest.fixture(autouse=True)
def _fresh_engine():
    """Each test starts with the bundled exercises and no tries or hints in this process."""
    checks.use_folder(None)
    yield
    checks.use_folder(None)


@pytest.fixture
def fixture_exercises():
    checks.use_folder(FIXTURES)
    return checks.load_exercises(FIXTURES)


# --- the bundled exercises follow the format -------------------------------------------------


@pytest.mark.parametrize("file", sorted(p.name for p in BUNDLED.glob("*.json")))
def test_bundled_file_follows_the_format(file: str) -> None:
    exercises, problems = checks._read_file(BUNDLED / file)
    assert not problems, "\n".join(problems)
    assert exercises, f"{file} holds no exercises"


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_has_the_exercise_mix(lesson: str) -> None:
    if not (BUNDLED / f"{lesson}.json").exists():
        pytest.skip(f"src/lessons/exercises/{lesson}.json is not written yet")
    problems = checks.lesson_problems(BUNDLED_EXERCISES, lesson)
    assert not problems, "\n".join(problems)


def test_all_bundled_exercises_load_together() -> None:
    loaded = checks.load_exercises()
    assert list(loaded) == sorted(loaded, key=checks._sort_key)


@pytest.mark.parametrize("exercise_id", CLOSED)
def test_expected_answer_computes_and_fits(exercise_id: str) -> None:
    answer = checks.expected_answer(exercise_id)
    ex = checks.exercise(exercise_id)
    assert not checks._answer_problems(ex, answer), (answer, checks._answer_problems(ex, answer))


@pytest.mark.parametrize("exercise_id", CLOSED)
def test_closed_exercise_accepts_its_answer(exercise_id: str) -> None:
    feedback = checks.check(exercise_id, checks.expected_answer(exercise_id))
    assert feedback.correct is True, feedback
    assert feedback.message == checks.exercise(exercise_id)["explanation"]


@pytest.mark.parametrize("exercise_id", CLOSED)
def test_closed_exercise_rejects_a_wrong_answer(exercise_id: str) -> None:
    ex = checks.exercise(exercise_id)
    wrong = _wrong_answer(ex, checks.expected_answer(exercise_id))
    feedback = checks.check(exercise_id, wrong)
    assert feedback.correct is False, (wrong, feedback)


@pytest.mark.parametrize(("exercise_id", "entry"), TARGETED)
def test_targeted_feedback_is_said_for_its_answer(exercise_id: str, entry: int) -> None:
    ex = checks.exercise(exercise_id)
    said = ex["feedback"][entry]
    answer = _answer_for(ex, checks.expected_answer(exercise_id), said)
    feedback = checks.check(exercise_id, answer)
    assert feedback.correct is False, (said, feedback)
    assert said["say"] in feedback.message, (answer, feedback)


@pytest.mark.parametrize("exercise_id", list(BUNDLED_EXERCISES))
def test_odd_answers_get_one_friendly_line(exercise_id: str) -> None:
    for odd in ODD_ANSWERS:
        feedback = checks.check(exercise_id, odd)
        assert isinstance(feedback, checks.Feedback)
        assert "could not be checked" not in feedback.message, (odd, feedback)
        assert "Traceback" not in repr(feedback)


@pytest.mark.parametrize("exercise_id", list(BUNDLED_EXERCISES))
def test_bundled_exercise_builds_a_widget_that_reveals_nothing(exercise_id: str) -> None:
    widget = checks.ask(exercise_id)
    assert isinstance(widget, w.VBox)
    assert repr(widget).startswith(f"Exercise {exercise_id} — run this cell (Shift+Enter)")
    ex = checks.exercise(exercise_id)
    shown = _all_text(widget)
    for secret in [*ex["hints"], ex.get("explanation"), ex.get("model_answer")]:
        if secret:
            assert secret not in shown, secret


@pytest.mark.parametrize("exercise_id", ESSAYS)
def test_bundled_essay_model_answer_waits_for_enough_words(exercise_id: str) -> None:
    ex = checks.exercise(exercise_id)
    assert checks.reveal(exercise_id).label != "Model answer"
    checks.check(exercise_id, "word " * _grading.min_words(ex))
    assert checks.reveal(exercise_id).message == ex["model_answer"]


def _wrong_answer(ex: dict, expected):
    kind = ex["input"]
    if kind == "number":
        return float(expected) + float(ex.get("tolerance", 0)) + 1_000
    if kind == "date":
        day, _precision = _grading.read_date(expected)
        return (day + dt.timedelta(days=800)).isoformat()
    if kind == "text":
        return "certainly not this"
    if kind == "choice":
        right = {_grading.fold(a) for a in [expected, *ex.get("accept", [])]}
        return next(o for o in ex["options"] if _grading.fold(o) not in right)
    if kind == "multi":
        return list({*ex["options"]} ^ {ex["options"][0]} ^ set(expected)) or [ex["options"][0]]
    if kind == "order":
        return list(reversed(expected)) if len(expected) > 2 else expected[::-1]
    if kind == "classify":
        first = ex["items"][0]["key"]
        other = next(c for c in ex["categories"] if c != expected[first])
        return {**expected, first: other}
    raise AssertionError(kind)


def _answer_for(ex: dict, expected, entry: dict):
    """An answer that should draw this targeted feedback entry."""
    kind = ex["input"]
    if kind == "multi" and "when_includes" in entry:
        target = entry["when_includes"]
        return [*expected, target] if target not in expected else expected
    if kind == "order" and "when_includes" in entry:
        target = entry["when_includes"]
        order = [o for o in expected if o != target]
        place = expected.index(target)
        order.insert(0 if place != 0 else len(order), target)
        return order
    if kind == "classify":
        return {**expected, entry["when_item"]: entry["is"]}
    when = entry["when"]
    return when[0] if isinstance(when, list) and kind not in ("multi", "order") else when


def _all_text(widget: w.Widget) -> str:
    """Every string a widget and its descendants hold (what the front end could show)."""
    parts = []
    stack = [widget]
    while stack:
        item = stack.pop()
        for name in ("value", "description", "placeholder", "tooltip", "options"):
            value = getattr(item, name, None)
            parts.append(str(value))
        stack.extend(getattr(item, "children", ()))
    return "\n".join(parts)


ODD_ANSWERS = [
    None,
    "",
    "   ",
    ...,
    [],
    {},
    ["2020-03-05", "2020-03-06"],
    {"a": 1},
    float("nan"),
    math.inf,
    True,
    0,
    -1,
    10**30,
    "x" * 100_000,
    "<script>alert(1)</script>",
    b"bytes",
    ("a", "b"),
    {"a", "b"},
    object(),
    pd.NaT,
    pd.Timestamp("2020-03-05"),
    dt.date(2020, 3, 5),
    "2020-02-30",
    "31/12/2020",
    "٣٦",
]


# --- unknown ids -------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["1.99", "99.99", "", None, 5, 55.2, "05.", "x" * 500, ["05.1"]])
def test_unknown_ids_get_a_note_never_an_exception(bad_id) -> None:
    for call in (lambda: checks.check(bad_id, 1), lambda: checks.hint(bad_id)):
        feedback = call()
        assert isinstance(feedback, checks.Feedback)
        assert feedback.correct is None
    assert isinstance(checks.reveal(bad_id), checks.Feedback)
    assert "run this cell" not in repr(checks.ask(bad_id))
    assert len(repr(checks.check(bad_id, 1))) < 400


def test_unknown_id_suggests_the_ids_nearby(fixture_exercises) -> None:
    message = checks.check("99.12", 1).message
    assert "99.1" in message and "99.2" in message
    assert checks.check(" 99.1 ", 36).correct is True


# --- grading each input kind (fixture exercises) -------------------------------------------------


@pytest.mark.parametrize("answer", [36, 36.0, "36", " 36 soldiers", "36.0", "about 36"])
def test_number_reads_what_a_learner_writes(fixture_exercises, answer) -> None:
    assert checks.check("99.1", answer).correct is True


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("33 or 34", "one number"),
        ("many", "Write a number"),
        (True, "Write a number"),
        ([36], "not a list"),
        (float("nan"), "Write a number"),
    ],
)
def test_number_that_cannot_be_read_is_not_an_attempt(fixture_exercises, answer, says) -> None:
    feedback = checks.check("99.1", answer)
    assert feedback.correct is None and says in feedback.message
    assert checks._state("99.1").tries == 0


@pytest.mark.parametrize(
    "answer",
    [
        "2020-03-05",
        "5 March 2020",
        "March 5, 2020",
        "Thursday, 5th March 2020",
        "5 Mar 2020",
        "2020/03/05",
        dt.date(2020, 3, 5),
        dt.datetime(2020, 3, 5, 14, 0),
        pd.Timestamp("2020-03-05"),
    ],
)
def test_date_reads_every_common_form(fixture_exercises, answer) -> None:
    assert checks.check("99.2", answer).correct is True


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (["2020-03-05"], "not a list"),
        ({"day": 5}, "not a list"),
        (None, "date"),
        ("05/03/2020", "cannot be mixed up"),
        ("2020-02-30", "no such day"),
        ("March 2020", "Give the day too"),
        ("2020", "Give the day too"),
    ],
)
def test_date_odd_forms_get_a_friendly_line(fixture_exercises, answer, says) -> None:
    feedback = checks.check("99.2", answer)
    assert feedback.correct is None and says in feedback.message, feedback


def test_text_ignores_case_accents_space_and_takes_accepted_answers(fixture_exercises) -> None:
    for answer in ("recep tayyip erdogan", "  ERDOĞAN ", "Erdogan."):
        assert checks.check("99.3", answer).correct is True
    assert checks.check("99.3", "putin").message == "Putin is Russia's president."


@pytest.mark.parametrize(
    "answer", ["The Turkish defence ministry", "the turkish DEFENCE ministry", "b", "(b)", 2, "2"]
)
def test_choice_takes_a_label_letter_or_number(fixture_exercises, answer) -> None:
    assert checks.check("99.4", answer).correct is True


def test_choice_outside_the_options_names_them(fixture_exercises) -> None:
    feedback = checks.check("99.4", "a blog")
    assert feedback.correct is None and "A rumour" in feedback.message


def test_multi_gives_partial_feedback(fixture_exercises) -> None:
    feedback = checks.check("99.5", ["Kremlin readout", "Anadolu Agency", "TASS"])
    assert feedback.correct is False
    assert feedback.message.startswith("2 of 3 right; you missed 1 that belongs; ")
    assert "“Anadolu Agency” does not belong. Anadolu is Turkey's state news agency." in (
        feedback.message
    )
    assert "RIA" not in feedback.message  # the missed one is not named
    assert checks.check("99.5", "d, c, a").correct is True


def test_order_gives_partial_feedback(fixture_exercises) -> None:
    feedback = checks.check("99.6", ["Su-24 shoot-down", "Moscow protocol", "Sochi memorandum"])
    assert feedback.message.startswith(
        "1 of 3 in the right place; “Moscow protocol” and “Sochi memorandum” are out of place."
    )
    assert "The Moscow protocol came last" in feedback.message
    assert checks.check("99.6", "bca").correct is True
    assert "missing" in checks.check("99.6", ["Su-24 shoot-down"]).message
    assert "more than once" in checks.check("99.6", ["a", "a", "b"]).message


def test_classify_gives_partial_and_per_item_feedback(fixture_exercises) -> None:
    answer = {"c01": "fact", "c02": "fact", "c03": "fact"}
    feedback = checks.check("99.7", answer)
    assert feedback.message.startswith("1 of 3 labelled right.")
    assert "“Ankara says Damascus is to blame.”" in feedback.message
    assert "that is an interpretation" in feedback.message
    missing = checks.check("99.7", {"c01": "fact"})
    assert missing.correct is None and "2 of 3 still have none" in missing.message
    assert checks.check("99.7", {"C01": "a", "c02": "b", "c03": "interpretation"}).correct


def test_essay_counts_words_and_gates_the_model_answer(fixture_exercises) -> None:
    assert "Write your own answer first" in checks.reveal("99.8").message
    short = checks.check("99.8", "Tolls change over time.")
    assert short.correct is None and "4 words" in short.message
    assert checks.reveal("99.8").label == "ℹ Note"
    checks.check(
        "99.8", "Tolls change because reports come at different times from different people"
    )
    shown = checks.reveal("99.8")
    assert shown.label == "Model answer" and shown.message.startswith("Tolls rise")
    assert _progress.record("99.8")["status"] == "written"


def test_essay_text_survives_a_restart(fixture_exercises) -> None:
    text = "one two three four five six seven eight nine ten eleven"
    checks.check("99.8", text)
    checks.use_folder(FIXTURES)  # a new kernel: nothing in memory
    assert checks.reveal("99.8").label == "Model answer"
    assert checks.ask("99.8").controls["answer"].value == text


# --- hints, answers ----------------------------------------------------------------------


def test_hint_ladder_advances_and_stops_at_the_last(fixture_exercises) -> None:
    first, second, third = (checks.hint("99.1") for _ in range(3))
    assert first.label == "Hint 1 of 2" and first.message.startswith("Open the toll explorer")
    assert second.label == "Hint 2 of 2" and second.message.startswith("Move the slider")
    assert third.label == "Hint 2 of 2" and "last hint" in third.message
    assert checks.hint("99.2", 2).label == "Hint 2 of 2"


def test_wrong_answers_bring_the_next_hint(fixture_exercises) -> None:
    targeted = checks.check("99.1", 33)
    assert "Hint" not in targeted.message  # its own message is enough the first time
    general = checks.check("99.1", 12)
    assert (
        general.message
        == "Look again. Hint 1 of 2: Open the toll explorer and pick the Balyun attack."
    )
    again = checks.check("99.1", 33)  # a targeted message, but the second wrong try
    assert "Hint 2 of 2" in again.message


def test_reveal_is_labelled_answer_never_correct(fixture_exercises) -> None:
    for exercise_id in ("99.1", "99.2", "99.4", "99.5", "99.6", "99.7"):
        shown = checks.reveal(exercise_id)
        assert shown.label == "Answer" and shown.correct is None
        assert repr(shown).startswith(f"Answer ({exercise_id}): ")
        assert "Correct" not in repr(shown) and "Correct" not in shown._repr_html_()
    assert repr(checks.reveal("99.2")).startswith("Answer (99.2): 5 March 2020 (2020-03-05).")


def test_feedback_html_is_escaped() -> None:
    shown = checks.Feedback("<b>", False, "<script>x</script>")._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown and 'role="status"' in shown


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,  # the same 150 odd answers every run: CI never turns red by chance
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    exercise=st.sampled_from([f"99.{k}" for k in range(1, 9)]),
    answer=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text()
        | st.dates()
        | st.sampled_from(["b", "fact", "2020-03-05", "36", "TASS", "c01"]),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    ),
)
def test_no_answer_ever_raises(exercise, answer) -> None:
    checks.use_folder(FIXTURES)
    feedback = checks.check(exercise, answer)
    assert isinstance(feedback, checks.Feedback)
    assert "could not be checked" not in feedback.message, feedback


# --- the widget --------------------------------------------------------------------------


def _click_check(widget: _ask.Ask) -> str:
    widget.check_button.click()
    return widget.feedback.value


@pytest.mark.parametrize(
    ("exercise_id", "answer", "says"),
    [
        ("99.1", "33", "governor of Hatay"),
        ("99.1", "36 soldiers", "The last report counts 36 dead."),
        ("99.2", dt.date(2020, 2, 27), "Thursday before the report"),
        ("99.2", dt.date(2020, 3, 5), "Two days after"),
        ("99.3", "Putin", "Russia&#x27;s president"),
        ("99.4", "A tweet", "may repeat a figure"),
    ],
)
def test_widget_check_gives_the_feedback(fixture_exercises, exercise_id, answer, says) -> None:
    widget = checks.ask(exercise_id)
    assert widget.reveal_button.disabled
    widget.controls["answer"].value = answer
    assert says in _click_check(widget)
    assert 'role="status"' in widget.feedback.value
    assert not widget.reveal_button.disabled


def test_widget_for_multi_order_and_classify(fixture_exercises) -> None:
    multi = checks.ask("99.5")
    multi.controls["option 1"].value = True
    multi.controls["option 2"].value = True
    assert "1 of 3 right; you missed 2 that belong" in _click_check(multi)

    order = checks.ask("99.6")
    assert order.order == ["Moscow protocol", "Su-24 shoot-down", "Sochi memorandum"]
    up_second = order.controls["order"].children[1].children[0]
    up_second.click()  # "Up" on row 2
    assert order.order == ["Su-24 shoot-down", "Moscow protocol", "Sochi memorandum"]
    assert "1 of 3 in the right place" in _click_check(order)
    order.move(2, -1)
    assert "Correct" in _click_check(order)

    classify = checks.ask("99.7")
    pickers = [classify.controls[k] for k in ("c01", "c02", "c03")]
    assert all(p.value is None for p in pickers)  # nothing preselected
    assert "Give each item a label first" in _click_check(classify)
    pickers[0].value = "fact"
    assert "2 of 3 still have none (item 2 (c02), 3 (c03))" in _click_check(classify)
    assert classify.reveal_button.disabled  # an empty answer is not an attempt
    for picker, label in zip(pickers, ["fact", "fact", "fact"], strict=True):
        picker.value = label
    assert "1 of 3 labelled right" in _click_check(classify)
    assert "Thirty-six soldiers were killed." in _all_text(classify)  # full item text


def test_widget_choice_has_no_preselection(fixture_exercises) -> None:
    widget = checks.ask("99.4")
    assert widget.controls["answer"].value is None
    assert "Choose one of the options" in _click_check(widget)


def test_widget_hints_and_automatic_hint_after_second_wrong_try(fixture_exercises) -> None:
    widget = checks.ask("99.1")
    assert widget.hints.value == ""
    widget.controls["answer"].value = "33"
    widget.check_button.click()
    assert widget.hints.value == ""
    widget.controls["answer"].value = "34"
    widget.check_button.click()
    assert "Hint 1 of 2" in widget.hints.value
    widget.hint_button.click()
    assert "Hint 2 of 2" in widget.hints.value
    widget.reveal_button.click()
    assert "<strong>Answer</strong> (99.1): 36." in widget.feedback.value


def test_widget_then_appears_only_after_the_first_check(fixture_exercises) -> None:
    follow_up = w.HTML(value="the chart")
    calls = []

    def then():
        calls.append(1)
        return follow_up

    widget = checks.ask("99.4", then=then)
    assert not calls and follow_up not in widget.children
    widget.check_button.click()  # nothing chosen: not an attempt yet
    assert not calls
    widget.controls["answer"].value = "A rumour"
    widget.check_button.click()
    widget.check_button.click()
    assert calls == [1] and widget.children[-1] is follow_up


def test_widget_then_that_fails_gives_a_line(fixture_exercises) -> None:
    widget = checks.ask("99.1", then=lambda: 1 / 0)
    widget.controls["answer"].value = "36"
    widget.check_button.click()
    assert "could not be shown" in widget.feedback.value


def test_widget_essay_saves_text_and_opens_model_answer_and_checklist(fixture_exercises) -> None:
    widget = checks.ask("99.8")
    assert widget.reveal_button.description == "Show model answer"
    assert widget.reveal_button.disabled
    widget.controls["answer"].value = "Tolls change as counts grow."
    assert widget.reveal_button.disabled and "5 words" in widget._word_count.value
    text = "Tolls change as counts grow and as different people speak for each side"
    widget.controls["answer"].value = text
    assert _progress.record("99.8")["text"] == text  # saved on the change
    assert not widget.reveal_button.disabled
    widget.reveal_button.click()
    assert "Model answer" in widget.feedback.value
    ticks = [c for c in widget._checklist.children if isinstance(c, w.Checkbox)]
    assert ticks[0].description == "I named the time of each report."
    ticks[1].value = True
    assert _progress.record("99.8")["checklist"] == [1]


def test_widget_text_view_and_markup(fixture_exercises) -> None:
    widget = checks.ask("99.1")
    assert repr(widget) == (
        "Exercise 99.1 — run this cell (Shift+Enter) to answer: How many Turkish soldiers "
        "died in the Balyun strike, by the last report in the toll explorer?"
    )
    assert widget._repr_mimebundle_()["text/plain"].startswith("Exercise 99.1 — run this cell")
    assert "<strong>Balyun</strong>" in widget.prompt.value
    assert "<code>toll explorer</code>" in widget.prompt.value
    assert "font-size:15px" in widget.prompt.value


def test_widget_is_deterministic_and_labelled(fixture_exercises) -> None:
    for exercise_id in (f"99.{k}" for k in range(1, 9)):
        first, second = checks.ask(exercise_id), checks.ask(exercise_id)
        assert _all_text(first) == _all_text(second)
        for item in _descendants(first):
            if isinstance(item, (w.Button, w.Text, w.Textarea, w.Dropdown, w.Checkbox)):
                assert item.description or item.tooltip, item
            if isinstance(item, (w.RadioButtons, w.DatePicker)):
                assert item.description


def _descendants(widget: w.Widget) -> list[w.Widget]:
    found, stack = [], [widget]
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(getattr(item, "children", ()))
    return found


def test_markdown_is_escaped_before_formatting() -> None:
    shown = _ask.markdown_html("**<img src=x onerror=alert(1)>** and `a<b`\n\nnew")
    assert "<img" not in shown and "&lt;img" in shown
    assert "<code>a&lt;b</code>" in shown and "</p><p>new" in shown


# --- progress ----------------------------------------------------------------------------


def test_nothing_is_written_at_import_or_by_showing_widgets(fixture_exercises) -> None:
    for k in range(1, 9):
        checks.ask(f"99.{k}")
    checks.progress("99")
    checks.progress()
    checks.hint("99.1")
    assert not _progress.path().exists()


def test_progress_round_trip(fixture_exercises) -> None:
    empty = checks.progress("99")
    assert empty.title == "Lesson 99: 0 of 8 exercises done"
    assert {row[2] for row in empty.rows} == {"not tried"}
    checks.check("99.1", 36)
    checks.check("99.2", "2020-01-01")
    checks.reveal("99.2")
    checks.check("99.8", "a few words")
    checks.use_folder(FIXTURES)  # as after a kernel restart
    shown = checks.progress("99")
    statuses = {row[0]: row[2] for row in shown.rows}
    assert statuses["99.1"] == "right"
    assert statuses["99.2"] == "tried (answer shown)"
    assert statuses["99.8"] == "written"
    assert statuses["99.3"] == "not tried"
    assert shown.title == "Lesson 99: 2 of 8 exercises done"
    assert "<table" in shown._repr_html_() and "right" in repr(shown)
    overall = checks.progress()
    assert overall.rows == (
        ("Lesson 99", "8 exercises", "1 right, 1 written, 1 tried, 5 not tried"),
    )
    stored = json.loads(_progress.path().read_text(encoding="utf-8"))
    assert stored["version"] == 1 and stored["exercises"]["99.1"]["status"] == "right"
    assert [p.name for p in _progress.path().parent.iterdir()] == ["lessons_progress.json"]


def test_right_stays_right_after_a_later_wrong_try(fixture_exercises) -> None:
    checks.check("99.1", 36)
    checks.check("99.1", 12)
    assert _progress.record("99.1")["status"] == "right"


def test_progress_output_does_not_depend_on_where_it_is_kept(
    fixture_exercises, monkeypatch, tmp_path
):
    first = repr(checks.progress("99")), checks.progress("99")._repr_html_()
    monkeypatch.setenv("LESSONS_PROGRESS", str(tmp_path / "elsewhere" / "p.json"))
    assert (repr(checks.progress("99")), checks.progress("99")._repr_html_()) == first
    assert "elsewhere" not in first[0] and "/tmp" not in first[1]


def test_corrupt_progress_file_starts_over_with_a_warning(fixture_exercises) -> None:
    path = _progress.path()
    path.write_text("{not json", encoding="utf-8")
    shown = checks.progress("99")
    assert "damaged" in shown.note and {row[2] for row in shown.rows} == {"not tried"}
    assert checks.check("99.1", 36).correct is True
    assert path.with_name(path.name + ".corrupt").read_text(encoding="utf-8") == "{not json"
    assert json.loads(path.read_text(encoding="utf-8"))["exercises"]["99.1"]["status"] == "right"
    assert "damaged" not in checks.progress("99").note


def test_unwritable_progress_file_loses_progress_not_the_lesson(
    fixture_exercises, monkeypatch, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("LESSONS_PROGRESS", str(blocker / "progress.json"))
    assert checks.check("99.1", 36).correct is True
    assert "Could not save" in (_progress.last_warning or "")


def test_progress_of_unknown_lesson_is_a_line() -> None:
    shown = checks.progress("42")
    assert "no exercises" in shown.note
    assert isinstance(checks.progress(object()), checks.Progress)


def test_cli_progress_prints_every_lesson(fixture_exercises, tmp_path, monkeypatch) -> None:
    from lessons.cli import main

    monkeypatch.delenv("LESSONS_PROGRESS")
    monkeypatch.chdir(tmp_path)
    checks.check("99.1", 36)
    assert (tmp_path / "lessons_progress.json").exists()
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0, result.output
    assert "Lesson 99: 1 of 8 exercises done" in result.output
    assert "99.1" in result.output and "right" in result.output


# --- the format, the loader ----------------------------------------------------------------


def test_fixture_follows_the_format(fixture_exercises) -> None:
    assert list(fixture_exercises) == [f"99.{k}" for k in range(1, 9)]
    assert {ex["input"] for ex in fixture_exercises.values()} == set(_grading.KINDS)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda ex: ex.pop("hints"), "at least 2 hints"),
        (lambda ex: ex.update(hints=["only one"]), "at least 2 hints"),
        (lambda ex: ex.pop("feedback"), "targeted message"),
        (lambda ex: ex.pop("explanation"), "explanation"),
        (lambda ex: ex.update(input="slider"), '"input" must be one of'),
        (lambda ex: ex.update(level="easy"), '"level" must be one of'),
        (lambda ex: ex.update(answer="36"), "must be a number"),
        (lambda ex: ex.update(answer_from={"dataset": "events"}), "exactly one of"),
        (lambda ex: ex.update(tolerence=1), "unknown field 'tolerence'"),
        (lambda ex: ex.update(id="98.1"), "should start with 99."),
    ],
)
def test_malformed_exercise_is_named_with_file_and_id(tmp_path, change, says) -> None:
    exercises = json.loads((FIXTURES / "99.json").read_text(encoding="utf-8"))
    change(exercises[0])
    (tmp_path / "99.json").write_text(json.dumps(exercises), encoding="utf-8")
    with pytest.raises(checks.ExerciseError) as err:
        checks.load_exercises(tmp_path)
    assert "99.json, exercise" in str(err.value) and says in str(err.value)


def test_unreadable_file_gives_a_note_naming_it(tmp_path) -> None:
    (tmp_path / "99.json").write_text('[{"id": "99.1",', encoding="utf-8")
    checks.use_folder(tmp_path)
    note = checks.check("99.1", 36)
    assert "not ready yet (99.json: not readable as JSON" in note.message
    with pytest.raises(checks.ExerciseError, match=r"99\.json"):
        checks.load_exercises(tmp_path)


def test_broken_exercise_gives_a_note_and_the_others_still_work(tmp_path) -> None:
    exercises = json.loads((FIXTURES / "99.json").read_text(encoding="utf-8"))
    exercises[0]["hints"] = []
    (tmp_path / "99.json").write_text(json.dumps(exercises), encoding="utf-8")
    checks.use_folder(tmp_path)
    note = checks.check("99.1", 36)
    assert note.correct is None and "not ready yet" in note.message and "99.json" in note.message
    assert checks.check("99.3", "Erdogan").correct is True
    assert "not ready yet" in repr(checks.ask("99.1"))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda ex: ex.update(options=list(ex["answer"])), "shuffle them"),
        (lambda ex: ex.update(answer=ex["answer"][:2]), "every option once"),
    ],
)
def test_order_rules(tmp_path, change, says) -> None:
    exercises = json.loads((FIXTURES / "99.json").read_text(encoding="utf-8"))
    change(exercises[5])
    assert any(says in p for p in checks.exercise_problems(exercises[5], "99.json"))


def test_lesson_rules_need_four_two_judge_and_an_essay() -> None:
    few = {"99.1": {"id": "99.1", "level": "recall", "input": "number"}}
    problems = " ".join(checks.lesson_problems(few, "99"))
    assert "at least 4" in problems and "judge or open" in problems and "essay" in problems


def test_answer_from_the_data(tmp_path) -> None:
    exercises = json.loads((FIXTURES / "99.json").read_text(encoding="utf-8"))
    first = copy.deepcopy(exercises[0])
    first.pop("answer")
    first["answer_from"] = {"dataset": "toll_reports", "query": "killed == 36", "how": "count"}
    first["feedback"] = [{"when": 0, "say": "Look at the last report."}]
    (tmp_path / "99.json").write_text(json.dumps([first]), encoding="utf-8")
    checks.use_folder(tmp_path)
    tolls = pd.DataFrame(checks._filtered({"dataset": "toll_reports"}))
    assert checks.expected_answer("99.1") == int((tolls["killed"] == 36).sum())
    assert checks.check("99.1", checks.expected_answer("99.1")).correct is True


def test_named_computations_are_registered_and_easy_to_add() -> None:
    assert {"order_by_date", "phase_extreme", "russia_gas_share", "gas_change"} <= set(
        checks._COMPUTED
    )

    @checks.computation
    def answer_forty_two() -> int:
        return 42

    try:
        assert checks._answer_from_data({"function": "answer_forty_two"}) == 42
    finally:
        checks._COMPUTED.pop("answer_forty_two")
    ordered = checks.order_by_date(
        ["Moscow protocol", "2020-03-05-moscow-additional-protocol"],
        ["Sochi", "2018-09-17-sochi-idlib-memorandum"],
    )
    assert ordered == ["Sochi", "Moscow protocol"]


def test_judge_date_lives_in_checks_and_widgets_still_has_it() -> None:
    from lessons import widgets

    claims = pd.DataFrame(
        [
            {
                "time_phrase": "Thursday",
                "resolved_date": pd.Timestamp("2020-03-05"),
                "resolved_precision": "day",
                "resolved_end": pd.NaT,
                "note": "Two days on.",
            }
        ]
    )
    claim = claims.iloc[0]
    assert checks.judge_date(claim, "5 March 2020").correct is True
    assert checks.judge_date(claim, ["2020-03-05"]).correct is False
    assert checks.judge_date(claim, None).correct is None
    assert widgets.judge_date(claim, "2020-03-05").correct is True


@pytest.mark.parametrize("module", [checks, _grading, _ask])
def test_doctests(module) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_share_given_as_a_percentage(tmp_path) -> None:
    exercises = json.loads((FIXTURES / "99.json").read_text(encoding="utf-8"))
    share = {**exercises[0], "answer": 0.55, "tolerance": 0.01}
    share["feedback"] = [{"when": 0.45, "say": "That is everyone else's share."}]
    (tmp_path / "99.json").write_text(json.dumps([share]), encoding="utf-8")
    checks.use_folder(tmp_path)
    assert checks.check("99.1", "55%").correct is True
    assert checks.check("99.1", 0.555).correct is True
    assert checks.check("99.1", "45 %").correct is False


def test_then_may_be_a_ready_object(fixture_exercises) -> None:
    ready = w.HTML(value="shown after")
    widget = checks.ask("99.3", then=ready)
    widget.controls["answer"].value = "Erdogan"
    widget.check_button.click()
    assert widget.children[-1] is ready


def test_exercises_ship_inside_the_package() -> None:
    import tomllib
    from importlib import resources

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "src/lessons" in wheel["packages"]  # every file under it, the JSON included
    assert not wheel.get("exclude") and not wheel.get("only-include")
    assert (resources.files("lessons") / "exercises").is_dir()
    assert not (ROOT / "src" / "lessons" / "exercises.json").exists()  # the old file is gone


def test_changing_a_returned_answer_cannot_change_the_key() -> None:
    answer = checks.expected_answer("05.2")
    answer.reverse()
    assert checks.expected_answer("05.2") != answer
    assert checks.check("05.2", answer).correct is False


# --- the named computations, on small tables whose answers can be worked out by hand -------


def _tables(monkeypatch, **tables: pd.DataFrame) -> None:
    """Make `lessons.data.load_table(name)` return these tables (and only these)."""
    import lessons.data

    def load_table(name: str, path=None) -> pd.DataFrame:
        return tables[name].copy()

    monkeypatch.setattr(lessons.data, "load_table", load_table)


EVENTS = pd.DataFrame(
    {
        "event_id": ["e-2016", "e-2018a", "e-2018b", "e-2020"],
        "date": pd.to_datetime(["2016-06-27", "2018-09-17", "2018-12-01", "2020-03-05"]),
        "category": ["diplomacy", "military", "military", "diplomacy"],
        "quad_class": [1, 4, 3, 1],
        "goldstein": [3.0, -9.0, -5.0, 4.0],
    }
)
PHASES = pd.DataFrame(
    {
        "phase": ["Reset", "Rivalry"],
        "start": pd.to_datetime(["2016-01-01", "2018-01-01"]),
        "end": pd.to_datetime(["2017-12-31", "2020-12-31"]),
    }
)


def _gas(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """(month, from Russia, from everyone else) -> the gas table's long form, in TJ."""
    out = []
    for month, russia, other in rows:
        out.append({"month": month, "partner": "Russia", "value": russia})
        out.append({"month": month, "partner": "Azerbaijan", "value": other})
    frame = pd.DataFrame(out).assign(commodity="gas_all", unit="TJ", country="Turkey")
    return frame


def _monthly(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """(month, direction, Goldstein sum, Goldstein mean) -> the coded monthly table."""
    return pd.DataFrame(rows, columns=["month", "direction", "goldstein_sum", "goldstein_mean"])


def test_order_by_date_sorts_ids_or_labels(monkeypatch) -> None:
    _tables(monkeypatch, events=EVENTS)
    assert checks.order_by_date("e-2020", "e-2016", "e-2018a") == ["e-2016", "e-2018a", "e-2020"]
    assert checks.order_by_date(["Moscow", "e-2020"], ["Sochi", "e-2018a"]) == ["Sochi", "Moscow"]


def test_phase_extreme_picks_the_most_and_least_cooperative_phase(monkeypatch) -> None:
    # Reset: 1 event, cooperative (QuadClass 1) -> share 1.0; Rivalry: 1 of 3 -> 0.33
    _tables(monkeypatch, events=EVENTS, phases=PHASES)
    assert checks.phase_extreme("max") == "Reset"
    assert checks.phase_extreme("min") == "Rivalry"


def test_russia_gas_share_is_the_mean_monthly_share(monkeypatch) -> None:
    gas = _gas([("2020-01", 30, 70), ("2020-02", 50, 50), ("2021-01", 20, 80)])
    _tables(monkeypatch, gas_imports_turkey=gas)
    assert checks.russia_gas_share(2020, 2020) == 0.4  # (0.3 + 0.5) / 2
    assert checks.russia_gas_share(2020, 2021) == 0.333  # (0.3 + 0.5 + 0.2) / 3, 3 decimals
    assert checks.russia_gas_share(2021, 2021) == 0.2


@pytest.mark.parametrize(
    ("russia_2021", "says"),
    [
        (100, "rose"),  # 80 -> 100
        (80, "rose"),  # unchanged counts as not fallen
        (75, "fell by less than 10%"),  # -6.25%
        (71, "fell by 10% or more"),  # -11.25%
        (20, "fell by 10% or more"),
    ],
)
def test_gas_change_in_words(monkeypatch, russia_2021, says) -> None:
    gas = _gas([("2020-01", 30, 70), ("2020-02", 50, 50), ("2021-01", russia_2021, 1)])
    _tables(monkeypatch, gas_imports_turkey=gas)
    assert checks.gas_change(2020, 2021) == says


@pytest.mark.parametrize(
    ("rus_b", "tur_b", "says"),
    [
        (150, 150, "It rose in both directions"),
        (50, 50, "It fell in both directions"),
        (105, 95, "It stayed about the same"),  # within 10% both ways
        (150, 50, "It rose in one direction and fell in the other"),
        (150, 100, "It rose in one direction and fell in the other"),  # rose + same: mixed
    ],
)
def test_goldstein_sum_change_in_both_directions(monkeypatch, rus_b, tur_b, says) -> None:
    monthly = _monthly(
        [
            ("2018-01", "RUS->TUR", 100, 1.0),
            ("2018-01", "TUR->RUS", 100, 1.0),
            ("2018-02", "RUS->TUR", rus_b, 1.0),
            ("2018-02", "TUR->RUS", tur_b, 1.0),
        ]
    )
    _tables(monkeypatch, icews18_rus_tur_monthly=monthly)
    assert checks.goldstein_sum_change("2018-01", "2018-02") == says


def test_goldstein_sum_change_from_a_quiet_month_is_not_a_division_by_zero(monkeypatch) -> None:
    monthly = _monthly(
        [
            ("2018-01", "RUS->TUR", 0, 0.0),
            ("2018-01", "TUR->RUS", 0, 0.0),
            ("2018-02", "RUS->TUR", 5, 1.0),
            ("2018-02", "TUR->RUS", -5, -1.0),
        ]
    )
    _tables(monkeypatch, icews18_rus_tur_monthly=monthly)
    assert checks.goldstein_sum_change("2018-01", "2018-02") == (
        "It rose in one direction and fell in the other"
    )


@pytest.mark.parametrize(
    ("other_tur_mean", "top"),
    [(1.5, True), (2.0, False), (2.5, False)],  # a tie is not "clearly the highest"
)
def test_september_mean_rank(monkeypatch, other_tur_mean, top) -> None:
    monthly = _monthly(
        [
            ("2018-08", "RUS->TUR", 0, 1.0),
            ("2018-08", "TUR->RUS", 0, other_tur_mean),
            ("2018-09", "RUS->TUR", 0, 3.0),
            ("2018-09", "TUR->RUS", 0, 2.0),
            ("2017-01", "TUR->RUS", 0, 9.0),  # another year does not count
        ]
    )
    _tables(monkeypatch, icews18_rus_tur_monthly=monthly)
    answer = checks.september_mean_rank()
    assert answer.startswith("September is still clearly") is top
    assert answer.startswith("September is no longer") is not top


def test_busiest_theme_and_year_count_the_rows(monkeypatch) -> None:
    _tables(monkeypatch, events=EVENTS)
    assert checks.busiest_theme() in {"Diplomacy", "Military"}  # 2 each: either is a fair count
    more = pd.concat([EVENTS, EVENTS.iloc[[1]].assign(event_id="e-2018c")], ignore_index=True)
    _tables(monkeypatch, events=more)
    assert checks.busiest_theme() == "Military"
    assert checks.busiest_year() == 2018


# --- judge_date: a learner's date for a claim's time phrase -------------------------------------


def _claim(precision: str, date: str, end: str | None = None) -> pd.Series:
    return pd.Series(
        {
            "time_phrase": "last Thursday",
            "resolved_date": pd.Timestamp(date),
            "resolved_precision": precision,
            "resolved_end": pd.Timestamp(end) if end else pd.NaT,
            "note": "Two days before the report.",
        }
    )


@pytest.mark.parametrize(
    ("claim", "guess", "correct"),
    [
        (_claim("day", "2020-02-27"), "27 February 2020", True),
        (_claim("day", "2020-02-27"), dt.date(2020, 2, 27), True),
        (_claim("day", "2020-02-27"), pd.Timestamp("2020-02-27 18:30"), True),
        (_claim("day", "2020-02-27"), "2020-02-28", False),
        (_claim("month", "2020-02-01"), "2020-02-17", True),
        (_claim("month", "2020-02-01"), "2020-03-01", False),
        (_claim("year", "2019-01-01"), "5 July 2019", True),
        (_claim("day", "2020-02-27", end="2020-03-01"), "2020-02-29", True),  # inside a span
        (_claim("day", "2020-02-27", end="2020-03-01"), "2020-03-02", False),
    ],
)
def test_judge_date_at_the_claims_precision(claim, guess, correct) -> None:
    feedback = checks.judge_date(claim, guess)
    assert feedback.correct is correct
    if correct:
        assert feedback.message.startswith(f"right {claim['resolved_precision']}.")
        assert "Two days before the report." in feedback.message


def test_judge_date_says_which_way_to_look() -> None:
    claim = _claim("day", "2020-02-27")
    assert "the answer is later" in checks.judge_date(claim, "2020-02-20").message
    assert "the answer is earlier" in checks.judge_date(claim, "2020-03-01").message


@pytest.mark.parametrize(
    ("guess", "correct", "says"),
    [
        (None, None, "pick a date"),
        ("  ", None, "pick a date"),
        ("2020-02-30", False, "no such day"),
        ("27/02/2020", False, "cannot be mixed up"),
        (["2020-02-27"], False, "not a list"),
        (True, False, "Write the date"),
    ],
)
def test_judge_date_odd_guesses_never_raise(guess, correct, says) -> None:
    feedback = checks.judge_date(_claim("day", "2020-02-27"), guess)
    assert feedback.correct is correct and says in feedback.message


def test_an_unquoted_id_is_read_as_the_exercise_it_looks_like() -> None:
    """`checks.check(5.2, …)`: a learner forgot the quotes; 5.2 is exercise 05.2."""
    right = checks.expected_answer("05.2")
    assert checks.expected_answer(5.2) == right
    assert checks.check(5.2, right).correct is True
    assert checks.hint(5.2).exercise == "05.2"
