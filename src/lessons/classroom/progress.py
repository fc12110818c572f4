"""The class progress table: one row per learner, one column per lesson (exercises done/total).

Why from the learners' own records: each learner's notebooks keep their progress in
`lessons_progress.json` in their home (the same file a learner alone keeps, read by the same
code, `_progress`), so the teacher's table needs nothing sent anywhere — it reads the homes
under the classroom folder on this machine. An exercise counts as done when it is right, or
written for an open task, as in the learner's own progress line.

>>> import json, tempfile
>>> homes = Path(tempfile.mkdtemp())
>>> (homes / "anna").mkdir()
>>> record = {"version": 1, "exercises": {"01.1": {"status": "right"}, "01.2": {"status": "tried"}}}
>>> _ = (homes / "anna" / "lessons_progress.json").write_text(json.dumps(record))
>>> (homes / "ben").mkdir()
>>> table = class_progress(homes, {"01": ["01.1", "01.2"], "02": ["02.1"]})
>>> print(format_table(table))
Learner  01   02   Done
anna     1/2  0/1  1/3
ben      0/2  0/1  0/3
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lessons import _progress

DONE = ("right", "written")


@dataclass
class Row:
    """One learner's counts per lesson, and a note when their record could not be read."""

    learner: str
    done: dict[str, int]
    note: str = ""


@dataclass
class ClassProgress:
    """The table: lessons (columns) with their exercise counts, and one row per learner."""

    exercises: dict[str, list[str]]
    rows: list[Row] = field(default_factory=list)


def lesson_exercises() -> dict[str, list[str]]:
    """Every lesson's exercise ids, in order (from the exercise catalogue)."""
    from lessons import checks

    found: dict[str, list[str]] = {}
    for exercise_id in checks.exercise_ids():
        found.setdefault(exercise_id.partition(".")[0], []).append(exercise_id)
    return found


def class_progress(homes_dir: Path, exercises: dict[str, list[str]] | None = None) -> ClassProgress:
    """Read every learner's progress record under `homes_dir` (one folder per learner)."""
    exercises = lesson_exercises() if exercises is None else exercises
    table = ClassProgress(exercises)
    homes = sorted(p for p in homes_dir.iterdir() if p.is_dir()) if homes_dir.is_dir() else []
    for home in homes:
        record = home / _progress.FILE_NAME
        if not os.access(home, os.R_OK | os.X_OK):
            table.rows.append(Row(home.name, {}, "cannot read this home (run with sudo)"))
            continue
        stored, warning, _damaged = _progress._load(record)
        done = {
            lesson: sum(_progress.status(stored.get(i, {})) in DONE for i in ids)
            for lesson, ids in exercises.items()
        }
        table.rows.append(Row(home.name, done, warning or ""))
    return table


def format_table(table: ClassProgress) -> str:
    """The table as aligned text (what `lessons classroom progress` prints)."""
    lessons = list(table.exercises)
    total = sum(len(ids) for ids in table.exercises.values())
    header = ["Learner", *lessons, "Done"]
    lines = []
    for row in table.rows:
        if not row.done:
            lines.append([row.learner, *["?"] * len(lessons), "?"])
            continue
        cells = [f"{row.done[k]}/{len(table.exercises[k])}" for k in lessons]
        lines.append([row.learner, *cells, f"{sum(row.done.values())}/{total}"])
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *lines]
    ]
    text += [f"{row.learner}: {row.note}" for row in table.rows if row.note]
    return "\n".join(text)
