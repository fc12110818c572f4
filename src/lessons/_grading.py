"""Grading: read a learner's answer for one input kind and say how it compares with the answer.

Everything here is pure: an exercise (a dict, with its options and items resolved), the right
answer and the learner's answer in, a `Verdict` out. State (tries, the hint ladder, the progress
file) lives in `checks`. An answer that cannot be read is not an error: `read_*` raise
`Unreadable` with one friendly sentence, and `grade` turns it into a verdict that does not count
as an attempt.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

KINDS = ("number", "date", "text", "choice", "multi", "order", "classify", "essay")
WITH_OPTIONS = ("choice", "multi", "order")
MAX_CHARS = 2_000  # a closed answer longer than this is pasted text, not an answer
MAX_ESSAY_CHARS = 50_000
DEFAULT_MIN_WORDS = 25

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+"


class Unreadable(ValueError):
    """The answer has a form this input cannot read; the message says what to write."""


@dataclass(frozen=True)
class Verdict:
    """How an answer compares: right (True), wrong (False) or not gradable (None)."""

    correct: bool | None
    message: str
    targeted: bool = False  # the message names this wrong answer's misconception
    attempt: bool = True  # False when the answer could not be read (empty, odd type)


# --- reading answers ----------------------------------------------------------------------


def fold(text: Any) -> str:
    """Text without case, accents, spaces or punctuation: 'Erdoğan' and ' erdogan.' agree.

    >>> fold("  Erdoğan ") == fold("erdogan.")
    True
    >>> fold("S-400") == fold("s400")
    True
    """
    text = str(text).replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in "".join(kept).casefold() if c.isalnum())


def is_blank(answer: Any) -> bool:
    """Nothing given: None, ..., an empty or all-space string, an empty collection."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, float) and math.isnan(answer):
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        return len(answer) == 0
    return False


def _scalar_text(answer: Any, what: str) -> str:
    if isinstance(answer, bytes):
        answer = answer.decode("utf-8", "replace")
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        raise Unreadable(f"Give one {what}, not a list or a table of values.")
    text = str(answer).strip()
    if len(text) > MAX_CHARS:
        raise Unreadable(f"That is very long for an answer: write just the {what}.")
    return text


_NUMBER = re.compile(r"[-+−]?\d[\d,\u00a0\u202f ]*(?:\.\d+)?|[-+−]?\.\d+")


def read_number(answer: Any) -> float:
    """A number from 36, 36.0, '36', '36 soldiers', '1,200', '40%'.

    >>> read_number("36 soldiers"), read_number("1,200"), read_number(" -2.5 ")
    (36.0, 1200.0, -2.5)
    """
    if isinstance(answer, bool):
        raise Unreadable("Write a number, e.g. 36 (not True or False).")
    if isinstance(answer, (int, float)) or hasattr(answer, "__float__"):
        try:
            value = float(answer)
        except (TypeError, ValueError, OverflowError):
            value = math.nan
        if not isinstance(answer, str):
            if math.isnan(value) or math.isinf(value):
                raise Unreadable("Write an ordinary number, e.g. 36.")
            return value
    text = _scalar_text(answer, "number")
    found = [m.group(0).strip() for m in _NUMBER.finditer(text)]
    found = [f for f in found if f]
    if not found:
        raise Unreadable("Write a number, e.g. 36.")
    values = {_to_float(f) for f in found}
    if len(values) > 1:
        raise Unreadable("Write just one number, e.g. 36.")
    return values.pop()


def _to_float(token: str) -> float:
    token = token.replace("−", "-").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in token and "." not in token and not re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", token):
        token = token.replace(",", ".")  # a decimal comma: 1,5
    return float(token.replace(",", ""))


