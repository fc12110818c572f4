"""Exercises: ask a question in a widget, check an answer, give the next hint, show the answer.

Why no grader: the lessons run in class and at home without a server. Each exercise is data
(`src/lessons/exercises/NN.json`, see docs/exercise_format.md): prompt, input kind, the answer
or where in the data it lives, a hint ladder, targeted feedback, an explanation or a model
answer. A teacher reads every answer in one place; the notebooks stay short. Answers the data
holds are looked up in the data, never typed twice. Nothing here raises at a learner: unknown
ids, empty or odd answers get one friendly line (a `Feedback`).

The notebook API::

    checks.ask("05.2")                     # the question with its input, Check, Hint, Show answer
    checks.ask("08.2", then=make_chart)    # predict, then see: the chart after the first Check
    checks.check("05.2", "5 March 2020")   # for learners who code
    checks.hint("05.2"); checks.reveal("05.2"); checks.progress("05")

>>> check("99.9", 36)  # doctest: +ELLIPSIS
ℹ Note (99.9): There is no exercise '99.9'. ... ids look like "05.2" (lesson 05, exercise 2).
>>> check(None, None).message
'Give an exercise id in quotes, e.g. checks.ask("05.2").'
>>> Feedback("05.2", None, "5 March 2020 (2020-03-05).", label="Answer")
Answer (05.2): 5 March 2020 (2020-03-05).
"""

from __future__ import annotations

import copy
import difflib
import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pandas as pd

from lessons import _grading, _progress
from lessons._grading import KINDS, WITH_OPTIONS
from lessons._markdown import markdown_html

__all__ = [
    "ExerciseError",
    "Feedback",
    "ask",
    "check",
    "computation",
    "exercise",
    "exercise_ids",
    "exercise_problems",
    "expected_answer",
    "hint",
    "judge_date",
    "lesson_problems",
    "load_exercises",
    "progress",
    "reveal",
    "use_folder",
]

LEVELS = ("recall", "apply", "judge", "open")
_FIELDS = {
    "id",
    "level",
    "input",
    "prompt",
    "options",
    "options_from",
    "items",
    "items_from",
    "categories",
    "answer",
    "answer_from",
    "accept",
    "tolerance",
    "hints",
    "feedback",
    "explanation",
    "model_answer",
    "min_words",
    "checklist",
}


# --- what a check says back ---------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """What a check says back: shown as text (and as a small box in JupyterLab).

    `correct` is True (right), False (not yet) or None (a hint, an answer, a note); `label`
    replaces the usual symbol, e.g. "Answer" or "Hint 2 of 3".
    """

    exercise: str
    correct: bool | None
    message: str
    label: str = ""

    @property
    def symbol(self) -> str:
        if self.label:
            return self.label
        return {True: "✔ Correct", False: "✘ Not yet", None: "✎ Your turn"}[self.correct]

    def __repr__(self) -> str:
        where = f" ({self.exercise})" if self.exercise else ""
        return f"{self.symbol}{where}: {self.message}"

    def _repr_html_(self) -> str:
        return self.html()

    def html(self, *, status_role: bool = True) -> str:
        """A small box (escaped); `status_role` makes screen readers announce it."""
        kind = {True: "ok", False: "no", None: "todo"}[self.correct]
        border = {True: "#1b7837", False: "#b35806", None: "#555555"}[self.correct]
        role = ' role="status" aria-live="polite"' if status_role else ""
        where = f" ({html.escape(self.exercise)})" if self.exercise else ""
        return (
            f'<div class="lessons-feedback lessons-{kind}"{role} '
            f'style="border-left:6px solid {border};padding:4px 10px;margin:4px 0;'
            f'font-size:15px"><strong>{html.escape(self.symbol)}</strong>{where}: '
            f"{markdown_html(self.message)}</div>"
        )


def _note(exercise_id: str, message: str) -> Feedback:
    return Feedback(exercise_id, None, message, label="ℹ Note")


class ExerciseError(ValueError):
    """An exercise file breaks the format; the message names the file and the exercise."""


# --- loading ------------------------------------------------------------------------------

_folder: Path | Traversable | None = None


def bundled_folder() -> Traversable:
    """The exercises shipped with the package (`lessons/exercises/`)."""
    return resources.files("lessons") / "exercises"


def use_folder(folder: str | Path | None = None) -> None:
    """Read exercises from `folder` from now on (None: the bundled ones); forget all state."""
    global _folder
    _folder = Path(folder) if folder is not None else None
    _catalogue.cache_clear()
    _expected.cache_clear()
    _resolved.cache_clear()
    _STATE.clear()


def _files(folder: Path | Traversable) -> list[Path | Traversable]:
    if not folder.is_dir():
        return []
    files = [f for f in folder.iterdir() if f.name.endswith(".json") and f.is_file()]
    return sorted(files, key=lambda f: f.name)


def _sort_key(exercise_id: str) -> tuple:
    head, _, tail = exercise_id.partition(".")
    return (
        (0, int(head)) if head.isdigit() else (1, head),
        (0, int(tail)) if tail.isdigit() else (1, tail),
    )


def _read_file(file: Path | Traversable) -> tuple[list[dict[str, Any]], list[str]]:
    """The exercises of one file and every problem found in it."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [], [f"{file.name}: not readable as JSON ({err})"]
    if not isinstance(data, list):
        return [], [f"{file.name}: must hold a JSON list of exercises"]
    problems = []
    exercises = []
    for position, ex in enumerate(data, start=1):
        name = ex.get("id") if isinstance(ex, dict) else None
        where = f"{file.name}, exercise {name or f'#{position}'}"
        found = exercise_problems(ex, file.name)
        problems += [f"{where}: {p}" for p in found]
        if isinstance(ex, dict) and isinstance(name, str):
            exercises.append({**ex, "_problems": [f"{where}: {p}" for p in found]})
    return exercises, problems


