"""Read a delimited text file and check it against a Frictionless table schema.

Why not `pandas.read_csv` alone: it guesses types ("013" becomes 13), pads short rows with
blanks and numbers rows by position, so its errors cannot point a teacher at the cell to fix.
Here every record keeps the line it came from, every field is read as text, and each type and
constraint from `datapackage.json` is applied explicitly, collecting every problem into one
`DataError`. The input file is only ever opened for reading.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from lessons.errors import DataError, Problem

Schema = dict[str, Any]
HEADER_ROW = 1
MAX_FIELD_CHARS = 100_000
# [0-9], not \d: \d also matches non-ASCII digits such as "٣" or "２", which pandas then
# parses silently or not at all.
_YEARMONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_INT_DIGITS = 18  # fits a 64-bit integer column


class Rows(list):
    """The line each record starts on (`df.attrs["rows"]`): a list that copies cheaply.

    Why: pandas deep-copies `attrs` on every operation; a plain list of 100,000 line numbers
    is copied element by element (~20 ms each time), this one in one C call. Its items are
    ints, so a shallow copy is a deep one.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Rows:
        return Rows(self)


def read_table(path: str | Path, schema: Schema, *, delimiter: str = ",") -> pd.DataFrame:
    """Read `path` as text, check every field against `schema`, return typed columns.

    The returned frame has a `row` attribute in `df.attrs["rows"]` mapping each record to
    its line in the file, so later checks (references, cross-field rules) can name it too.

    A plain, valid file is proved valid column by column (`lessons.fastcheck`); any other
    file, and every file with a problem, is read cell by cell here, which names each problem.
    """
    from lessons.fastcheck import read_valid  # imports this module: load it on first use

    path = Path(path)
    fast = read_valid(path, schema, delimiter)
    if fast is not None:
        return fast
    return read_cell_by_cell(path, schema, delimiter=delimiter)


def read_cell_by_cell(path: str | Path, schema: Schema, *, delimiter: str = ",") -> pd.DataFrame:
    """`read_table` without the fast path: every cell in Python, every problem named."""
    path = Path(path)
    text = _decode(path)
    header, records, rows = _split_records(path, text, delimiter)
    _check_header(path, header, schema, delimiter)
    columns = {name: [rec[i] for rec in records] for i, name in enumerate(header)}
    frame = pd.DataFrame(columns, dtype=object)
    problems: list[Problem] = []
    typed: dict[str, pd.Series] = {}
    missing_values = [str(v) for v in schema.get("missingValues", [""])]
    for field in schema["fields"]:
        name = field["name"]
        if name not in frame:
            typed[name] = _empty_optional(field, len(frame))
            continue
        typed[name] = _convert_field(path, frame[name], field, rows, problems, missing_values)
    extra = [c for c in header if c not in typed]
    for name in extra:
        typed[name] = frame[name].astype("str")
    if problems:
        raise DataError(problems)
    out = pd.DataFrame(typed, index=pd.RangeIndex(len(frame)))
    out.attrs["rows"] = Rows(rows)
    out.attrs["path"] = str(path)
    _check_unique_keys(path, out, schema, rows)
    return out


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError.single(path, "file not found") from None
    except IsADirectoryError:
        raise DataError.single(path, "expected a file, found a folder") from None
    if not raw.strip():
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
        ) from None
    if not text.strip():  # e.g. a lone byte-order mark
        raise DataError.single(path, "the file is empty: expected a header row and data rows")
    return text


