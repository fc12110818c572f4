"""`lessons._grading`: reading a learner's answer and comparing it with the right one.

Direct unit tests of the pure functions behind `checks.check`, with exercises written inline
(no bundled JSON, no progress file, no widget), so a change in how one input kind reads or
grades shows up here by name. test_checks.py tests the same through the public engine.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import _grading as g
from lessons._grading import Unreadable

NUMBER = {
    "input": "number",
    "tolerance": 0,
    "explanation": "36 soldiers died.",
    "feedback": [
        {"when": 33, "say": "33 was the first count, by the governor of Hatay."},
        {"when": [34, 35], "say": "Those were counts during the night."},
    ],
}
DATE = {
    "input": "date",
    "feedback": [{"when": "2020-02-27", "say": "That is the attack itself."}],
}
CHOICE = {
    "input": "choice",
    "options": ["Fact", "Interpretation", "Prediction"],
    "accept": ["a fact"],
    "feedback": [{"when": "Prediction", "say": "Nothing here is about the future."}],
}
MULTI = {
    "input": "multi",
    "options": ["TASS", "Anadolu", "Reuters", "A tweet"],
    "feedback": [{"when_includes": "A tweet", "say": "A tweet may repeat a figure."}],
}
ORDER = {
    "input": "order",
    "options": ["Sochi", "Astana", "Moscow"],
    "feedback": [{"when_includes": "Moscow", "say": "Moscow came last, in March 2020."}],
}
CLASSIFY = {
    "input": "classify",
    "items": [
        {"key": "c01", "text": "36 soldiers were killed."},
        {"key": "c02", "text": "Russia wanted to punish Turkey."},
    ],
    "categories": ["fact", "interpretation"],
    "feedback": [{"when_item": "c02", "is": "fact", "say": "A motive is read into events."}],
}
ESSAY = {"input": "essay", "min_words": 5, "model_answer": "…"}


# --- reading ----------------------------------------------------------------------------------


def test_fold_ignores_case_accents_space_and_punctuation() -> None:
    assert g.fold("  Erdoğan. ") == g.fold("ERDOGAN") == "erdogan"
    assert g.fold("Çavuşoğlu") == "cavusoglu"
    assert g.fold("İzmir") == g.fold("izmir")  # Turkish dotted capital I
    assert g.fold("S-400") == g.fold("s 400") == "s400"
    assert g.fold(36) == "36"


@pytest.mark.parametrize("answer", [None, ..., math.nan, "", "   \n", [], (), {}, set()])
def test_blank_answers(answer) -> None:
    assert g.is_blank(answer)


@pytest.mark.parametrize("answer", [0, 0.0, False, "0", " x ", [None], {"a": ""}])
def test_answers_that_are_not_blank(answer) -> None:
    assert not g.is_blank(answer)


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        (36, 36.0),
        (36.5, 36.5),
        ("36", 36.0),
        ("36 soldiers", 36.0),
        ("about 36.", 36.0),
        ("1,200", 1200.0),
        ("1 200", 1200.0),
        ("1\u202f200", 1200.0),  # narrow no-break space, as some keyboards write thousands
        ("1,5", 1.5),  # a decimal comma
        ("−3", -3.0),  # the minus sign, not a hyphen
        (" -2.5 ", -2.5),
        (".5", 0.5),
        ("40%", 40.0),
        (np.int64(7), 7.0),
        (Decimal("2.5"), 2.5),
        (Fraction(1, 4), 0.25),
    ],
)
def test_read_number(answer, value) -> None:
    assert g.read_number(answer) == value


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (True, "not True or False"),
        (math.nan, "ordinary number"),
        (math.inf, "ordinary number"),
        ("thirty-six", "Write a number"),
        ("33 or 36", "just one number"),
        ([36], "not a list"),
        ("9" * 3000, "very long"),
    ],
)
def test_read_number_refuses_with_one_sentence(answer, says) -> None:
    with pytest.raises(Unreadable, match=says):
        g.read_number(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "2020-03-05",
        "2020/03/05",
        "2020-3-5",
        "5 March 2020",
        "5 march 2020.",
        "March 5, 2020",
        "Thursday, 5th March 2020",
        "5 Mar 2020",
        "2020-03-05T10:00",
        dt.date(2020, 3, 5),
        dt.datetime(2020, 3, 5, 23, 59),
        pd.Timestamp("2020-03-05"),
        np.datetime64("2020-03-05"),
    ],
)
def test_read_date_every_common_form(answer) -> None:
    assert g.read_date(answer) == (dt.date(2020, 3, 5), "day")


@pytest.mark.parametrize(
    ("answer", "read"),
    [
        ("March 2020", (dt.date(2020, 3, 1), "month")),
        ("2020-03", (dt.date(2020, 3, 1), "month")),
        ("2020", (dt.date(2020, 1, 1), "year")),
        (2020, (dt.date(2020, 1, 1), "year")),
    ],
)
def test_read_date_keeps_the_precision_given(answer, read) -> None:
    assert g.read_date(answer) == read


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (None, "Pick or write a date"),
        (pd.NaT, "Pick or write a date"),
        ("2020-02-30", "no such day"),
        ("31 April 2020", "no such day"),
        ("05/03/2020", "cannot be mixed up"),  # 5 March or May 3?
        ("next Thursday", "Write the date as"),
        (["2020-03-05"], "not a list"),
        (99, "as text"),
    ],
)
def test_read_date_refuses_with_one_sentence(answer, says) -> None:
    with pytest.raises(Unreadable, match=says):
        g.read_date(answer)


@pytest.mark.parametrize("answer", ["Interpretation", " interpretation ", "b", "(b)", "B.", 2, "2"])
def test_read_choice_takes_label_letter_or_number(answer) -> None:
    assert g.read_choice(CHOICE["options"], answer) == "Interpretation"


def test_read_choice_returns_an_accepted_alternative_as_given() -> None:
    assert g.read_choice(CHOICE["options"], "A Fact", accept=["a fact"]) == "A Fact"


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("Opinion", "not one of the options: “Fact”; “Interpretation”; “Prediction”"),
        (4, "not one of the options"),
        ("d", "not one of the options"),
        (True, "'True' is not one of the options"),
        (["a", "b"], "not several"),
    ],
)
def test_read_choice_outside_the_options_names_them(answer, says) -> None:
    with pytest.raises(Unreadable, match=says):
        g.read_choice(CHOICE["options"], answer)


@pytest.mark.parametrize(
    "answer", ["a, c", "a;c", "ac", ["Reuters", "tass"], ("c", "a", "a"), {"a", "c"}]
)
def test_read_multi_gives_labels_in_option_order(answer) -> None:
    assert g.read_multi(MULTI["options"], answer) == ["TASS", "Reuters"]


def test_read_multi_takes_one_label_with_a_comma_whole() -> None:
    assert g.read_multi(["Yes, at once", "No"], "yes, at once") == ["Yes, at once"]


def test_read_multi_refuses_a_table() -> None:
    with pytest.raises(Unreadable, match="list of options"):
        g.read_multi(MULTI["options"], {"a": True})


def test_read_order() -> None:
    assert g.read_order(ORDER["options"], "c, a, b") == ["Moscow", "Sochi", "Astana"]
    with pytest.raises(Unreadable, match="missing: “Moscow”"):
        g.read_order(ORDER["options"], ["Sochi", "Astana"])
    with pytest.raises(Unreadable, match="“Sochi” appears more than once"):
        g.read_order(ORDER["options"], ["Sochi", "Sochi", "Moscow", "Astana"])


def test_read_classify() -> None:
    items, categories = CLASSIFY["items"], CLASSIFY["categories"]
    got = g.read_classify(items, categories, {"C02": "b", "c01": "Fact"})
    assert got == {"c01": "fact", "c02": "interpretation"}  # in the items' order
    with pytest.raises(Unreadable, match=re.escape("e.g. {'c01': 'fact'")):
        g.read_classify(items, categories, ["fact", "fact"])
    with pytest.raises(Unreadable, match="'c09' is not one of the items: c01, c02"):
        g.read_classify(items, categories, {"c09": "fact"})
    with pytest.raises(Unreadable, match=r"1 of 2 still have none \(item 2 \(c02\)\)"):
        g.read_classify(items, categories, {"c01": "fact", "c02": ""})


def test_word_count() -> None:
    assert g.word_count("Russia and Turkey — rivals, then partners (2016).") == 7
    assert g.word_count("  ") == 0
    assert g.word_count(None) == 0 and g.word_count(42) == 0


def test_read_dispatches_on_the_kind_and_names_an_unknown_one() -> None:
    assert g.read(NUMBER, "36 dead") == 36.0
    assert g.read(CHOICE, "c") == "Prediction"
    with pytest.raises(Unreadable, match="'slider'"):
        g.read({"input": "slider"}, 3)


# --- comparing -------------------------------------------------------------------------------


def test_same_number_uses_the_tolerance() -> None:
    assert g.same({"input": "number", "tolerance": 0.5}, 36.4, 36)
    assert not g.same({"input": "number", "tolerance": 0.5}, 36.6, 36)
    assert not g.same(NUMBER, 36.0, "not a number")


def test_same_date_at_the_target_precision() -> None:
    day = (dt.date(2020, 3, 6), "day")
    assert g.same({"input": "date", "tolerance": 1}, day, "2020-03-05")
    assert not g.same({"input": "date"}, day, "2020-03-05")
    assert g.same({"input": "date"}, day, "March 2020")  # a month target: any day in it
    assert g.same({"input": "date"}, day, "2020")
    assert not g.same({"input": "date"}, (dt.date(2020, 3, 1), "month"), "2020-03-01")


def test_same_lists_and_labels() -> None:
    assert g.same(MULTI, ["Reuters", "TASS"], ["tass", "reuters"])
    assert not g.same(ORDER, ["Astana", "Sochi", "Moscow"], ["Sochi", "Astana", "Moscow"])
    assert g.same(CLASSIFY, {"c01": "fact", "c02": "interpretation"}, {"c02": "Interpretation"})
    assert not g.same(CLASSIFY, {"c01": "fact"}, ["fact"])


def test_grade_right_answer_gives_the_explanation() -> None:
    verdict = g.grade(NUMBER, 36, "36 soldiers")
    assert verdict == g.Verdict(True, "36 soldiers died.")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (33, "first count, by the governor of Hatay"),
        ("34", "counts during the night"),
        (35.0, "counts during the night"),  # one entry, several wrong answers
    ],
)
def test_grade_wrong_answer_gets_its_targeted_feedback(answer, says) -> None:
    verdict = g.grade(NUMBER, 36, answer)
    assert verdict.correct is False and verdict.targeted and verdict.attempt
    assert says in verdict.message


def test_grade_other_wrong_answer_is_plain_not_yet() -> None:
    assert g.grade(NUMBER, 36, 40) == g.Verdict(False, "Not yet.")


@pytest.mark.parametrize(
    ("ex", "answer", "says"),
    [
        (NUMBER, "", "Write a number first"),
        (NUMBER, None, "Write a number first"),
        (DATE, "   ", "Pick or write a date first"),
        (CHOICE, [], "Choose one of the options first"),
        (CLASSIFY, {}, "Give each item a label first"),
        (NUMBER, "thirty-six", "Write a number, e.g. 36."),
        (CHOICE, "maybe", "not one of the options"),
    ],
)
def test_unreadable_or_empty_answers_are_not_attempts(ex, answer, says) -> None:
    verdict = g.grade(ex, "Fact" if ex is CHOICE else 36, answer)
    assert verdict.correct is None and verdict.attempt is False
    assert says in verdict.message


def test_grade_share_written_as_a_percentage() -> None:
    share = {"input": "number", "tolerance": 0.01}
    assert g.grade(share, 0.55, "55%").correct is True
    assert g.grade(share, 0.55, "55").correct is False  # without %, 55 is not 0.55


def test_grade_date() -> None:
    assert g.grade(DATE, "2020-03-05", "5 March 2020").correct is True
    wrong = g.grade(DATE, "2020-03-05", "27 Feb 2020")
    assert wrong.correct is False and wrong.message == "That is the attack itself."
    coarse = g.grade(DATE, "2020-03-05", "March 2020")
    assert coarse.correct is None and not coarse.attempt and "Give the day too" in coarse.message
    month = g.grade(DATE, "2020-03", "2020")
    assert "Give the month too" in month.message
    assert g.grade(DATE, "2020-03", "5 March 2020").correct is True


def test_grade_choice_and_its_accepted_alternative() -> None:
    assert g.grade(CHOICE, "Fact", "a").correct is True
    assert g.grade(CHOICE, "Fact", "A fact!").correct is True  # an accepted answer
    wrong = g.grade(CHOICE, "Fact", "c")
    assert wrong.message == "Nothing here is about the future." and wrong.targeted


def test_grade_multi_says_how_many_and_which_do_not_belong() -> None:
    verdict = g.grade(MULTI, ["TASS", "Anadolu"], ["TASS", "A tweet"])
    assert verdict.correct is False and verdict.targeted
    assert verdict.message == (
        "1 of 2 right; you missed 1 that belongs; “A tweet” does not belong. "
        "A tweet may repeat a figure."
    )
    untargeted = g.grade(MULTI, ["TASS", "Anadolu"], "TASS, Reuters")
    assert not untargeted.targeted and "“Reuters” does not belong" in untargeted.message


def test_grade_order_says_which_are_out_of_place() -> None:
    verdict = g.grade(ORDER, ["Sochi", "Astana", "Moscow"], ["Sochi", "Moscow", "Astana"])
    assert verdict.message == (
        "1 of 3 in the right place; “Moscow” and “Astana” are out of place. "
        "Moscow came last, in March 2020."
    )


def test_grade_classify_targets_the_misread_item() -> None:
    expected = {"c01": "fact", "c02": "interpretation"}
    targeted = g.grade(CLASSIFY, expected, {"c01": "fact", "c02": "fact"})
    assert targeted.message == "1 of 2 labelled right. A motive is read into events."
    plain = g.grade(CLASSIFY, expected, {"c01": "interpretation", "c02": "interpretation"})
    assert plain.message == "1 of 2 labelled right. Look again at: “36 soldiers were killed.”."
    assert not plain.targeted


def test_grade_essay_counts_words_and_never_grades() -> None:
    short = g.grade(ESSAY, None, "Too short.")
    assert short.correct is None and short.attempt
    assert short.message.startswith("You have written 2 words; write at least 5")
    enough = g.grade(ESSAY, None, "Russia and Turkey compete and cooperate.")
    assert enough.correct is None and enough.message.startswith("Saved: 6 words.")
    assert g.grade(ESSAY, None, 42).attempt is False
    assert "very long" in g.grade(ESSAY, None, "word " * 20_000).message


def test_min_words_falls_back_to_the_default() -> None:
    assert g.min_words(ESSAY) == 5
    for odd in (0, -3, "10", None):
        assert g.min_words({"min_words": odd}) == g.DEFAULT_MIN_WORDS


# --- showing answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ex", "answer", "shown"),
    [
        (NUMBER, 36, "36"),
        (NUMBER, 0.555, "0.555"),
        (DATE, "2020-03-05", "5 March 2020 (2020-03-05)"),
        (DATE, "2020-03", "March 2020"),
        (DATE, 2016, "2016"),
        (CHOICE, "Fact", "Fact"),
        (MULTI, ["TASS", "Reuters"], "TASS; Reuters"),
        (ORDER, ["Sochi", "Astana", "Moscow"], "1. Sochi → 2. Astana → 3. Moscow"),
        (
            CLASSIFY,
            {"c01": "fact", "c02": "interpretation"},
            "“36 soldiers were killed.”: fact; “Russia wanted to punish Turkey.”: interpretation",
        ),
    ],
)
def test_format_answer(ex, answer, shown) -> None:
    assert g.format_answer(ex, answer) == shown


def test_short_cuts_long_text_with_an_ellipsis() -> None:
    assert g.short("a  b\nc") == "a b c"
    assert g.short("x" * 100, limit=10) == "x" * 9 + "…"


# --- nothing a learner types raises -------------------------------------------------------------

ANSWERS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.dates()
    | st.binary(max_size=10)
    | st.sampled_from(["a", "b, c", "2020-03-05", "36%", "c01", "Fact", "1,5"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
EXPECTED = {
    "number": 36,
    "date": "2020-03-05",
    "choice": "Fact",
    "multi": ["TASS", "Reuters"],
    "order": ["Sochi", "Astana", "Moscow"],
    "classify": {"c01": "fact", "c02": "interpretation"},
    "essay": None,
}
BY_KIND = {ex["input"]: ex for ex in (NUMBER, DATE, CHOICE, MULTI, ORDER, CLASSIFY, ESSAY)}


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(kind=st.sampled_from(sorted(BY_KIND)), answer=ANSWERS)
def test_grade_never_raises(kind, answer) -> None:
    verdict = g.grade(BY_KIND[kind], EXPECTED[kind], answer)
    assert isinstance(verdict, g.Verdict) and isinstance(verdict.message, str)
    assert verdict.message.strip()
    if verdict.correct is None and kind != "essay":
        assert verdict.attempt is False  # an unread answer never counts as a try