def load_exercises(folder: str | Path | Traversable | None = None) -> dict[str, dict[str, Any]]:
    """Every exercise in `folder` (default: the bundled ones) by id, in id order.

    Raises `ExerciseError` naming each file and exercise that breaks the format.
    """
    chosen = Path(folder) if isinstance(folder, str) else folder
    chosen = chosen if chosen is not None else (_folder or bundled_folder())
    found: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for file in _files(chosen):
        exercises, file_problems = _read_file(file)
        problems += file_problems
        for ex in exercises:
            if ex["id"] in found:
                problems.append(f"{file.name}, exercise {ex['id']}: the id is used twice")
            found[ex["id"]] = {k: v for k, v in ex.items() if k != "_problems"}
    if problems:
        raise ExerciseError("\n".join(problems))
    return {k: found[k] for k in sorted(found, key=_sort_key)}


@cache
def _catalogue() -> tuple[dict[str, dict[str, Any]], dict[str, str], tuple[str, ...]]:
    """(usable exercises by id, problems of broken ones by id, problems of whole files)."""
    usable: dict[str, dict[str, Any]] = {}
    broken: dict[str, str] = {}
    file_problems: list[str] = []
    for file in _files(_folder or bundled_folder()):
        exercises, problems = _read_file(file)
        if not exercises:
            file_problems += problems
        for ex in exercises:
            own = [p for p in ex.pop("_problems") if not p.endswith(_UNKNOWN_FIELD_NOTE)]
            if own:
                broken[ex["id"]] = "; ".join(own)
            elif ex["id"] in usable:
                broken[ex["id"]] = f"{file.name}: the id {ex['id']} is used twice"
            else:
                usable[ex["id"]] = ex
    ordered = {k: usable[k] for k in sorted(usable, key=_sort_key)}
    return ordered, broken, tuple(file_problems)


def exercise_ids(lesson: str | None = None) -> list[str]:
    """The ids of every usable exercise (of one lesson, e.g. "05"), in order."""
    ids = list(_catalogue()[0])
    if lesson is None:
        return ids
    prefix = _lesson_key(lesson)
    return [i for i in ids if i.partition(".")[0] == prefix]


# --- the rules of the format --------------------------------------------------------------

_UNKNOWN_FIELD_NOTE = "(a typo? see docs/exercise_format.md)"