def read_date(answer: Any) -> tuple[date, str]:
    """A date and its precision ('day', 'month', 'year') from ISO text, '5 March 2020', a date.

    >>> read_date("5 March 2020"), read_date("2020-03-05")[0] == read_date("March 5, 2020")[0]
    ((datetime.date(2020, 3, 5), 'day'), True)
    >>> read_date("March 2020")
    (datetime.date(2020, 3, 1), 'month')
    """
    if answer is None:
        raise Unreadable("Pick or write a date, e.g. 2020-03-05 or 5 March 2020.")
    if isinstance(answer, datetime):  # pandas Timestamps are datetimes too
        if answer != answer:  # NaT
            raise Unreadable("Pick or write a date, e.g. 2020-03-05.")
        return answer.date(), "day"
    if isinstance(answer, date):
        return answer, "day"
    if hasattr(answer, "dtype") and str(getattr(answer, "dtype", "")).startswith("datetime64"):
        text = str(answer)[:10]
    elif isinstance(answer, (int, float)) and not isinstance(answer, bool):
        if float(answer).is_integer() and 1000 <= answer <= 2999:
            return date(int(answer), 1, 1), "year"
        raise Unreadable("Write the date as text, e.g. 2020-03-05 or 5 March 2020.")
    else:
        if isinstance(answer, (list, tuple, set, frozenset, dict)):
            raise Unreadable("Give one date, e.g. 2020-03-05, not a list of dates.")
        text = _scalar_text(answer, "date")
    return _parse_date_text(text)


def _parse_date_text(text: str) -> tuple[date, str]:
    cleaned = re.sub(r"\s+", " ", text.strip().lower().rstrip("."))
    cleaned = re.sub(rf"^{_WEEKDAYS}", "", cleaned)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    try:
        m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t ][\d:.+z-]*)?", cleaned)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])), "day"
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned)
        if m:
            return date(int(m[1]), int(m[2]), 1), "month"
        if re.fullmatch(r"\d{4}", cleaned):
            return date(int(cleaned), 1, 1), "year"
        words = cleaned.replace(",", " ").split()
        month = [MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in MONTHS]
        numbers = [w for w in words if w.isdigit()]
        if len(month) == 1 and len(words) == len(numbers) + 1:
            years = [int(n) for n in numbers if len(n) == 4]
            days = [int(n) for n in numbers if len(n) <= 2]
            if len(years) == 1 and len(days) == 1:
                return date(years[0], month[0], days[0]), "day"
            if len(years) == 1 and not days:
                return date(years[0], month[0], 1), "month"
    except ValueError:
        raise Unreadable(f"There is no such day as {text!r}: check the day and month.") from None
    if re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", cleaned):
        raise Unreadable(
            "Write the date as 2020-03-05 or 5 March 2020, so the day and the month "
            "cannot be mixed up."
        )
    raise Unreadable("Write the date as 2020-03-05 or 5 March 2020.")


def read_text(answer: Any) -> str:
    return _scalar_text(answer, "answer")


def _option_index(options: list[str], given: Any) -> int:
    """The position of an option given by its label, its letter (a, b, …) or its number (1, …)."""
    if isinstance(given, bool):
        raise Unreadable(f"Choose one of: {_listing(options)}.")
    if isinstance(given, int) and 1 <= given <= len(options):
        return given - 1
    text = _scalar_text(given, "option")
    folded = fold(text)
    for i, option in enumerate(options):
        if fold(option) == folded and folded:
            return i
    letter = re.fullmatch(r"\(?([a-z])[).]?", text.strip().lower())
    if letter and ord(letter[1]) - ord("a") < len(options):
        return ord(letter[1]) - ord("a")
    if text.strip().isdigit() and 1 <= int(text.strip()) <= len(options):
        return int(text.strip()) - 1
    raise Unreadable(f"{text!r} is not one of the options: {_listing(options)}.")


def _listing(options: Iterable[str]) -> str:
    return "; ".join(f"“{o}”" for o in options)


