"""Read a delimited text file and check it against a Frictionless table schema: the one reader.

Why not `pandas.read_csv` alone: it guesses types ("013" becomes 13), pads short rows with
blanks and numbers rows by position, so its errors cannot point a teacher at the cell to fix.
Here every field is read as text and each type and constraint of `datapackage.json` is
applied explicitly; every problem found is collected into one `DataError`, with a
machine-readable code beside its message. The input file is only ever opened for reading.

How, in four steps: decode the bytes (UTF-8, with or without a byte-order mark); split them
with the csv module, remembering the line each record starts on; check each column on its
*distinct* values (a column of 100,000 dates holds a few thousand), walking the rows only for
a value that failed, to name each row it is on; build the typed columns from the checked
values with public pandas constructors. The line numbers come back beside the frame
(`Table.rows`), for the checks across files in `lessons.data`.

Field types: string, integer, number, boolean, date, yearmonth. A string field with the custom
property `listDelimiter` (e.g. ";") comes back as one list per row: the file keeps plain
text, which every Frictionless tool reads, and learners still get a list of names.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "scores.csv"
>>> schema = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}
>>> _ = path.write_text("id,n\\na,1\\n\\nb,2\\n", encoding="utf-8")
>>> table = read(path, schema)
>>> table.frame["n"].tolist(), table.rows
([1, 2], [2, 4])
>>> _ = path.write_text("id,n\\na,1\\nb,two\\n", encoding="utf-8")
>>> try:
...     read(path, schema)
... except DataError as err:
...     print(err.problems[0].row, err.problems[0].code, err.problems[0].rule)
3 type-error not a whole number
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from lessons.errors import DataError, Problem

Schema = dict[str, Any]
Field = dict[str, Any]
HEADER_ROW = 1
MAX_FIELD_CHARS = 100_000
MAX_SHOWN_PER_RULE = 50  # problems named per rule and column; the message shows the first 10
MAX_INT_DIGITS = 18  # fits a 64-bit integer column
# [0-9], not \d: \d also matches non-ASCII digits such as "٣" or "２", which pandas then
# parses silently or not at all.
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_YEARMONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_NOT_FINITE = {"nan", "inf", "-inf", "infinity"}
_RANGED = ("integer", "number", "date", "yearmonth")
# The first and last whole days a datetime64[ns] column holds (pd.Timestamp.min and .max).
_STORABLE_DAYS = (dt.date(1677, 9, 22), dt.date(2262, 4, 11))
_NAT = np.iinfo(np.int64).min  # numpy's "not a time", as an integer


@dataclass(frozen=True)
class Table:
    """A checked table: its typed columns, and the line of the file each record starts on."""

    frame: pd.DataFrame
    rows: list[int]


def read(path: str | Path, schema: Schema, *, delimiter: str = ",") -> Table:
    """Read `path` as text, check every field against `schema`, return typed columns.

    Columns come in schema order (an optional column absent from the file is all missing),
    then any column the schema does not know, kept as written. Raises `DataError` naming
    every problem found (file, row as a spreadsheet numbers it, column, value, rule, code).
    """
    path = Path(path)
    text = _decode(path)
    header, records, rows = _split_records(path, text, delimiter)
    _check_header(path, header, schema, delimiter)
    raw = dict(zip(header, map(list, zip(*records, strict=True)), strict=True))
    missing_values = [str(v) for v in schema.get("missingValues", [""])]
    problems: list[Problem] = []
    columns = [
        _Column(path, spec, raw[spec["name"]], rows, missing_values)
        for spec in schema["fields"]
        if spec["name"] in raw
    ]
    for column in columns:
        problems += column.check()
    if problems:
        raise DataError(problems)
    typed = {c.name: c.typed() for c in columns}
    n = len(rows)
    out = {
        spec["name"]: typed[spec["name"]] if spec["name"] in typed else _empty_optional(spec, n)
        for spec in schema["fields"]
    }
    for name in header:
        if name not in out:  # a column the schema does not know: kept as written
            out[name] = pd.array(raw[name], dtype="str")
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    _check_unique_keys(path, frame, schema, rows)
    return Table(frame, rows)


def read_table(path: str | Path, schema: Schema, *, delimiter: str = ",") -> pd.DataFrame:
    """`read(...).frame`: the typed frame alone, for callers that need no line numbers."""
    return read(path, schema, delimiter=delimiter).frame


# --- decode and split ---------------------------------------------------------------------


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError.single(path, "file not found") from None
    except IsADirectoryError:
        raise DataError.single(path, "expected a file, found a folder") from None
    if not raw or raw.isspace():  # (not `strip()`: that would copy the whole file)
        raise DataError.single(path, "the file is empty: expected a header row and data rows")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 4]
        raise DataError.single(
            path,
            f"bytes {bad!r} are not UTF-8; save the file as UTF-8 (in a spreadsheet: "
            "'CSV UTF-8') and try again",
            row=line,
            code="encoding-error",
        ) from None
    if not text or text.isspace():  # e.g. a lone byte-order mark
        raise DataError.single(path, "the file is empty: expected a header row and data rows")
    return text


def _split_records(
    path: Path, text: str, delimiter: str
) -> tuple[list[str], list[list[str]], list[int]]:
    """Split text into header and records, remembering each record's first line."""
    # A long field should be reported by its length, not fail to parse (default: 131,072).
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS * 10))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError.single(path, "contains a NUL byte: this is not a text file", row=line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as err:
        raise DataError.single(
            path, f"cannot read the header: {err}", row=HEADER_ROW, code="format-error"
        ) from None
    header = [h.strip() for h in header]
    records: list[list[str]] = []
    rows: list[int] = []
    start = reader.line_num + 1
    width = len(header)
    try:
        for record in reader:
            if len(record) == width:
                records.append(record)
                rows.append(start)
            elif record:  # (an empty record is a blank line, not a record)
                _wrong_width(path, header, record, start, delimiter)
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataError.single(
            path, f"is not well-formed CSV: {err}", row=start, code="format-error"
        ) from None
    if not records:
        raise DataError.single(
            path, "has a header but no data rows", row=HEADER_ROW + 1, code="format-error"
        )
    return header, records, rows


def _wrong_width(
    path: Path, header: list[str], record: list[str], start: int, delimiter: str
) -> NoReturn:
    """Raise the error for a record with more or fewer fields than the header."""
    width = len(header)
    if width == 1 and _other_delimiter(header[0], delimiter):
        raise DataError.single(
            path,
            "the header is one long name: is the file using another delimiter than "
            f"'{_show_delim(delimiter)}'?",
            row=HEADER_ROW,
            value=header[0],
            code="format-error",
        )
    raise DataError.single(
        path,
        f"has {len(record)} field(s) but the header has {width}: check for a "
        f"missing or extra '{_show_delim(delimiter)}' or an unclosed quote",
        row=start,
        code="extra-cell" if len(record) > width else "missing-cell",
    )


def _other_delimiter(text: str, delimiter: str) -> bool:
    return any(d in text for d in ",;\t" if d != delimiter)


def _show_delim(delimiter: str) -> str:
    return "\\t" if delimiter == "\t" else delimiter


def _check_header(path: Path, header: list[str], schema: Schema, delimiter: str) -> None:
    seen: set[str] = set()
    problems = []
    for name in header:
        if name in seen:
            problems.append(
                Problem(
                    str(path),
                    HEADER_ROW,
                    name,
                    None,
                    "column name appears twice in the header",
                    "header-error",
                )
            )
        seen.add(name)
    for spec in schema["fields"]:
        if spec["name"] not in seen and spec.get("constraints", {}).get("required", False):
            hint = ""
            if len(header) == 1 and _other_delimiter(header[0], delimiter):
                hint = " (the header is one long name: is the file using another delimiter?)"
            problems.append(
                Problem(
                    str(path),
                    HEADER_ROW,
                    spec["name"],
                    None,
                    f"required column missing{hint}",
                    "header-error",
                )
            )
    if problems:
        raise DataError(problems)


def _empty_optional(spec: Field, n: int) -> pd.Series:
    kind = spec.get("type", "string")
    if kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    dtype = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}.get(kind, "object")
    return pd.Series(pd.NA, index=range(n), dtype=dtype)