def _strings(value: Any, at_least: int = 1) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= at_least
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def exercise_problems(ex: Any, file_name: str = "") -> list[str]:
    """Every way one exercise breaks docs/exercise_format.md (empty: it is fine)."""
    if not isinstance(ex, dict):
        return ["an exercise must be a JSON object"]
    problems = []
    exercise_id = ex.get("id")
    lesson = file_name.removesuffix(".json")
    if not isinstance(exercise_id, str) or not re.fullmatch(r"[0-9A-Za-z_-]+\.\d+", exercise_id):
        problems.append('needs an "id" like "05.2"')
    elif lesson and exercise_id.partition(".")[0] != lesson:
        problems.append(f"its id should start with {lesson}. (the file's lesson)")
    for name in sorted(set(ex) - _FIELDS):
        if not name.startswith("_"):
            problems.append(f"unknown field {name!r} {_UNKNOWN_FIELD_NOTE}")
    if ex.get("level") not in LEVELS:
        problems.append(f'"level" must be one of {", ".join(LEVELS)}')
    kind = ex.get("input")
    if kind not in KINDS:
        problems.append(f'"input" must be one of {", ".join(KINDS)}')
        return problems
    if not isinstance(ex.get("prompt"), str) or not ex["prompt"].strip():
        problems.append('needs a "prompt"')
    if not _strings(ex.get("hints"), 2):
        problems.append('needs "hints": a list of at least 2 hints')
    if "options_from" in ex:
        spec = ex["options_from"]
        if not (
            spec in _OPTION_COLUMNS
            or (isinstance(spec, dict) and {"dataset", "column"} <= set(spec))
        ):
            problems.append(
                '"options_from" must be {"dataset": …, "column": …} or one of '
                + ", ".join(_OPTION_COLUMNS)
            )
    if kind in WITH_OPTIONS and "options_from" not in ex:
        options = ex.get("options")
        if not _strings(options, 2) or len({_grading.fold(o) for o in options}) < len(options):
            problems.append('needs "options": at least 2 different labels')
    if kind == "classify":
        problems += _classify_problems(ex)
    if kind == "essay":
        if not isinstance(ex.get("model_answer"), str) or not ex["model_answer"].strip():
            problems.append('an essay needs a "model_answer"')
        if "min_words" in ex and not (isinstance(ex["min_words"], int) and ex["min_words"] > 0):
            problems.append('"min_words" must be a whole number above 0')
        if "checklist" in ex and not _strings(ex["checklist"]):
            problems.append('"checklist" must be a list of lines')
        return problems
    if ("answer" in ex) == ("answer_from" in ex):
        problems.append('needs exactly one of "answer" and "answer_from"')
    if not isinstance(ex.get("explanation"), str) or not ex["explanation"].strip():
        problems.append('needs an "explanation" (shown with the answer)')
    feedback = ex.get("feedback")
    if not isinstance(feedback, list) or not feedback:
        problems.append('needs "feedback": at least one targeted message for a likely wrong answer')
    else:
        problems += _feedback_problems(ex, feedback)
    if "answer" in ex:
        problems += _answer_problems(ex, ex["answer"])
    elif "answer_from" in ex:
        problems += _answer_from_problems(ex["answer_from"])
    if "tolerance" in ex and (
        isinstance(ex["tolerance"], bool)
        or not isinstance(ex["tolerance"], (int, float))
        or ex["tolerance"] < 0
    ):
        problems.append('"tolerance" must be a number ≥ 0')
    if "accept" in ex and not (
        isinstance(ex["accept"], list)
        and all(isinstance(a, (str, int, float)) for a in ex["accept"])
    ):
        problems.append('"accept" must be a list of answers')
    return problems


def _classify_problems(ex: dict[str, Any]) -> list[str]:
    problems = []
    if not _strings(ex.get("categories"), 2):
        problems.append('needs "categories": at least 2 labels')
    if "items_from" in ex:
        spec = ex["items_from"]
        if not (isinstance(spec, dict) and {"dataset", "key", "text"} <= set(spec)):
            problems.append('"items_from" needs "dataset", "key" and "text" (column names)')
        return problems
    items = ex.get("items")
    if not (
        isinstance(items, list)
        and items
        and all(
            isinstance(i, dict)
            and isinstance(i.get("key"), str)
            and isinstance(i.get("text"), str)
            and i["text"].strip()
            for i in items
        )
    ):
        problems.append('needs "items": [{"key": "c03", "text": "…"}, …]')
    elif len({i["key"] for i in items}) < len(items):
        problems.append('two "items" share a key')
    return problems


def _feedback_problems(ex: dict[str, Any], feedback: list[Any]) -> list[str]:
    kind = ex["input"]
    problems = []
    options = {_grading.fold(o) for o in ex.get("options", []) if isinstance(o, str)}
    for n, entry in enumerate(feedback, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("say"), str):
            problems.append(f'feedback #{n} needs a "say" message')
            continue
        if kind in ("multi", "order") and "when" not in entry:
            target = entry.get("when_includes")
            if not isinstance(target, str):
                problems.append(f'feedback #{n} needs "when_includes": an option')
            elif options and _grading.fold(target) not in options:
                problems.append(f"feedback #{n}: {target!r} is not an option")
        elif kind == "classify":
            keys = {i.get("key") for i in ex.get("items", []) if isinstance(i, dict)}
            if entry.get("when_item") is None or entry.get("is") is None:
                problems.append(f'feedback #{n} needs "when_item" and "is"')
            elif "items" in ex and entry["when_item"] not in keys:
                problems.append(f"feedback #{n}: {entry['when_item']!r} is not an item key")
            elif entry["is"] not in ex.get("categories", []):
                problems.append(f"feedback #{n}: {entry['is']!r} is not a category")
        elif "when" not in entry:
            problems.append(f'feedback #{n} needs "when": the wrong answer it answers')
        elif kind == "choice" and options:
            for when in entry["when"] if isinstance(entry["when"], list) else [entry["when"]]:
                if _grading.fold(when) not in options:
                    problems.append(f"feedback #{n}: {when!r} is not an option")
    return problems