def _names(items: list[str]) -> str:
    """“A”, “B” and “C” (for a sentence)."""
    quoted = [f"“{i}”" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def read_choice(options: list[str], answer: Any, accept: Iterable[str] = ()) -> str:
    """The option label the learner means (or an accepted alternative, as given)."""
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        raise Unreadable(f"Choose one option, not several: {_listing(options)}.")
    text = answer if isinstance(answer, int) and not isinstance(answer, bool) else None
    if text is None:
        given = _scalar_text(answer, "option")
        if any(fold(a) == fold(given) for a in accept):
            return given
        return options[_option_index(options, given)]
    return options[_option_index(options, answer)]


def _as_list(answer: Any, options: list[str]) -> list[Any]:
    if isinstance(answer, str):
        if len(answer) > MAX_CHARS:
            raise Unreadable("That is very long for an answer: pick from the options.")
        if any(fold(answer) == fold(o) for o in options):
            return [answer]
        parts = [p for p in re.split(r"[,;\n]", answer) if p.strip()]
        if len(parts) == 1 and re.fullmatch(r"[a-zA-Z]{2,}", answer.strip()):
            letters = answer.strip().lower()
            if all(ord(c) - ord("a") < len(options) for c in letters) and len(letters) <= 26:
                return list(letters)
        return parts
    if isinstance(answer, Mapping):
        raise Unreadable("Give a list of options, e.g. ['a', 'c'].")
    if isinstance(answer, Iterable) and not isinstance(answer, bytes):
        items = list(answer)
        if len(items) > 200:
            raise Unreadable("That is a very long list: pick from the options.")
        return items
    return [answer]


def read_multi(options: list[str], answer: Any) -> list[str]:
    """The chosen option labels, in the order of the options."""
    chosen = {_option_index(options, item) for item in _as_list(answer, options)}
    return [options[i] for i in sorted(chosen)]


def read_order(options: list[str], answer: Any) -> list[str]:
    """Every option, once, in the learner's order."""
    given = [options[_option_index(options, item)] for item in _as_list(answer, options)]
    missing = [o for o in options if o not in given]
    twice = sorted({o for o in given if given.count(o) > 1}, key=options.index)
    if twice:
        raise Unreadable(f"Use each option once; {_listing(twice)} appears more than once.")
    if missing:
        raise Unreadable(f"Put every option in the order; missing: {_listing(missing)}.")
    return given


def read_classify(items: list[dict[str, str]], categories: list[str], answer: Any) -> dict:
    """{item key: category} for every item."""
    if not isinstance(answer, Mapping):
        raise Unreadable(
            "Give a label to each item, e.g. {'c01': 'fact', 'c02': 'interpretation'}."
        )
    keys = [item["key"] for item in items]
    by_fold = {fold(k): k for k in keys}
    labels: dict[str, str] = {}
    for raw_key, raw_value in answer.items():
        key = by_fold.get(fold(raw_key)) if isinstance(raw_key, (str, int)) else None
        if key is None:
            raise Unreadable(f"{str(raw_key)[:40]!r} is not one of the items: {', '.join(keys)}.")
        if is_blank(raw_value):
            continue
        labels[key] = categories[_option_index(categories, raw_value)]
    unlabelled = [f"{n} ({k})" for n, k in enumerate(keys, start=1) if k not in labels]
    if unlabelled:
        raise Unreadable(
            f"Give every item a label: {len(unlabelled)} of {len(keys)} still have none "
            f"(item {', '.join(unlabelled)})."
        )
    return {k: labels[k] for k in keys}


def word_count(text: Any) -> int:
    """Words in a written answer (anything with a letter or digit counts as a word)."""
    if not isinstance(text, str):
        return 0
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


# --- comparing ----------------------------------------------------------------------------


def read(ex: Mapping[str, Any], answer: Any) -> Any:
    """The learner's answer in the exercise's own terms (raises `Unreadable`)."""
    kind = ex["input"]
    if kind == "number":
        return read_number(answer)
    if kind == "date":
        return read_date(answer)
    if kind == "text":
        return read_text(answer)
    if kind == "choice":
        return read_choice(ex["options"], answer, ex.get("accept", ()))
    if kind == "multi":
        return read_multi(ex["options"], answer)
    if kind == "order":
        return read_order(ex["options"], answer)
    if kind == "classify":
        return read_classify(ex["items"], ex["categories"], answer)
    raise Unreadable(f"this exercise has an input kind the lessons do not know ({kind!r}).")


def same(ex: Mapping[str, Any], given: Any, target: Any) -> bool:
    """Whether a read answer equals a target (the answer, an accepted one, a `when`)."""
    kind = ex["input"]
    if kind == "number":
        try:
            value = read_number(target)
        except Unreadable:
            return False
        return abs(given - value) <= float(ex.get("tolerance", 0) or 0) + 1e-9
    if kind == "date":
        return _same_date(given, target, ex)
    if kind in ("text", "choice"):
        return fold(given) == fold(target)
    if kind == "multi":
        return {fold(g) for g in given} == {fold(t) for t in _listish(target)}
    if kind == "order":
        return [fold(g) for g in given] == [fold(t) for t in _listish(target)]
    if kind == "classify":
        return isinstance(target, Mapping) and all(
            fold(given.get(k, "")) == fold(v) for k, v in target.items()
        )
    return False


def _listish(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _same_date(given: tuple[date, str], target: Any, ex: Mapping[str, Any]) -> bool:
    try:
        want, precision = read_date(target)
    except Unreadable:
        return False
    got, got_precision = given
    tolerance = int(ex.get("tolerance", 0) or 0)
    if precision == "year":
        return got.year == want.year
    if precision == "month":
        return (got.year, got.month) == (want.year, want.month)
    return got_precision == "day" and abs((got - want).days) <= tolerance


def _whens(entry: Mapping[str, Any]) -> list[Any]:
    when = entry.get("when")
    return list(when) if isinstance(when, list) else [when]


def grade(ex: Mapping[str, Any], expected: Any, answer: Any) -> Verdict:
    """Compare an answer with the expected one; the message teaches (no hint added here)."""
    kind = ex["input"]
    if kind == "essay":
        return grade_essay(ex, answer)
    if is_blank(answer):
        return Verdict(None, _empty_message(kind), attempt=False)
    try:
        given = read(ex, answer)
    except Unreadable as err:
        return Verdict(None, str(err), attempt=False)
    right = [expected, *ex.get("accept", [])] if kind in ("text", "choice") else [expected]
    if any(same(ex, given, target) for target in right):
        return Verdict(True, ex.get("explanation") or "That is right.")
    percent = kind == "number" and isinstance(answer, str) and "%" in answer
    if percent and same(ex, given / 100, expected):  # "55%" for a share written as 0.55
        return Verdict(True, ex.get("explanation") or "That is right.")
    if kind == "multi":
        return _grade_multi(ex, given, expected)
    if kind == "order":
        return _grade_order(ex, given, expected)
    if kind == "classify":
        return _grade_classify(ex, given, expected)
    if kind == "date":
        coarse = _coarser_than_needed(given, expected)
        if coarse:
            return Verdict(None, coarse, attempt=False)
    for entry in ex.get("feedback", []):
        if any(same(ex, given, when) for when in _whens(entry)):
            return Verdict(False, entry["say"], targeted=True)
    return Verdict(False, "Not yet.")


def _coarser_than_needed(given: tuple[date, str], expected: Any) -> str:
    """A message when the learner gave a month or a year but the answer is a day (or month)."""
    try:
        _want, precision = read_date(expected)
    except Unreadable:
        return ""
    rank = {"year": 0, "month": 1, "day": 2}
    if rank[given[1]] >= rank[precision]:
        return ""
    if precision == "day":
        return "Give the day too, e.g. 5 March 2020 or 2020-03-05."
    return "Give the month too, e.g. March 2020 or 2020-03."


def _empty_message(kind: str) -> str:
    return {
        "number": "Write a number first, e.g. 36, then press Check.",
        "date": "Pick or write a date first (e.g. 2020-03-05), then press Check.",
        "text": "Write your answer first, then press Check.",
        "choice": "Choose one of the options first, then press Check.",
        "multi": "Tick the options you think are right, then press Check.",
        "order": "Put the options in order first, then press Check.",
        "classify": "Give each item a label first, then press Check.",
    }.get(kind, "Give an answer first, then press Check.")


def _targeted_includes(ex: Mapping[str, Any], options: Iterable[str]) -> list[str]:
    names = {fold(o) for o in options}
    return [
        entry["say"]
        for entry in ex.get("feedback", [])
        if "when_includes" in entry and fold(entry["when_includes"]) in names
    ]


def _grade_multi(ex: Mapping[str, Any], given: list[str], expected: list[str]) -> Verdict:
    want = {fold(e) for e in expected}
    right = [g for g in given if fold(g) in want]
    extra = [g for g in given if fold(g) not in want]
    missed = len(want) - len(right)
    parts = [f"{len(right)} of {len(want)} right"]
    if missed:
        parts.append(f"you missed {missed} that belong{'s' if missed == 1 else ''}")
    if extra:
        verb = "does" if len(extra) == 1 else "do"
        parts.append(f"{_names(extra)} {verb} not belong")
    said = _targeted_includes(ex, extra)
    message = "; ".join(parts) + "." + "".join(f" {s}" for s in said)
    return Verdict(False, message, targeted=bool(said))


def _grade_order(ex: Mapping[str, Any], given: list[str], expected: list[str]) -> Verdict:
    placed = [g for g, e in zip(given, expected, strict=False) if fold(g) == fold(e)]
    wrong = [g for g, e in zip(given, expected, strict=False) if fold(g) != fold(e)]
    verb = "is" if len(wrong) == 1 else "are"
    message = (
        f"{len(placed)} of {len(expected)} in the right place; {_names(wrong)} {verb} out of place."
    )
    said = _targeted_includes(ex, wrong)
    return Verdict(False, message + "".join(f" {s}" for s in said), targeted=bool(said))


def _grade_classify(ex: Mapping[str, Any], given: dict, expected: Mapping[str, str]) -> Verdict:
    texts = {item["key"]: item.get("text", item["key"]) for item in ex["items"]}
    wrong = [k for k in texts if fold(given.get(k, "")) != fold(expected.get(k, ""))]
    message = f"{len(texts) - len(wrong)} of {len(texts)} labelled right."
    said = []
    untargeted = []
    for key in wrong:
        say = next(
            (
                e["say"]
                for e in ex.get("feedback", [])
                if e.get("when_item") == key and fold(e.get("is", "")) == fold(given.get(key))
            ),
            None,
        )
        if say:
            said.append(say)
        else:
            untargeted.append(key)
    if untargeted:
        shown = "; ".join(f"“{short(texts[k])}”" for k in untargeted)
        message += f" Look again at: {shown}."
    return Verdict(False, message + "".join(f" {s}" for s in said), targeted=bool(said))


def short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def grade_essay(ex: Mapping[str, Any], answer: Any) -> Verdict:
    """No grade for a written answer: a word count, and the model answer once it is long enough."""
    if isinstance(answer, str) and len(answer) > MAX_ESSAY_CHARS:
        return Verdict(None, "That is very long: keep your answer to a few paragraphs.", False)
    if is_blank(answer) or not isinstance(answer, str):
        return Verdict(None, "Write your answer in the box first.", attempt=False)
    words = word_count(answer)
    need = min_words(ex)
    if words < need:
        return Verdict(
            None,
            f"You have written {words} word{'s' if words != 1 else ''}; write at least {need}, "
            "then you can compare your answer with a model answer.",
        )
    return Verdict(
        None,
        f"Saved: {words} words. Press “Show model answer” to compare yours with a model answer.",
    )


def min_words(ex: Mapping[str, Any]) -> int:
    value = ex.get("min_words", DEFAULT_MIN_WORDS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MIN_WORDS


# --- showing answers ----------------------------------------------------------------------


def format_answer(ex: Mapping[str, Any], answer: Any) -> str:
    """The right answer as a learner reads it."""
    kind = ex["input"]
    if kind == "number":
        value = read_number(answer)
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if kind == "date":
        day, precision = read_date(answer)
        if precision == "year":
            return str(day.year)
        if precision == "month":
            return f"{day:%B %Y}"
        return f"{day.day} {day:%B %Y} ({day.isoformat()})"
    if kind == "multi":
        return "; ".join(str(a) for a in answer)
    if kind == "order":
        return " → ".join(f"{i}. {a}" for i, a in enumerate(answer, start=1))
    if kind == "classify":
        texts = {item["key"]: item.get("text", item["key"]) for item in ex.get("items", [])}
        return "; ".join(f"“{short(texts.get(k, k), 50)}”: {v}" for k, v in answer.items())
    return str(answer)