# --- one column: checks on distinct values, then typed values -----------------------------


@dataclass
class _Column:
    """One column of text cells and its field; checked once per distinct value.

    `text` maps each distinct cell to its text without surrounding spaces; `value` maps each
    checked text to its typed value (missing texts are absent from it).
    """

    path: Path
    spec: Field
    cells: list[str]
    rows: list[int]
    missing_values: list[str]
    text: dict[str, str] = field(init=False)
    missing: set[str] = field(init=False)
    present: list[str] = field(init=False)
    value: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.text = {cell: cell.strip() for cell in set(self.cells)}
        texts = set(self.text.values())
        self.missing = texts & set(self.missing_values)
        self.present = sorted(texts - self.missing)

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def kind(self) -> str:
        return self.spec.get("type", "string")

    def check(self) -> list[Problem]:
        """Every broken rule, in the order: required, length, pattern, enum, type, range."""
        cons = self.spec.get("constraints", {})
        failed: list[tuple[set[str], str, str]] = []

        def fail(texts: Iterable[str], rule: str, code: str) -> None:
            texts = set(texts)
            if texts:
                failed.append((texts, rule, code))

        present = self.present
        if cons.get("required"):
            fail(self.missing, "a value is required here", "missing-value")
        if "maxLength" in cons:
            limit = cons["maxLength"]
            fail((t for t in present if len(t) > limit), f"longer than {limit} characters", _C)
        if "pattern" in cons:
            match = re.compile(cons["pattern"]).fullmatch
            fail(
                (t for t in present if not match(t)),
                f"does not match the pattern {cons['pattern']}",
                _C,
            )
        if "enum" in cons:
            allowed = [str(v) for v in cons["enum"]]
            fail(
                (t for t in present if t not in allowed),
                f"not one of the allowed values: {allowed}",
                _C,
            )
        _TYPES[self.kind](self, fail)
        if self.kind in _RANGED:
            self._check_range(cons, fail)
        return [
            problem for texts, rule, code in failed for problem in self._where(texts, rule, code)
        ]

    def _check_range(self, cons: dict[str, Any], fail: Callable[..., None]) -> None:
        for key, below, word in (("minimum", True, "below"), ("maximum", False, "above")):
            if key not in cons:
                continue
            limit = cons[key]
            if self.kind == "date":  # a day, as Table Schema writes a date's limits
                limit = pd.Timestamp(limit).date()
            if self.kind == "yearmonth":  # compared as text, as written
                values = {t: t for t in self.present}
            else:  # a value that failed its type has none (or NaN), and no range to break
                values = {t: v for t, v in self.value.items() if v == v}
            out = [t for t, v in values.items() if (v < limit if below else v > limit)]
            fail(out, f"{word} the allowed {key} {cons[key]}", _C)

    def _where(self, texts: set[str], rule: str, code: str) -> list[Problem]:
        """The first rows holding one of `texts` (a missing value is shown as empty)."""
        problems = []
        for cell, row in zip(self.cells, self.rows, strict=True):
            text = self.text[cell]
            if text in texts:
                shown = "" if text in self.missing else text
                problems.append(Problem(str(self.path), row, self.name, shown, rule, code))
                if len(problems) == MAX_SHOWN_PER_RULE:
                    break
        return problems

    def typed(self) -> Any:
        """The column in its schema type (only called once every check has passed)."""
        return _BUILD[self.kind](self)

    def _values(self, fill: Any) -> list[Any]:
        """Each cell's typed value, `fill` where it is missing."""
        of_cell = {cell: self.value.get(text, fill) for cell, text in self.text.items()}
        for cell, text in self.text.items():
            if text in self.missing:
                of_cell[cell] = fill
        return [of_cell[cell] for cell in self.cells]