def _answer_problems(ex: dict[str, Any], answer: Any) -> list[str]:
    kind = ex["input"]
    options = ex.get("options") if "options_from" not in ex else None
    try:
        if kind == "number":
            if isinstance(answer, bool) or not isinstance(answer, (int, float)):
                return ['"answer" must be a number']
        elif kind == "date":
            if not isinstance(answer, str):
                return ['"answer" must be an ISO date, e.g. "2020-03-05"']
            _grading.read_date(answer)
        elif kind == "text":
            if not isinstance(answer, str) or not answer.strip():
                return ['"answer" must be text']
        elif kind == "choice" and options:
            if answer not in options:
                return [f'"answer" {answer!r} is not one of the options']
        elif kind == "multi" and options:
            if not isinstance(answer, list) or not set(answer) <= set(options) or not answer:
                return ['"answer" must be a list of some of the options']
        elif kind == "order" and options:
            if not isinstance(answer, list) or sorted(answer) != sorted(options):
                return ['"answer" must list every option once, in the right order']
            if answer == options:
                return ['"options" are shown in the right order already: shuffle them']
        elif kind == "classify":
            if not isinstance(answer, dict):
                return ['"answer" must be {item key: category}']
            keys = [i.get("key") for i in ex.get("items", []) if isinstance(i, dict)]
            if "items" in ex and sorted(answer) != sorted(keys):
                return ['"answer" must give a category for every item key']
            if not set(answer.values()) <= set(ex.get("categories", [])):
                return ['"answer" uses a category that is not in "categories"']
    except _grading.Unreadable as err:
        return [f'"answer" cannot be read: {err}']
    return []


def _answer_from_problems(spec: Any) -> list[str]:
    if not isinstance(spec, dict):
        return ['"answer_from" must be an object']
    if "function" in spec:
        if spec["function"] not in _COMPUTED:
            return [f"no named computation {spec['function']!r}; known: {', '.join(_COMPUTED)}"]
        return []
    if "dataset" not in spec:
        return ['"answer_from" needs "dataset" (or "function")']
    how = spec.get("how", "first")
    if how not in _HOW:
        return [f'"how" must be one of {", ".join(_HOW)}']
    if how != "count" and "column" not in spec:
        return ['"answer_from" needs "column" (unless "how" is "count")']
    if how == "dict" and "index" not in spec:
        return ['"how": "dict" needs "index" (the column of item keys)']
    return []


def lesson_problems(exercises: Mapping[str, Mapping[str, Any]], lesson: str) -> list[str]:
    """What one lesson's set breaks: ≥ 4 exercises, ≥ 2 judge/open, ≥ 1 essay, ids 1, 2, …"""
    own = [ex for key, ex in exercises.items() if key.partition(".")[0] == lesson]
    problems = []
    if len(own) < 4:
        problems.append(f"lesson {lesson}: {len(own)} exercises, at least 4 needed")
    if sum(ex.get("level") in ("judge", "open") for ex in own) < 2:
        problems.append(f"lesson {lesson}: at least 2 exercises of level judge or open needed")
    if not any(ex.get("input") == "essay" for ex in own):
        problems.append(f"lesson {lesson}: at least 1 essay needed")
    numbers = [int(ex["id"].partition(".")[2]) for ex in own]
    if sorted(numbers) != list(range(1, len(own) + 1)):
        problems.append(f"lesson {lesson}: exercise numbers should run 1, 2, 3, …")
    return problems


# --- one exercise, resolved ---------------------------------------------------------------


def _normal_id(exercise_id: Any) -> str:
    text = "" if exercise_id is None else str(exercise_id).strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,3})", text)
    if match:
        return f"{int(match[1]):02d}.{int(match[2])}"
    return text[:40]


def _lookup(exercise_id: Any) -> tuple[str, dict[str, Any] | None, Feedback | None]:
    """(normalised id, the resolved exercise or None, a note saying why not)."""
    key = _normal_id(exercise_id)
    usable, broken, file_problems = _catalogue()
    if key in broken:
        return key, None, _note(key, f"Exercise {key} is not ready yet ({broken[key]}).")
    unreadable = [p for p in file_problems if p.startswith(f"{key.partition('.')[0]}.json:")]
    if key not in usable and unreadable:
        return key, None, _note(key, f"Exercise {key} is not ready yet ({unreadable[0]}).")
    if key not in usable:
        return key, None, _note(key, _unknown_message(key, exercise_id, list(usable)))
    try:
        return key, _resolved(key), None
    except Exception as err:  # a data lookup for options or items failed
        return key, None, _note(key, f"Exercise {key} could not be set up ({err}).")


