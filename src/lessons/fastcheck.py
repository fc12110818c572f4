"""The fast path of `schema.read_table`: prove a plain, valid file valid with whole-column checks.

Why: the careful reader in `schema` checks every cell on its own so it can name the cell of
any problem; on a valid file that costs ~20x a plain `pandas.read_csv`. Almost every file the
lessons load is valid, so this module splits the file into text columns (`fastparse`), checks
each column at once (mostly on its distinct values), then builds the very same typed frame.

It never reports a problem itself. Whenever a check fails, or the file's layout is anything
but plain (blank lines, line breaks inside fields, padded cells, a quoted header, ...),
`read_valid` returns None and the careful reader runs instead, which finds and names every
problem exactly as before. So this module can only make loading faster: it can never accept
a file the careful reader rejects, nor return different values.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons import schema as _schema
from lessons.fastparse import Unsure as _Unsure
from lessons.fastparse import split_columns

Field = dict[str, Any]
_NAT = np.iinfo(np.int64).min
_NUMBER_WORDS = {"nan", "inf", "-inf", "infinity"}
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,15}|(?=[0-9.]{3,16}$)[0-9]+\.[0-9]+)")
_NEG_ZERO = re.compile(r"-0+")
_DATES = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:\n[0-9]{4}-[0-9]{2}-[0-9]{2})*")
_YEARMONTH_SHAPE = re.compile(_schema._YEARMONTH.pattern)
_FIRST_DAY = np.datetime64("1678-01-01")
_LAST_DAY = np.datetime64("2261-12-31")


@cache
def _str_dtype() -> pd.StringDtype:
    """The dtype `Series.astype("str")` gives (python storage, or pyarrow where installed)."""
    return pd.Series([], dtype="str").dtype


def read_valid(
    path: Path, table_schema: dict[str, Any], delimiter: str, *, parser: str = "auto"
) -> pd.DataFrame | None:
    """The typed frame `schema.read_table` would return, or None if the file needs a closer look.

    `parser` picks the splitter (see `fastparse.split_columns`); tests try each one.
    """
    try:
        raw = path.read_bytes()
        header, texts = split_columns(raw, delimiter, parser=parser)
        return _typed_frame(path, header, texts, table_schema)
    except Exception:  # anything unexpected: the careful reader decides, and explains
        return None


def _typed_frame(
    path: Path, raw_header: list[str], texts: list[list[str]], table_schema: dict[str, Any]
) -> pd.DataFrame:
    header = [name.strip() for name in raw_header]
    if not texts or not texts[0] or len(set(header)) != len(header):
        raise _Unsure
    fields = table_schema["fields"]
    columns = dict(zip(header, texts, strict=True))
    if any(f["name"] not in columns and _schema._required(f) for f in fields):
        raise _Unsure
    n = len(texts[0])
    missing_values = [str(v) for v in table_schema.get("missingValues", [""])]
    if any(m != m.strip() for m in missing_values):  # the careful reader compares stripped text
        raise _Unsure
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
            typed[name] = _strings(columns[name])
    out = _frame(typed, n)
    _unique_keys(out, table_schema, typed, distinct)
    out.attrs["rows"] = _schema.Rows(range(2, n + 2))
    out.attrs["path"] = str(path)
    return out


def _frame(typed: dict[str, Any], n: int) -> pd.DataFrame:
    """The columns as one frame, built the quick way where this pandas offers it.

    Why: `DataFrame(dict)` re-checks and re-wraps every column (~250 us for the events
    table, a sixth of `read_csv` itself). The columns here are already in the form pandas
    stores them (extension arrays; float or object numpy arrays), so `_from_arrays` can skip
    that. It is pandas-internal: where it is missing, or a column is in any other form, the
    public constructor runs (the tests compare both readers' frames exactly).
    """
    index = pd.RangeIndex(n)
    arrays = [_stored_form(column) for column in typed.values()]
    if all(column is not None for column in arrays):
        try:
            return pd.DataFrame._from_arrays(
                arrays,
                columns=_column_index(tuple(typed)).view(),  # its own name, the shared table
                index=index,
                verify_integrity=False,
            )
        except (AttributeError, TypeError):
            pass
    return pd.DataFrame(typed, index=index, copy=False)


@cache
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The columns' Index, made once per table layout, with its lookup table (built on the
    first `frame[name]`). Each frame gets a view: the same data and table, its own name."""
    return pd.Index(names)


def _stored_form(column: Any) -> Any:
    """`column` as pandas keeps it in a frame, or None if unsure."""
    if isinstance(column, pd.Series):
        column = column.array
    if type(column) is pd.arrays.NumpyExtensionArray:  # not its subclass StringArray
        column = column.to_numpy()
    if isinstance(column, np.ndarray):
        ok = column.ndim == 1 and column.dtype in (np.float64, np.object_)
        return column if ok else None
    return column if isinstance(column, pd.api.extensions.ExtensionArray) else None


# --- columns --------------------------------------------------------------------------------


def _longest(values: list[str]) -> int:
    return max(map(len, values), default=0)


def _column(
    values: list[str], field: Field, missing_values: list[str], *, count: bool = False
) -> tuple[Any, int | None]:
    """One column as `schema._convert_field` returns it, checked; _Unsure if anything is off.

    Also returns how many distinct values it holds, if counted (always with `count`) and
    none is missing.
    """
    cons = field.get("constraints", {})
    kind = field.get("type", "string")
    absent = set(missing_values)
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
    typed = _CONVERTERS[kind](values, distinct, missing, field, cons)
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


def _as_string(values, distinct, missing, field, cons) -> Any:
    return _strings(values, missing, np.nan)


def _strings(values: list[str], missing: np.ndarray | None = None, fill: Any = None) -> Any:
    """A `str` array of `values` with `fill` where a value is missing."""
    data = np.array(values, dtype=object)
    if missing is not None:
        data[missing] = fill
    dtype = _str_dtype()
    if dtype.storage != "python":
        return pd.array(data, dtype=dtype)
    # The common case. `StringArray(data)` would check every item again; they are texts from
    # the split, or the dtype's own missing value, so where pandas offers it (an internal
    # constructor) the array is made without that pass; the tests compare the frames.
    try:
        return pd.arrays.StringArray._simple_new(data, dtype)
    except (AttributeError, TypeError):
        return pd.arrays.StringArray(data, dtype=dtype)


def _as_list(values, distinct, missing, field, cons) -> Any:
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
    return cells


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


def _as_integer(values, distinct, missing, field, cons) -> Any:
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


def _as_number(values, distinct, missing, field, cons) -> Any:
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
        probe = pd.Series([*keys, *([np.nan] if missing is not None else [])], dtype=_str_dtype())
        nums = pd.to_numeric(probe, errors="coerce").astype("float64").to_numpy()
        lookup = dict(zip(keys, nums[: len(keys)].tolist(), strict=True))
    if not np.isfinite(list(lookup.values())).all():
        raise _Unsure
    _check_range(list(lookup.values()), cons, lambda limit: limit)
    if missing is not None:
        lookup.update(dict.fromkeys(set(values) - distinct, np.nan))
    return np.fromiter(map(lookup.__getitem__, values), np.float64, len(values))


def _as_boolean(values, distinct, missing, field, cons) -> Any:
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


def _as_date(values, distinct, missing, field, cons) -> Any:
    if distinct and not _DATES.fullmatch("\n".join(distinct)):
        raise _Unsure
    if missing is not None and set(values) - distinct != {""}:
        values = [value if value in distinct else "" for value in values]  # "" reads as NaT
    # numpy raises on an impossible date such as 2019-02-30, where pandas gives NaT
    days = np.array(values, dtype="datetime64[D]")
    present = days[~np.isnat(days)] if missing is not None else days
    stamps = days.astype("datetime64[ns]")
    if len(present):
        low, high = present.min(), present.max()
        if low < _FIRST_DAY or high > _LAST_DAY:
            raise _Unsure  # outside what datetime64[ns] holds, or close to its edge
        as_ns = [int(day.astype("datetime64[ns]").astype(np.int64)) for day in (low, high)]
        _check_range(as_ns, cons, _ns)
    try:  # as for strings: the internal constructor skips checks these stamps have passed
        return pd.arrays.DatetimeArray._simple_new(stamps, dtype=stamps.dtype)
    except (AttributeError, TypeError):
        return pd.arrays.DatetimeArray._from_sequence(stamps, dtype=stamps.dtype)


@cache
def _ns(limit: Any) -> int:
    return pd.Timestamp(limit).value


def _as_yearmonth(values, distinct, missing, field, cons) -> Any:
    if not all(map(_YEARMONTH_SHAPE.fullmatch, distinct)):
        raise _Unsure
    _check_range(list(distinct), cons, lambda limit: limit)
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