_C = "constraint-error"


def _check_string(col: _Column, fail: Callable[..., None]) -> None:
    col.value = {t: t for t in col.present}


def _check_integer(col: _Column, fail: Callable[..., None]) -> None:
    not_whole = [t for t in col.present if not _WHOLE.fullmatch(t)]
    fail(not_whole, "not a whole number", "type-error")
    whole = [t for t in col.present if _WHOLE.fullmatch(t)]
    big = [t for t in whole if len(t.lstrip("+-").lstrip("0")) > MAX_INT_DIGITS]
    fail(big, f"too large: at most {MAX_INT_DIGITS} digits", "type-error")
    col.value = {t: int(t) for t in set(whole) - set(big)}


def _check_number(col: _Column, fail: Callable[..., None]) -> None:
    # pandas' own parser, on the distinct texts plus one missing value if the column has
    # any: it reads a column of whole numbers as integers ("-0" then gives +0.0), so which
    # kinds of value the column holds decides the floats, as when it parses the whole column.
    probe = pd.Series([*col.present, *([np.nan] if col.missing else [])], dtype=object)
    nums = pd.to_numeric(probe.astype(str), errors="coerce").astype("float64").tolist()
    col.value = dict(zip(col.present, nums, strict=False))
    fail(
        (t for t, v in col.value.items() if pd.isna(v)),
        "not a number (use a dot as decimal separator, no thousands separator)",
        "type-error",
    )
    fail((t for t in col.present if t.lower() in _NOT_FINITE), "not a finite number", "type-error")


def _check_boolean(col: _Column, fail: Callable[..., None]) -> None:
    trues = col.spec.get("trueValues", ["true"])
    falses = col.spec.get("falseValues", ["false"])
    known = set(trues) | set(falses)
    fail(
        (t for t in col.present if t not in known),
        f"not a boolean: use {trues[0]} or {falses[0]}",
        "type-error",
    )
    col.value = {t: t in trues for t in col.present if t in known}