def _unknown_message(key: str, given: Any, known: list[str]) -> str:
    if not key:
        return 'Give an exercise id in quotes, e.g. checks.ask("05.2").'
    text = given if isinstance(given, str) else key
    shown = repr(text if len(text) <= 40 else text[:40] + "…")
    message = f"There is no exercise {shown}."
    lesson = key.partition(".")[0]
    same_lesson = [k for k in known if k.partition(".")[0] == lesson]
    close = same_lesson or difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    if close:
        message += f" Exercises near it: {', '.join(close[:8])}."
    return message + ' Exercise ids look like "05.2" (lesson 05, exercise 2).'


@cache
def _resolved(exercise_id: str) -> dict[str, Any]:
    """The exercise with `options_from` / `items_from` looked up in the data."""
    ex = dict(_catalogue()[0][exercise_id])
    if "options_from" in ex and "options" not in ex:
        spec = _options_spec(ex["options_from"])
        frame = _filtered(spec)
        values = [str(v) for v in frame[spec["column"]].dropna()]
        ex["options"] = list(dict.fromkeys(values))
    if "items_from" in ex and "items" not in ex:
        spec = ex["items_from"]
        frame = _filtered(spec)
        ex["items"] = [
            {"key": str(k), "text": str(t)}
            for k, t in zip(frame[spec["key"]], frame[spec["text"]], strict=True)
        ]
    return ex


_OPTION_COLUMNS = {"phases": "phase"}  # "options_from": "phases" = every phase, in order


def _options_spec(spec: Any) -> dict[str, Any]:
    """`"options_from"` as {"dataset", "column", "query"?}; a dataset name is short for it."""
    if isinstance(spec, str):
        return {"dataset": spec, "column": _OPTION_COLUMNS[spec]}
    return dict(spec)


def exercise(exercise_id: str) -> dict[str, Any]:
    """One exercise as data (options and items resolved), or a KeyError naming nearby ids."""
    key, ex, note = _lookup(exercise_id)
    if ex is None:
        raise KeyError(note.message if note else key)
    return ex


# --- answers that live in the data ----------------------------------------------------------

_COMPUTED: dict[str, Callable[..., Any]] = {}
_HOW = ("first", "count", "all", "dict", "sum", "mean", "min", "max", "nunique")


def computation(function: Callable[..., Any]) -> Callable[..., Any]:
    """Register a named computation for `"answer_from": {"function": name, "args": [...]}`."""
    _COMPUTED[function.__name__.lstrip("_")] = function
    return function


def expected_answer(exercise_id: str) -> Any:
    """The right answer: typed in the exercise, or looked up in a dataset.

    A copy: changing it (a learner reordering a list in place) cannot change the key.
    """
    return copy.deepcopy(_expected(_normal_id(exercise_id)))


@cache
def _expected(exercise_id: str) -> Any:
    ex = exercise(exercise_id)
    if ex["input"] == "essay":
        return ex.get("model_answer")
    if "answer" in ex:
        return ex["answer"]
    return _answer_from_data(ex["answer_from"])


def _filtered(spec: Mapping[str, Any]) -> pd.DataFrame:
    import lessons.data as data

    # the events may be a teacher's extended file (lessons.settings): load_events knows
    frame = data.load_events() if spec["dataset"] == "events" else data.load_table(spec["dataset"])
    if "key" in spec and isinstance(spec["key"], list):
        key_column, key = spec["key"]
        frame = frame[frame[key_column] == key]
    if "query" in spec:
        frame = frame.query(spec["query"], engine="python")
    return frame


def _answer_from_data(spec: Mapping[str, Any]) -> Any:
    """A cell (key), a filtered column (query), a count, a mapping, or a named computation."""
    if "function" in spec:
        return _COMPUTED[spec["function"]](*spec.get("args", []))
    frame = _filtered(spec)
    how = spec.get("how", "first")
    if how == "count":
        return len(frame)
    if frame.empty:
        raise LookupError(f"the answer lookup {dict(spec)} found no row")
    column = frame[spec["column"]]
    if how == "all":
        return [_plain(v) for v in column]
    if how == "dict":
        return {str(k): _plain(v) for k, v in zip(frame[spec["index"]], column, strict=True)}
    if how in ("sum", "mean", "min", "max", "nunique"):
        value = _plain(getattr(column, how)())
        return round(value, spec["round"]) if "round" in spec else value
    return _plain(column.iloc[0])


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value.item() if hasattr(value, "item") else value


@computation
def order_by_date(*events: str | list[str]) -> list[str]:
    """Events sorted by date: each argument an event_id, or [option label, event_id].

    Returns the event_ids, or the labels where labels were given (for `order` exercises).
    """
    import lessons.data as data

    dates = data.load_events().set_index("event_id")["date"]
    pairs = [(e, e) if isinstance(e, str) else (e[0], e[1]) for e in events]
    return [label for label, eid in sorted(pairs, key=lambda p: dates[p[1]])]


