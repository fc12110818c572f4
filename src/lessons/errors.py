"""The one exception a learner or teacher sees when a data file is wrong.

Why a custom error: a bare pandas traceback tells a teacher nothing about *which* cell of
*which* file to fix. `DataError` always names the file, the row (as a spreadsheet numbers it:
the header is row 1), the column, the bad value and the rule it broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell (or one row, when column is None)."""

    path: str
    row: int | None
    column: str | None
    value: str | None
    rule: str

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
        self.path, self.row, self.column, self.value, self.rule = (
            first.path,
            first.row,
            first.column,
            first.value,
            first.rule,
        )
        lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            lines.append(f"… and {more} more problem(s)")
        super().__init__("\n".join(lines))

    @classmethod
    def single(
        cls,
        path: str | Path,
        rule: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> DataError:
        """Build an error for one problem (the common case)."""
        return cls([Problem(str(path), row, column, value, rule)])