def _check_date(col: _Column, fail: Callable[..., None]) -> None:
    days = {t: day for t in col.present if (day := _calendar_day(t)) is not None}
    fail(
        (t for t in col.present if t not in days), "not a valid date: use YYYY-MM-DD", "type-error"
    )
    # pandas stores dates in nanoseconds: years outside 1678-2261 cannot be held.
    first, last = _STORABLE_DAYS
    outside = {t for t, day in days.items() if not first <= day <= last}
    fail(outside, "not a valid date: the year must be between 1678 and 2261", "type-error")
    col.value = {t: day for t, day in days.items() if t not in outside}


def _calendar_day(text: str) -> dt.date | None:
    """The day `text` names if it is YYYY-MM-DD (ASCII digits) and a real calendar day.

    Year 0, which pandas reads (as a leap year) and Python's dates lack, gives the earliest
    date Python has: like any date before 1678 it is then "outside what pandas holds".
    """
    if not _DATE.fullmatch(text):
        return None
    if text.startswith("0000-"):
        return dt.date.min if _calendar_day("2000" + text[4:]) else None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _check_yearmonth(col: _Column, fail: Callable[..., None]) -> None:
    fail(
        (t for t in col.present if not _YEARMONTH.fullmatch(t)),
        "not a valid month: use YYYY-MM",
        "type-error",
    )
    col.value = {t: t for t in col.present}


_TYPES: dict[str, Callable[[_Column, Callable[..., None]], None]] = {
    "string": _check_string,
    "integer": _check_integer,
    "number": _check_number,
    "boolean": _check_boolean,
    "date": _check_date,
    "yearmonth": _check_yearmonth,
}


def _build_string(col: _Column) -> Any:
    delimiter = col.spec.get("listDelimiter")
    if delimiter is None:
        return pd.array(col._values(np.nan), dtype="str")
    # A delimited list ("Turkey;Russia"): each row gets its own list of the items.
    items = {t: [p.strip() for p in t.split(delimiter) if p.strip()] for t in col.present}
    return pd.Series([list(items.get(col.text[cell], ())) for cell in col.cells], dtype=object)


def _build_integer(col: _Column) -> Any:
    return pd.array(col._values(None), dtype="Int64")


def _build_number(col: _Column) -> Any:
    return np.array(col._values(np.nan), dtype="float64")


def _build_boolean(col: _Column) -> Any:
    return pd.array(col._values(None), dtype="boolean")


def _build_date(col: _Column) -> Any:
    # Days since 1970-01-01 as integers, read by numpy as days (NaT where missing): ten times
    # quicker than numpy converting date objects or texts one by one.
    epoch = dt.date(1970, 1, 1).toordinal()
    col.value = {text: day.toordinal() - epoch for text, day in col.value.items()}
    days = np.array(col._values(_NAT), dtype="int64").view("datetime64[D]")
    return days.astype("datetime64[ns]")


def _build_yearmonth(col: _Column) -> Any:
    return pd.array(col._values(""), dtype="str")


# Each gives the column as a pandas extension array or a numpy array (the list column: a
# Series of lists, which numpy would otherwise turn into a 2-D array when all have one length).
_BUILD: dict[str, Callable[[_Column], Any]] = {
    "string": _build_string,
    "integer": _build_integer,
    "number": _build_number,
    "boolean": _build_boolean,
    "date": _build_date,
    "yearmonth": _build_yearmonth,
}


# --- keys ----------------------------------------------------------------------------------


def _check_unique_keys(path: Path, frame: pd.DataFrame, schema: Schema, rows: list[int]) -> None:
    keys = schema.get("primaryKey")
    unique_fields = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    groups = ([keys] if isinstance(keys, str) else [keys] if keys else []) + [
        [n] for n in unique_fields
    ]
    problems = []
    checked: list[list[str]] = []
    for cols in groups:
        cols = [cols] if isinstance(cols, str) else list(cols)
        if cols in checked:  # a primary key that is also marked unique: report it once
            continue
        checked.append(cols)
        dup = frame.duplicated(subset=cols, keep="first")
        for i in dup[dup].index[:MAX_SHOWN_PER_RULE]:
            value = ", ".join(str(frame.at[i, c]) for c in cols)
            problems.append(
                Problem(
                    str(path),
                    rows[i],
                    "+".join(cols),
                    value,
                    "duplicate id: must be unique",
                    "unique-error",
                )
            )
    if problems:
        raise DataError(problems)