@computation
def phase_extreme(which: str) -> str:
    """The phase with the highest ("max") or lowest ("min") share of cooperative events."""
    from lessons import aggregate, data

    summary = aggregate.phase_summary(data.load_events(), data.load_table("phases"))
    share = summary["cooperative_share"]
    pick = share.idxmax() if which == "max" else share.idxmin()
    return str(summary.loc[pick, "phase"])


def _russia_gas(unit: str = "TJ") -> pd.DataFrame:
    from lessons import aggregate, data

    table = aggregate.gas_by_origin(data.load_table("gas_imports_turkey"), unit=unit)
    return table[table["origin"] == "Russia"]


@computation
def russia_gas_share(first_year: int, last_year: int) -> float:
    """Russia's mean monthly share of Turkey's gas imports over the years (0–1, 3 decimals)."""
    russia = _russia_gas()
    years = russia["month"].dt.year
    return round(float(russia.loc[years.between(first_year, last_year), "russia_share"].mean()), 3)


@computation
def gas_change(year_a: int, year_b: int) -> str:
    """How Turkey's gas imports from Russia changed from one year to another, in words."""
    russia = _russia_gas()
    totals = russia.groupby(russia["month"].dt.year)["value"].sum()
    change = totals[year_b] / totals[year_a] - 1
    if change >= 0:
        return "rose"
    return "fell by less than 10%" if change > -0.10 else "fell by 10% or more"


def _coded_monthly() -> pd.DataFrame:
    import lessons.data as data

    return data.load_table("icews18_rus_tur_monthly")


@computation
def goldstein_sum_change(month_a: str, month_b: str) -> str:
    """How the coded Goldstein sum moved from one month to another, in both directions.

    In words that match the options of 08.3: rose / fell in both directions, stayed about
    the same (within 10%), or rose in one and fell in the other.
    """
    monthly = _coded_monthly().set_index(["direction", "month"])["goldstein_sum"]
    moves = set()
    for direction in ("RUS->TUR", "TUR->RUS"):
        before, after = float(monthly[(direction, month_a)]), float(monthly[(direction, month_b)])
        change = (after - before) / max(abs(before), 1.0)
        moves.add("same" if abs(change) <= 0.10 else "rose" if change > 0 else "fell")
    if moves == {"rose"}:
        return "It rose in both directions"
    if moves == {"fell"}:
        return "It fell in both directions"
    if moves == {"same"}:
        return "It stayed about the same"
    return "It rose in one direction and fell in the other"


@computation
def september_mean_rank(month: str = "2018-09") -> str:
    """Whether a month (default September 2018) still tops its year by Goldstein *mean*."""
    monthly = _coded_monthly()
    year = monthly[monthly["month"].str[:4] == month[:4]]
    top = all(
        float(group.loc[group["month"] == month, "goldstein_mean"].max())
        > float(group.loc[group["month"] != month, "goldstein_mean"].max())
        for _direction, group in year.groupby("direction")
    )
    if top:
        return "September is still clearly the highest month in both directions"
    return "September is no longer the highest: other months have an equal or higher mean"


@computation
def busiest_theme() -> str:
    """The theme (category) with the most rows, capitalised as the options of 00.3 show it.

    Computed, not typed, so a teacher's extended events file keeps the answer honest.
    """
    from lessons import aggregate, data

    return str(aggregate.events_by_category(data.load_events())["category"].iloc[0]).capitalize()


@computation
def busiest_year() -> int:
    """The calendar year with the most rows in the record (for the prediction 02.1)."""
    from lessons import aggregate, data

    per_year = aggregate.events_by_year(data.load_events()).groupby("year")["events"].sum()
    return int(per_year.idxmax())


# --- per-exercise state in this kernel -------------------------------------------------------


@dataclass
class _Tries:
    tries: int = 0  # answers that could be read and were graded
    wrong: int = 0
    hints: int = 0  # hints shown so far
    text: str | None = None  # an essay's latest text
    extra: dict[str, Any] = field(default_factory=dict)


_STATE: dict[str, _Tries] = {}


def _state(exercise_id: str) -> _Tries:
    return _STATE.setdefault(exercise_id, _Tries())


def _save(exercise_id: str, **fields: Any) -> None:
    stored = _progress.record(exercise_id)
    if stored.get("status") == "right" and fields.get("status") in ("tried", "written"):
        fields.pop("status")
    if fields.get("status") == "tried" and stored.get("status") == "written":
        fields.pop("status")
    _progress.update(exercise_id, **fields)


def _essay_text(exercise_id: str) -> str:
    text = _state(exercise_id).text
    if text is None:
        stored = _progress.record(exercise_id).get("text")
        text = stored if isinstance(stored, str) else ""
    return text


# --- the learner-facing calls --------------------------------------------------------------


