"""The fast path of `schema.read_table`: prove a plain, valid file valid with whole-column checks.

Why: the careful reader in `schema` walks every cell in Python so it can name the cell of any
problem; on a valid file that costs ~20x a plain `pandas.read_csv`. Almost every file the
lessons load is valid, so this module first parses with pandas' C reader and checks each
column at once (mostly on its distinct values), then builds the very same typed frame.

It never reports a problem itself. Whenever a check fails, or the file's layout is anything
but plain (blank lines, line breaks or stray quotes inside fields, padded cells, very long
fields, ...), `read_valid` returns None and the careful reader runs instead, which finds and
names every problem exactly as before. So this module can only make loading faster: it can
never accept a file the careful reader rejects, nor return different values.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons import schema as _schema

Field = dict[str, Any]
_BOM = b"\xef\xbb\xbf"
_CHUNKED_ABOVE = 8 << 20  # bytes: pandas reads bigger files in chunks, smaller ones at once
_NAT = np.iinfo(np.int64).min
_NUMBER_WORDS = {"nan", "inf", "-inf", "infinity"}
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,15}|(?=[0-9.]{3,16}$)[0-9]+\.[0-9]+)")
_NEG_ZERO = re.compile(r"-0+")
_DATES = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:\n[0-9]{4}-[0-9]{2}-[0-9]{2})*")
_STR = pd.StringDtype("python", na_value=np.nan)  # the dtype of `Series.astype("str")`
_YEARMONTH_SHAPE = re.compile(_schema._YEARMONTH.pattern)
_FIRST_DAY = np.datetime64("1678-01-01")
_LAST_DAY = np.datetime64("2261-12-31")


class _Unsure(Exception):
    """Raised inside this module when the fast path cannot vouch for a file (not an error)."""


def read_valid(path: Path, table_schema: dict[str, Any], delimiter: str) -> pd.DataFrame | None:
    """The typed frame `schema.read_table` would return, or None if the file needs a closer look."""
    try:
        raw = path.read_bytes()
        return _read(raw, path, table_schema, delimiter)
    except Exception:  # anything unexpected: the careful reader decides, and explains
        return None


def _read(raw: bytes, path: Path, table_schema: dict[str, Any], delimiter: str) -> pd.DataFrame:
    if len(delimiter) != 1 or delimiter in '"\r\n\x00':
        raise _Unsure
    lines, longest = _plain_lines(raw, delimiter.encode())
    if longest >= max(csv.field_size_limit(), _schema.MAX_FIELD_CHARS * 10):
        raise _Unsure  # a field may be longer than the csv module accepts
    parsed = pd.read_csv(
        io.BytesIO(raw),
        sep=delimiter,
        header=0,
        dtype=str,
        na_filter=False,
        keep_default_na=False,
        skip_blank_lines=False,
        quotechar='"',
        doublequote=True,
        escapechar=None,
        comment=None,
        skipinitialspace=False,
        encoding="utf-8",
        encoding_errors="strict",
        engine="c",
        low_memory=len(raw) > _CHUNKED_ABOVE,
    )
    raw_header = _raw_header(raw, delimiter)
    n = len(parsed)
    if (
        n == 0
        or n + 1 != lines
        or list(parsed.columns) != raw_header
        or not isinstance(parsed.index, pd.RangeIndex)
    ):
        raise _Unsure
    header = [name.strip() for name in raw_header]
    if len(set(header)) != len(header):
        raise _Unsure
    present = set(header)
    fields = table_schema["fields"]
    if any(f["name"] not in present and _schema._required(f) for f in fields):
        raise _Unsure
    columns = dict(zip(header, (series for _, series in parsed.items()), strict=True))
    missing_values = [str(v) for v in table_schema.get("missingValues", [""])]
    keys = {group[0] for group in _key_groups(table_schema) if len(group) == 1}
    typed: dict[str, Any] = {}
    distinct: dict[str, int | None] = {}
    for field in fields:
        name = field["name"]
        if name not in columns:
            typed[name] = _schema._empty_optional(field, n)
        else:
            column = _column(columns[name], field, missing_values, count=name in keys)
            typed[name], distinct[name] = column
    for name in header:
        if name not in typed:  # a column the schema does not know: kept as written
            typed[name] = columns[name].array
    if header == [f["name"] for f in fields]:  # the usual case: change the parsed frame
        out = parsed
        if header != raw_header:
            out.columns = header
        for i, name in enumerate(header):
            if typed[name] is not columns[name].array:
                out.isetitem(i, typed[name])
    else:
        out = pd.DataFrame(typed, index=pd.RangeIndex(n), copy=False)
    _unique_keys(out, table_schema, typed, distinct)
    out.attrs["rows"] = _schema.Rows(range(2, n + 2))
    out.attrs["path"] = str(path)
    return out


# --- layout ---------------------------------------------------------------------------------


def _plain_lines(raw: bytes, sep: bytes) -> tuple[int, int]:
    """Lines and longest line (bytes) of a file whose every line is one record, else _Unsure.

    Plain means: no NUL, line ends are LF or CRLF, every line has as many fields as the
    header (so no blank line), and quotes only ever enclose a whole field (doubled inside
    it) that holds no line break. For such a file the csv module and pandas' C reader split
    records and fields identically, and record k is on line k + 1. Checked with numpy on
    the positions of quotes, line ends and delimiters.
    """
    if not raw or b"\x00" in raw:
        raise _Unsure
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        raise _Unsure
    start = len(_BOM) if raw.startswith(_BOM) else 0
    text = np.frombuffer(raw, dtype=np.uint8, offset=start)
    size, delim = len(text), sep[0]
    quotes = np.flatnonzero(text == ord('"'))
    ends = np.flatnonzero(text == ord("\n"))
    seps = np.flatnonzero(text == delim)
    if len(quotes) % 2 or not len(ends):  # a quote never closed, or a single line
        raise _Unsure
    if len(quotes):
        # Quotes alternate: opening, closing. An opening one follows the start of the file,
        # a delimiter, a line end or a closing quote (a doubled quote); a closing one is
        # followed by a delimiter, a line end, the end of the file or an opening quote.
        opening, closing = quotes[0::2], quotes[1::2]
        before = text[opening[opening > 0] - 1]
        after = text[closing[closing < size - 1] + 1]
        if not ((before == delim) | (before == ord("\n")) | (before == ord('"'))).all():
            raise _Unsure
        line_end = (after == ord("\r")) | (after == ord("\n"))
        if not ((after == delim) | line_end | (after == ord('"'))).all():
            raise _Unsure
        if (np.searchsorted(ends, closing) != np.searchsorted(ends, opening)).any():
            raise _Unsure  # a line break inside quotes
        quoted_seps = int((np.searchsorted(seps, closing) - np.searchsorted(seps, opening)).sum())
    else:
        quoted_seps = 0
    lines = len(ends) + (0 if text[-1] == ord("\n") else 1)
    header_fields = int(np.searchsorted(seps, ends[0])) + 1
    if quotes.size and quotes[0] < ends[0]:
        raise _Unsure  # a quoted header: count its fields the careful way
    if header_fields < 2 or len(seps) - quoted_seps != (header_fields - 1) * lines:
        raise _Unsure  # some line (maybe a blank one) has more or fewer fields than the header
    longest = int(np.diff(ends, prepend=-1, append=size).max())
    return lines, longest


def _raw_header(raw: bytes, delimiter: str) -> list[str]:
    end = raw.find(b"\n")
    line = raw[: end if end >= 0 else len(raw)].rstrip(b"\r").decode("utf-8-sig")
    return next(csv.reader([line], delimiter=delimiter, strict=True))


# --- columns --------------------------------------------------------------------------------


def _longest(values: list[str]) -> int:
    return max(map(len, values), default=0)


def _column(
    series: pd.Series, field: Field, missing_values: list[str], *, count: bool = False
) -> tuple[Any, int | None]:
    """One column as `schema._convert_field` returns it, checked; _Unsure if anything is off.

    Also returns how many distinct values it holds, if counted (always with `count`) and
    none is missing.
    """
    values: list[str] = series.tolist()
    cons = field.get("constraints", {})
    kind = field.get("type", "string")
    absent = set(missing_values)
    if any(m != m.strip() for m in absent):  # the careful reader compares stripped text
        raise _Unsure
    needs_distinct = count or kind != "string" or "pattern" in cons or "enum" in cons
    distinct = (set(values) - absent) if needs_distinct else set()
    # Padded cells: the careful reader strips them. Checking the distinct values is enough.
    checked = list(distinct) if needs_distinct else values
    if list(map(str.strip, checked)) != checked:
        raise _Unsure
    has_missing = ("" in values) if missing_values == [""] else not absent.isdisjoint(values)
    if has_missing and cons.get("required"):
        raise _Unsure
    if "maxLength" in cons and _longest(checked) > cons["maxLength"]:
        raise _Unsure
    if "pattern" in cons and not _all_match(cons["pattern"], distinct):
        raise _Unsure
    if "enum" in cons and not distinct <= {str(v) for v in cons["enum"]}:
        raise _Unsure
    missing = (
        np.fromiter(map(absent.__contains__, values), bool, len(values)) if has_missing else None
    )
    typed = _CONVERTERS[kind](series, values, distinct, missing, field, cons)
    return typed, (len(distinct) if needs_distinct and missing is None else None)


# A pattern `^BODY$` whose BODY is printable ASCII without "\", "[^", "(?", "^" or "$", save
# for the escapes \S \d \w and escaped punctuation, can never match a line break.
_LINE_SAFE = re.compile(r"\^((?:[ -#%-\[\]_-~]|\\[Sdw.\-/+*?(){}|\[\]])*)\$")


def _all_match(pattern: str, values: set[str]) -> bool:
    """Whether `re.fullmatch(pattern, v)` for every value (which hold no line breaks)."""
    safe = _LINE_SAFE.fullmatch(pattern)
    if safe is None or "[^" in pattern or "(?" in pattern:
        regex = re.compile(pattern)
        return all(map(regex.fullmatch, values))
    body = safe.group(1)  # one regex over all values, one per line
    return not values or re.fullmatch(f"(?:{body})(?:\n(?:{body}))*", "\n".join(values)) is not None


def _as_string(series, values, distinct, missing, field, cons) -> Any:
    if missing is None:
        return series.array
    return _strings(values, missing, np.nan)


def _strings(values: list[str], missing: np.ndarray, fill: Any) -> pd.arrays.StringArray:
    """A `str` array of `values` with `fill` where a value is missing."""
    data = np.array(values, dtype=object)
    data[missing] = fill
    return pd.arrays.StringArray(data, dtype=_STR)


def _as_list(series, values, distinct, missing, field, cons) -> Any:
    delim = field.get("delimiter", ";")
    if missing is None and not _needs_tidying(list(distinct), delim):
        items = {s: s.split(delim) for s in distinct}  # already what the careful reader keeps
    else:
        items = {s: [p.strip() for p in s.split(delim) if p.strip()] for s in distinct}
    if missing is not None:
        items.update({key: [] for key in set(values) - distinct})
    # each row its own list, as the careful reader gives; fromiter keeps lists as items
    with _collector_paused():  # many new lists would trigger the cycle collector again and again
        cells = np.fromiter(map(list, map(items.__getitem__, values)), object, len(values))
    return pd.Series(cells, dtype=object, copy=False)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while building many small containers (then restore)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _needs_tidying(values: list[str], delim: str) -> bool:
    """Whether some list item is empty or has spaces around it, so a plain split is not enough.

    The cells themselves have no spaces around them and no line breaks (checked before), so
    "\n" marks where one cell ends: an item next to it that strips differently is caught too.
    """
    if "" in values:
        return True
    items = "\n".join(values).split(delim)
    return "" in items or list(map(str.strip, items)) != items


def _as_integer(series, values, distinct, missing, field, cons) -> Any:
    whole = re.compile(r"[+-]?[0-9]+")
    if not all(map(whole.fullmatch, distinct)):
        raise _Unsure
    if any(len(s.lstrip("+-").lstrip("0")) > _schema.MAX_INT_DIGITS for s in distinct):
        raise _Unsure
    ints = {s: int(s) for s in distinct}
    _check_range(list(ints.values()), cons, lambda limit: limit)
    if missing is not None:
        ints.update(dict.fromkeys(set(values) - distinct, 0))
    data = np.fromiter(map(ints.__getitem__, values), np.int64, len(values))
    mask = missing if missing is not None else np.zeros(len(values), dtype=bool)
    return pd.arrays.IntegerArray(data, mask)


def _as_number(series, values, distinct, missing, field, cons) -> Any:
    if any(s.lower() in _NUMBER_WORDS for s in distinct):
        raise _Unsure
    if all(map(_PLAIN_DECIMAL.fullmatch, distinct)) and not any(map(_NEG_ZERO.fullmatch, distinct)):
        # Short plain decimals: every correctly rounded parser, pandas' included, gives the
        # same float (at most 15 digits: the digits and the power of ten are exact). "-0" is
        # excluded: pandas reads an all-integer column as integers, i.e. +0.0.
        lookup = {s: float(s) for s in distinct}
    else:
        # the careful reader's own call, on the distinct texts (NaN stands for missing)
        keys = list(distinct)
        probe = pd.Series([*keys, *([np.nan] if missing is not None else [])], dtype=_STR)
        nums = pd.to_numeric(probe, errors="coerce").astype("float64").to_numpy()
        lookup = dict(zip(keys, nums[: len(keys)].tolist(), strict=True))
    if not np.isfinite(list(lookup.values())).all():
        raise _Unsure
    _check_range(list(lookup.values()), cons, lambda limit: limit)
    if missing is not None:
        lookup.update(dict.fromkeys(set(values) - distinct, np.nan))
    return np.fromiter(map(lookup.__getitem__, values), np.float64, len(values))


def _as_boolean(series, values, distinct, missing, field, cons) -> Any:
    trues = field.get("trueValues", ["true"])
    falses = field.get("falseValues", ["false"])
    if not distinct <= set(trues) | set(falses):
        raise _Unsure
    lookup = {s: s in trues for s in distinct}
    if missing is not None:
        lookup.update(dict.fromkeys(set(values) - distinct, False))
    data = np.fromiter(map(lookup.__getitem__, values), bool, len(values))
    mask = missing if missing is not None else np.zeros(len(values), dtype=bool)
    return pd.arrays.BooleanArray(data, mask)


def _as_date(series, values, distinct, missing, field, cons) -> Any:
    if distinct and not _DATES.fullmatch("\n".join(distinct)):
        raise _Unsure
    if missing is not None:
        values = [value if value in distinct else "" for value in values]  # "" reads as NaT
    # numpy raises on an impossible date such as 2019-02-30, where pandas gives NaT
    days = np.array(values, dtype="datetime64[D]")
    present = days[~np.isnat(days)] if missing is not None else days
    if len(present) and (present.min() < _FIRST_DAY or present.max() > _LAST_DAY):
        raise _Unsure  # outside what datetime64[ns] holds, or close to its edge
    stamps = days.astype("datetime64[ns]")
    if len(present):
        low, high = present.min().astype("datetime64[ns]"), present.max().astype("datetime64[ns]")
        _check_range([low.astype(np.int64), high.astype(np.int64)], cons, _ns)
    return stamps


@cache
def _ns(limit: Any) -> int:
    return pd.Timestamp(limit).value


def _as_yearmonth(series, values, distinct, missing, field, cons) -> Any:
    if not all(map(_YEARMONTH_SHAPE.fullmatch, distinct)):
        raise _Unsure
    _check_range(list(distinct), cons, lambda limit: limit)
    if missing is None:
        return series.array
    return _strings(values, missing, "")


def _check_range(present: list[Any], cons: dict[str, Any], limit_of: Callable[[Any], Any]) -> None:
    """Minimum and maximum over the present (non-missing) values, as `_check_range` does."""
    if not present:
        return
    if "minimum" in cons and min(present) < limit_of(cons["minimum"]):
        raise _Unsure
    if "maximum" in cons and max(present) > limit_of(cons["maximum"]):
        raise _Unsure


_CONVERTERS: dict[str, Callable[..., Any]] = {
    "string": _as_string,
    "list": _as_list,
    "integer": _as_integer,
    "number": _as_number,
    "boolean": _as_boolean,
    "date": _as_date,
    "yearmonth": _as_yearmonth,
}


def _key_groups(table_schema: dict[str, Any]) -> list[list[str]]:
    """The column groups `schema._check_unique_keys` checks: primary key, unique columns."""
    keys = table_schema.get("primaryKey")
    groups = [[keys]] if isinstance(keys, str) else [list(keys)] if keys else []
    return groups + [
        [f["name"]] for f in table_schema["fields"] if f.get("constraints", {}).get("unique")
    ]


def _unique_keys(
    out: pd.DataFrame,
    table_schema: dict[str, Any],
    typed: dict[str, Any],
    distinct: dict[str, int | None],
) -> None:
    """No duplicate keys; a text key is checked on the count of its distinct values."""
    for cols in _key_groups(table_schema):
        column = typed.get(cols[0])
        if len(cols) == 1 and isinstance(column, pd.arrays.StringArray):
            if distinct.get(cols[0]) != len(column):  # a duplicate, or missing values
                raise _Unsure
        elif out.duplicated(subset=cols, keep="first").any():
            raise _Unsure
