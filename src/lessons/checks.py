"""Formative self-checks: a learner's answer is checked, with a hint instead of a traceback.

Why no grader: the lessons run in class and at home without a server. Each exercise is data
(`exercises.json`: prompt, kind, answer or where in the data the answer lives, hints,
explanation), so a teacher can read every answer in one place and the notebooks stay short.
Answers that the data holds are looked up in the data, never typed twice.

>>> check("demo.1", "1992-01-01").correct
False
>>> check("demo.1", "2020-03-05").correct
True
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Feedback:
    """What a check says back: shown as text (and as a small box in JupyterLab)."""

    exercise: str
    correct: bool | None
    message: str

    @property
    def symbol(self) -> str:
        return {True: "✔ Correct", False: "✘ Not yet", None: "✎ Your turn"}[self.correct]

    def __repr__(self) -> str:
        return f"{self.symbol} ({self.exercise}): {self.message}"

    def _repr_html_(self) -> str:
        css = {True: "lessons-ok", False: "lessons-no", None: "lessons-todo"}[self.correct]
        border = {True: "#1b7837", False: "#b35806", None: "#555555"}[self.correct]
        return (
            f'<div class="lessons-feedback {css}" role="status" style="border-left:6px solid '
            f'{border};padding:4px 10px;margin:4px 0"><strong>{html.escape(self.symbol)}</strong>'
            f" ({html.escape(self.exercise)}): {html.escape(self.message)}</div>"
        )


@cache
def exercises() -> dict[str, dict[str, Any]]:
    """Every exercise by id, from the bundled `exercises.json`."""
    text = (resources.files("lessons") / "exercises.json").read_text(encoding="utf-8")
    return {ex["id"]: ex for ex in json.loads(text)}


def exercise(exercise_id: str) -> dict[str, Any]:
    """One exercise, or a KeyError naming the ids that exist."""
    try:
        ex = exercises()[exercise_id]
    except KeyError:
        known = ", ".join(sorted(exercises()))
        raise KeyError(f"no exercise {exercise_id!r}; known exercises: {known}") from None
    if ex.get("options_from") == "phases" and "options" not in ex:
        import lessons.data as data

        ex = {**ex, "options": data.load_table("phases")["phase"].tolist()}
    return ex


def expected_answer(exercise_id: str) -> Any:
    """The right answer: typed in the exercise, or looked up in a dataset."""
    ex = exercise(exercise_id)
    if "answer" in ex:
        return ex["answer"]
    return _answer_from_data(ex["answer_from"])


def _answer_from_data(spec: dict[str, Any]) -> Any:
    """Look an answer up: a cell (key), a filtered column (query), or a named computation."""
    if "function" in spec:
        return _COMPUTED[spec["function"]](*spec.get("args", []))
    import lessons.data as data

    frame = data.load_table(spec["dataset"])
    if "key" in spec:
        key_column, key = spec["key"]
        frame = frame[frame[key_column] == key]
    if "query" in spec:
        frame = frame.query(spec["query"], engine="python")
    how = spec.get("how", "first")
    if how == "count":
        return len(frame)
    if frame.empty:
        raise KeyError(f"the answer lookup {spec} found no row")
    if how == "all":
        return [_plain(v) for v in frame[spec["column"]]]
    return _plain(frame.iloc[0][spec["column"]])


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value


def _order_by_date(*event_ids: str) -> list[str]:
    """Letters a, b, c… of the given events, sorted by event date."""
    import lessons.data as data

    dates = data.load_table("events").set_index("event_id")["date"]
    letters = {eid: chr(ord("a") + i) for i, eid in enumerate(event_ids)}
    return [letters[e] for e in sorted(event_ids, key=lambda e: dates[e])]


def _phase_extreme(which: str) -> str:
    from lessons import aggregate, data

    summary = aggregate.phase_summary(data.load_table("events"), data.load_table("phases"))
    pick = (
        summary["cooperative_share"].idxmax()
        if which == "max"
        else summary["cooperative_share"].idxmin()
    )
    return str(summary.loc[pick, "phase"])


def _russia_gas_share(first_year: int, last_year: int) -> float:
    from lessons import charts, data

    table = charts.gas_by_origin(data.load_table("gas_imports_turkey"), unit="TJ")
    russia = table[table["origin"] == "Russia"]
    years = russia["month"].dt.year
    return round(float(russia.loc[years.between(first_year, last_year), "russia_share"].mean()), 3)


def _gas_change(year_a: int, year_b: int) -> str:
    from lessons import charts, data

    table = charts.gas_by_origin(data.load_table("gas_imports_turkey"), unit="TJ")
    russia = table[table["origin"] == "Russia"]
    totals = russia.groupby(russia["month"].dt.year)["value"].sum()
    change = totals[year_b] / totals[year_a] - 1
    if change >= 0:
        return "rose"
    return "fell by less than 10%" if change > -0.10 else "fell by 10% or more"


_COMPUTED = {
    "order_by_date": _order_by_date,
    "phase_extreme": _phase_extreme,
    "russia_gas_share": _russia_gas_share,
    "gas_change": _gas_change,
}


def check(exercise_id: str, answer: Any) -> Feedback:
    """Compare a learner's answer with the exercise's answer and say why it is (not) right."""
    ex = exercise(exercise_id)
    if _is_blank(answer):
        return Feedback(exercise_id, None, "replace the ... with your answer, then run the cell.")
    expected = expected_answer(exercise_id)
    try:
        correct = _COMPARERS[ex["kind"]](answer, expected, ex)
    except (TypeError, ValueError) as err:
        return Feedback(exercise_id, False, f"{_format_problem(ex, err)} {_first_hint(ex)}")
    if correct:
        return Feedback(exercise_id, True, ex.get("explanation", "well done."))
    return Feedback(exercise_id, False, _first_hint(ex))


def _is_blank(answer: Any) -> bool:
    if answer is Ellipsis or answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, (list, tuple, set)):
        return len(answer) == 0 or all(_is_blank(a) for a in answer)
    return False


def _format_problem(ex: dict[str, Any], err: Exception) -> str:
    formats = {
        "date": "Write the date as text in the form 'YYYY-MM-DD', e.g. '2020-03-05'.",
        "number": "Write a number, e.g. 36 (no quotes).",
        "choice": f"Choose one of: {', '.join(map(str, ex.get('options', [])))}.",
        "order": "Write a list of the step letters in order, e.g. ['b', 'a', 'c'].",
        "set": "Write a list, e.g. ['a', 'c'].",
    }
    return formats.get(ex["kind"], f"That answer has the wrong form ({err}).")


def _first_hint(ex: dict[str, Any]) -> str:
    hints = ex.get("hints", [])
    return f"Hint: {hints[0]}" if hints else "Look again at the evidence above."


def _same_date(answer: Any, expected: Any, ex: dict[str, Any]) -> bool:
    if isinstance(answer, (date, pd.Timestamp)):
        given = pd.Timestamp(answer)
    else:
        text = str(answer).strip()
        if len(text) != 10:
            raise ValueError("not YYYY-MM-DD")
        given = pd.Timestamp(date.fromisoformat(text))
    return given == pd.Timestamp(expected)


def _same_number(answer: Any, expected: Any, ex: dict[str, Any]) -> bool:
    if isinstance(answer, bool):
        raise TypeError("a number is needed")
    return abs(float(answer) - float(expected)) <= float(ex.get("tolerance", 0))


def _same_choice(answer: Any, expected: Any, ex: dict[str, Any]) -> bool:
    options = [str(o).lower() for o in ex.get("options", [])]
    given = str(answer).strip().lower()
    if options and given not in options:
        raise ValueError("not an option")
    return given == str(expected).lower()


def _same_order(answer: Any, expected: Any, ex: dict[str, Any]) -> bool:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        raise TypeError("a list is needed")
    return [str(a).strip().lower() for a in answer] == [str(e).lower() for e in expected]


def _same_set(answer: Any, expected: Any, ex: dict[str, Any]) -> bool:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        raise TypeError("a list is needed")
    return {str(a).strip().lower() for a in answer} == {str(e).lower() for e in expected}


_COMPARERS = {
    "date": _same_date,
    "number": _same_number,
    "choice": _same_choice,
    "order": _same_order,
    "set": _same_set,
}


def hint(exercise_id: str, level: int = 1) -> Feedback:
    """The n-th hint of an exercise (1 = gentlest)."""
    hints = exercise(exercise_id).get("hints", [])
    if not hints:
        return Feedback(exercise_id, None, "no hints for this one: look again at the evidence.")
    level = max(1, min(level, len(hints)))
    return Feedback(exercise_id, None, f"Hint {level} of {len(hints)}: {hints[level - 1]}")


def reveal(exercise_id: str) -> Feedback:
    """Show the answer and why: for after a real attempt, or for the teacher."""
    ex = exercise(exercise_id)
    answer = expected_answer(exercise_id)
    shown = ", ".join(map(str, answer)) if isinstance(answer, list) else str(answer)
    return Feedback(exercise_id, True, f"Answer: {shown}. {ex.get('explanation', '')}".strip())