def _split_records(
    path: Path, text: str, delimiter: str
) -> tuple[list[str], list[list[str]], list[int]]:
    """Split text into header and records, remembering each record's first line."""
    raise_field_size_limit()
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError.single(path, "contains a NUL byte: this is not a text file", row=line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as err:
        raise DataError.single(path, f"cannot read the header: {err}", row=HEADER_ROW) from None
    header = [h.strip() for h in header]
    records: list[list[str]] = []
    rows: list[int] = []
    start = reader.line_num + 1
    width = len(header)
    try:
        for record in reader:
            if not record:
                start = reader.line_num + 1
                continue  # a blank line is not a record
            if len(record) != width and width == 1 and _other_delimiter(header[0], delimiter):
                raise DataError.single(
                    path,
                    "the header is one long name: is the file using another delimiter than "
                    f"'{_show_delim(delimiter)}'?",
                    row=HEADER_ROW,
                    value=header[0],
                )
            if len(record) != width:
                raise DataError.single(
                    path,
                    f"has {len(record)} field(s) but the header has {width}: check for a "
                    f"missing or extra '{_show_delim(delimiter)}' or an unclosed quote",
                    row=start,
                )
            records.append(record)
            rows.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise DataError.single(path, f"is not well-formed CSV: {err}", row=start) from None
    if not records:
        raise DataError.single(path, "has a header but no data rows", row=HEADER_ROW + 1)
    return header, records, rows


def raise_field_size_limit() -> None:
    """Let the csv module read fields up to 10x `MAX_FIELD_CHARS` (its default is 131,072).

    Why: a long field should be reported by its length, not fail to parse; both the careful
    reader and the fast path call this, so they split with the same limit.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS * 10))


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
                    str(path), HEADER_ROW, name, None, "column name appears twice in the header"
                )
            )
        seen.add(name)
    for field in schema["fields"]:
        if field["name"] not in seen and _required(field):
            hint = ""
            if len(header) == 1 and _other_delimiter(header[0], delimiter):
                hint = " (the header is one long name: is the file using another delimiter?)"
            problems.append(
                Problem(
                    str(path), HEADER_ROW, field["name"], None, f"required column missing{hint}"
                )
            )
    if problems:
        raise DataError(problems)


def _required(field: dict[str, Any]) -> bool:
    return bool(field.get("constraints", {}).get("required", False))


def _empty_optional(field: dict[str, Any], n: int) -> pd.Series:
    kind = field.get("type", "string")
    dtype = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}.get(kind, "object")
    if kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    return pd.Series(pd.NA, index=range(n), dtype=dtype)


def _convert_field(
    path: Path,
    raw: pd.Series,
    field: dict[str, Any],
    rows: list[int],
    problems: list[Problem],
    missing_values: list[str],
) -> pd.Series:
    """Turn one text column into its schema type, recording every bad cell."""
    name = field["name"]
    cons = field.get("constraints", {})
    text = raw.astype(str).str.strip()
    missing = text.isin(missing_values)
    if missing.any():
        text = text.mask(missing, "")

    def report(mask: pd.Series, rule: str, values: pd.Series | None = None) -> None:
        shown = text if values is None else values
        for i in mask[mask].index[:50]:
            problems.append(Problem(str(path), rows[i], name, str(shown[i]), rule))

    if cons.get("required"):
        report(missing, "a value is required here")
    if "maxLength" in cons:
        report(text.str.len().gt(cons["maxLength"]), f"longer than {cons['maxLength']} characters")
    if "pattern" in cons:
        ok = text.str.fullmatch(cons["pattern"]) | missing
        report(~ok, f"does not match the pattern {cons['pattern']}")
    if "enum" in cons:
        allowed = [str(v) for v in cons["enum"]]
        report(~(text.isin(allowed) | missing), f"not one of the allowed values: {allowed}")
    converter = _CONVERTERS[field.get("type", "string")]
    values = converter(text, missing, field, report)
    _check_range(values, missing, cons, report, field)
    return values


def _as_string(text, missing, field, report) -> pd.Series:
    return text.mask(missing).astype("str")


def _as_list(text, missing, field, report) -> pd.Series:
    delim = field.get("delimiter", ";")
    return text.map(lambda s: [p.strip() for p in s.split(delim) if p.strip()] if s else [])


def _as_integer(text, missing, field, report) -> pd.Series:
    ok = text.str.fullmatch(r"[+-]?[0-9]+") | missing
    report(~ok, "not a whole number")
    big = ok & ~missing & text.str.lstrip("+-").str.lstrip("0").str.len().gt(MAX_INT_DIGITS)
    report(big, f"too large: at most {MAX_INT_DIGITS} digits")
    good = ok & ~missing & ~big
    values = [int(s) if g else pd.NA for s, g in zip(text, good, strict=True)]
    return pd.Series(pd.array(values, dtype="Int64"), index=text.index)


def _as_number(text, missing, field, report) -> pd.Series:
    nums = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = nums.isna() & ~missing
    report(bad, "not a number (use a dot as decimal separator, no thousands separator)")
    nan_text = text.str.lower().isin(["nan", "inf", "-inf", "infinity"])
    report(nan_text, "not a finite number")
    return nums.astype("float64")


def _as_boolean(text, missing, field, report) -> pd.Series:
    trues = field.get("trueValues", ["true"])
    falses = field.get("falseValues", ["false"])
    ok = text.isin(trues + falses) | missing
    report(~ok, f"not a boolean: use {trues[0]} or {falses[0]}")
    return text.map(lambda s: True if s in trues else (False if s in falses else pd.NA)).astype(
        "boolean"
    )


def _as_date(text, missing, field, report) -> pd.Series:
    shaped = text.str.fullmatch(_DATE.pattern) | missing
    parsed = pd.to_datetime(text.where(shaped & ~missing), format="%Y-%m-%d", errors="coerce")
    bad = (~shaped) | (parsed.isna() & ~missing)
    report(bad, "not a valid date: use YYYY-MM-DD")
    # pandas stores dates in nanoseconds: years outside 1678-2261 cannot be held.
    unstorable = parsed.notna() & ((parsed < pd.Timestamp.min) | (parsed > pd.Timestamp.max))
    report(unstorable, "not a valid date: the year must be between 1678 and 2261")
    return parsed.mask(unstorable).astype("datetime64[ns]")


def _as_yearmonth(text, missing, field, report) -> pd.Series:
    ok = text.str.fullmatch(_YEARMONTH.pattern) | missing
    report(~ok, "not a valid month: use YYYY-MM")
    return text


_CONVERTERS: dict[str, Callable[..., pd.Series]] = {
    "string": _as_string,
    "list": _as_list,
    "integer": _as_integer,
    "number": _as_number,
    "boolean": _as_boolean,
    "date": _as_date,
    "yearmonth": _as_yearmonth,
}


def _check_range(values, missing, cons, report, field) -> None:
    kind = field.get("type", "string")
    if kind not in ("integer", "number", "date", "yearmonth"):
        return
    for key, op, word in (("minimum", "lt", "below"), ("maximum", "gt", "above")):
        if key not in cons:
            continue
        limit = cons[key]
        if kind == "date":
            limit = pd.Timestamp(limit)
        compare = getattr(values.where(~missing), op)(limit)
        report(compare.fillna(False).astype(bool), f"{word} the allowed {key} {cons[key]}")


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
        for i in dup[dup].index[:50]:
            value = ", ".join(str(frame.at[i, c]) for c in cols)
            problems.append(
                Problem(str(path), rows[i], "+".join(cols), value, "duplicate id: must be unique")
            )
    if problems:
        raise DataError(problems)