def check(exercise_id: str, answer: Any) -> Feedback:
    """Compare a learner's answer with the exercise's answer and say why it is (not) right.

    A wrong answer gets its targeted message, or "look again" and the next hint; from the
    second wrong try on, the next hint comes too. Never raises.
    """
    verdict, next_hint = _check_parts(exercise_id, answer)
    if next_hint is None:
        return verdict
    message = f"{verdict.message} {next_hint.label}: {next_hint.message}".strip()
    return Feedback(verdict.exercise, verdict.correct, message, verdict.label)


def _check_parts(exercise_id: Any, answer: Any) -> tuple[Feedback, Feedback | None]:
    """(the verdict, the next hint when one is due) — the widget shows them apart."""
    try:
        return _check(exercise_id, answer)
    except Exception as err:  # a last guard: the learner sees a line, never a traceback
        key = _normal_id(exercise_id)
        return _note(key, f"This answer could not be checked ({type(err).__name__}: {err})."), None


def _check(exercise_id: Any, answer: Any) -> tuple[Feedback, Feedback | None]:
    key, ex, note = _lookup(exercise_id)
    if ex is None:
        return note, None
    if ex["input"] == "essay":
        verdict = _grading.grade_essay(ex, answer)
        if isinstance(answer, str) and verdict.attempt:
            _state(key).text = answer
            _save(key, status="written", text=answer)
        return Feedback(key, None, verdict.message, label="✎ Written"), None
    try:
        expected = _expected(key)
    except Exception as err:
        return _note(key, f"The answer to {key} could not be looked up in the data ({err})."), None
    verdict = _grading.grade(ex, expected, answer)
    if not verdict.attempt:
        return Feedback(key, None, verdict.message), None
    state = _state(key)
    state.tries += 1
    if verdict.correct:
        _save(key, status="right", tries=state.tries)
        return Feedback(key, True, verdict.message), None
    state.wrong += 1
    _save(key, status="tried", tries=state.tries)
    due = not verdict.targeted or state.wrong >= 2
    next_hint = _next_hint(key, ex) if due else None
    message = verdict.message if verdict.message != "Not yet." else "Look again."
    return Feedback(key, False, message), next_hint


def _next_hint(key: str, ex: Mapping[str, Any]) -> Feedback:
    hints = ex["hints"]
    state = _state(key)
    if state.hints >= len(hints):
        last = len(hints)
        return Feedback(
            key,
            None,
            f"{hints[-1]} (That was the last hint; after a try, Show answer gives the answer.)",
            label=f"Hint {last} of {last}",
        )
    state.hints += 1
    return Feedback(key, None, hints[state.hints - 1], label=f"Hint {state.hints} of {len(hints)}")


def hint(exercise_id: str, level: int | None = None) -> Feedback:
    """The next hint of the ladder (or hint number `level`, 1 = gentlest). Never raises."""
    key, ex, note = _lookup(exercise_id)
    if ex is None:
        return note
    hints = ex["hints"]
    if level is not None and isinstance(level, int) and not isinstance(level, bool):
        level = max(1, min(level, len(hints)))
        state = _state(key)
        state.hints = max(state.hints, level)
        return Feedback(key, None, hints[level - 1], label=f"Hint {level} of {len(hints)}")
    return _next_hint(key, ex)


def reveal(exercise_id: str) -> Feedback:
    """The answer and why, labelled "Answer" (for essays: the model answer, once written)."""
    try:
        return _reveal(exercise_id)
    except Exception as err:
        key = _normal_id(exercise_id)
        return _note(key, f"The answer could not be shown ({type(err).__name__}: {err}).")


def _reveal(exercise_id: Any) -> Feedback:
    key, ex, note = _lookup(exercise_id)
    if ex is None:
        return note
    if ex["input"] == "essay":
        words = _grading.word_count(_essay_text(key))
        need = _grading.min_words(ex)
        if words < need:
            return _note(
                key,
                f"Write your own answer first (at least {need} words; you have {words}), "
                "then compare it with the model answer.",
            )
        _save(key, revealed=True)
        return Feedback(key, None, ex["model_answer"], label="Model answer")
    try:
        shown = _grading.format_answer(ex, _expected(key))
    except Exception as err:
        return _note(key, f"The answer to {key} could not be looked up in the data ({err}).")
    _save(key, revealed=True)
    return Feedback(key, None, f"{shown}. {ex.get('explanation', '')}".strip(), label="Answer")


def ask(exercise_id: str, *, then: Callable[[], Any] | None = None):
    """The question in a widget: its input, Check, Hint and Show answer, feedback beside.

    `then` is called after the first Check and what it returns (a chart, a widget) is shown
    below: predict, then see. Building the widget shows nothing that gives the answer away.
    """
    import sys

    from lessons._ask import Ask

    # the widget is handed this module as its grader, so it never imports `checks` itself:
    # the arrow goes one way (checks -> _ask), and widget and check() share every verdict
    return Ask(exercise_id, then=then, grader=sys.modules[__name__])


