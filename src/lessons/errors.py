"""The one exception a learner or teacher sees when a data file is wrong.

Why a custom error: a bare pandas traceback tells a teacher nothing about *which* cell of
*which* file to fix. `DataError` always names the file, the row (as a spreadsheet numbers it:
the header is row 1), the column, the bad value and the rule it broke. Each problem also
carries a `code` from `CODES` (in the spirit of Frictionless' error types), so a tool can act
on the kind of problem while people read the message.

>>> err = DataError.single("events.csv", "not a whole number", row=3, column="n", value="x",
...                        code="type-error")
>>> print(err)
events.csv, row 3, column 'n': value 'x': not a whole number
>>> err.problems[0].code
'type-error'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_PROBLEMS_SHOWN = 10
# Every code a Problem can carry, and what it means.
CODES = {
    "source-error": "the file cannot be read as text: missing, a folder, empty, or binary",
    "encoding-error": "the bytes are not UTF-8",
    "format-error": "not well-formed delimited text: quotes, delimiter, no data rows",
    "header-error": "a column name is missing or appears twice",
    "extra-cell": "a row has more fields than the header",
    "missing-cell": "a row has fewer fields than the header",
    "missing-value": "a required cell is empty",
    "type-error": "a cell is not a value of its column's type",
    "constraint-error": "a value breaks a constraint: length, pattern, allowed values, range",
    "unique-error": "a value that must be unique appears again",
    "foreign-key-error": "a reference names no row of the table it refers to",
    "consistency-error": "cells of one row, or of two files, disagree with each other",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell (or one row, when column is None)."""

    path: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    code: str  # one of CODES

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}; use one of {sorted(CODES)}")

    def __str__(self) -> str:
        where = [self.path]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        shown = "" if self.value is None else f"value {_short(self.value)!r}: "
        return f"{', '.join(where)}: {shown}{self.rule}"


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class DataError(ValueError):
    """A data file broke its schema; `problems` lists every broken rule found."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("DataError needs at least one problem")
        self.problems = problems
        first = problems[0]
        self.path, self.row, self.column, self.value, self.rule, self.code = (
            first.path,
            first.row,
            first.column,
            first.value,
            first.rule,
            first.code,
        )
        lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            lines.append(f"… and {more} more problem(s)")
        super().__init__("\n".join(lines))

    def _render_traceback_(self) -> list[str]:
        """In a notebook, IPython shows just the message: the learner needs the row, not our stack.

        >>> problem = Problem("events.csv", 3, "date", "2020-13-01", "not a date", "type-error")
        >>> DataError([problem])._render_traceback_()
        ["DataError: events.csv, row 3, column 'date': value '2020-13-01': not a date"]
        """
        return [f"DataError: {line}" for line in str(self).splitlines()]

    @classmethod
    def single(
        cls,
        path: str | Path,
        rule: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        code: str = "source-error",
    ) -> DataError:
        """Build an error for one problem (the common case: a file that cannot be read)."""
        return cls([Problem(str(path), row, column, value, rule, code)])