# --- progress ------------------------------------------------------------------------------


def _lesson_key(lesson: Any) -> str:
    text = str(lesson).strip()
    return f"{int(text):02d}" if text.isdigit() else text


@dataclass(frozen=True)
class Progress:
    """What is done, per exercise (one lesson) or per lesson (all): text and an HTML table."""

    title: str
    rows: tuple[tuple[str, ...], ...]  # (id or lesson, what, status)
    header: tuple[str, ...]
    note: str = ""

    def __repr__(self) -> str:
        lines = [self.title]
        lines += [f"  {'  '.join(row)}" for row in self.rows]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(
            f'<th scope="col" style="text-align:left">{html.escape(h)}</th>' for h in self.header
        )
        body = "".join(
            "<tr>"
            + "".join(f'<td style="text-align:left">{html.escape(cell)}</td>' for cell in row)
            + "</tr>"
            for row in self.rows
        )
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return (
            '<div class="lessons-progress" style="font-size:15px">'
            f'<table style="border-collapse:collapse"><caption style="text-align:left">'
            f"<strong>{html.escape(self.title)}</strong></caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}</div>"
        )


_PRIVACY = (
    "Kept only on this computer (lessons_progress.json, or the file named by LESSONS_PROGRESS); "
    "sent nowhere."
)


def _status_line(exercise_id: str, stored: Mapping[str, Any]) -> str:
    status = _progress.status(stored)
    if stored.get("revealed") and status != "right":
        status += " (answer shown)"
    return status


def progress(lesson: str | int | None = None) -> Progress:
    """Which exercises are done: of one lesson ("05"), or a line per lesson. Never raises."""
    try:
        return _progress_summary(lesson)
    except Exception as err:
        return Progress("Progress", (), ("",), f"Progress could not be shown ({err}).")


def _progress_summary(lesson: Any) -> Progress:
    stored = _progress.read()
    warning = _progress.last_warning or ""
    note = f"{warning} {_PRIVACY}".strip()
    if lesson is not None:
        key = _lesson_key(lesson)
        ids = exercise_ids(key)
        if not ids:
            return Progress(f"Lesson {key}", (), ("",), f"There are no exercises for {key!r}.")
        usable = _catalogue()[0]
        rows = tuple(
            (
                i,
                f"{usable[i]['level']}, {usable[i]['input']}",
                _status_line(i, stored.get(i, {})),
            )
            for i in ids
        )
        done = sum(_progress.status(stored.get(i, {})) in ("right", "written") for i in ids)
        title = f"Lesson {key}: {done} of {len(ids)} exercises done"
        return Progress(title, rows, ("Exercise", "Kind", "Status"), note)
    rows = []
    for key in dict.fromkeys(i.partition(".")[0] for i in exercise_ids()):
        ids = exercise_ids(key)
        counts = {s: 0 for s in _progress.STATUSES}
        for i in ids:
            counts[_progress.status(stored.get(i, {}))] += 1
        summary = ", ".join(f"{counts[s]} {s}" for s in ("right", "written", "tried", "not tried"))
        rows.append((f"Lesson {key}", f"{len(ids)} exercises", summary))
    return Progress(
        "Progress in every lesson", tuple(rows), ("Lesson", "Exercises", "Status"), note
    )


# --- dates in the report's time phrases (the phrase resolver) ----------------------------------


def judge_date(claim: pd.Series, guess: Any) -> Feedback:
    """Check a guessed date against a claim's resolved date, at the claim's precision."""
    phrase = claim["time_phrase"]
    if _grading.is_blank(guess):
        return Feedback(phrase, None, "pick a date, then press Check.")
    try:
        day, _precision = _grading.read_date(guess)
    except _grading.Unreadable as err:
        return Feedback(phrase, False, str(err))
    guessed = pd.Timestamp(day)
    target = claim["resolved_date"]
    precision = claim["resolved_precision"]
    end = claim.get("resolved_end")
    last = end if isinstance(end, pd.Timestamp) and not pd.isna(end) else target
    same = {
        "day": target <= guessed.normalize() <= last,
        "month": (target.year, target.month)
        <= (guessed.year, guessed.month)
        <= (last.year, last.month),
        "year": target.year <= guessed.year <= last.year,
    }[precision]
    unit = {"day": "day", "month": "month", "year": "year"}[precision]
    if same:
        return Feedback(phrase, True, f"right {unit}. {claim['note']}")
    direction = "later" if guessed < target else "earlier"
    return Feedback(
        phrase,
        False,
        f"not that {unit}: the answer is {direction}. Count from the publication date, "
        "Tuesday 3 March 2020, and look for the event in the timeline.",
    )
