"""The learner's progress file: which exercises were tried or done, and the text they wrote.

A small JSON file on the learner's machine, sent nowhere: `$LESSONS_PROGRESS` if set, else
`lessons_progress.json` in the folder the notebook (or command) runs in. The path is looked up
at every read and write, never at import, so tests and kernels can redirect it. Writes are
atomic (a temporary file beside it, then a rename); a file that cannot be read is set aside as
`<name>.corrupt` on the next write and the record starts over with a one-line warning. Nothing
here raises: a folder that cannot be written loses the progress, not the lesson.

File shape::

    {"version": 1, "exercises": {"05.2": {"status": "right", "tries": 2, "revealed": false},
                                 "05.6": {"status": "written", "text": "…", "checklist": [0, 2]}}}

A record read from an old or hand-edited file never breaks the summary:

>>> status({"status": "right", "tries": 2}), status({"status": "done?"}), status({})
('right', 'not tried', 'not tried')
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

ENV = "LESSONS_PROGRESS"
FILE_NAME = "lessons_progress.json"
VERSION = 1
STATUSES = ("not tried", "tried", "written", "right")

last_warning: str | None = None  # what went wrong at the last read or write, for display


def path() -> Path:
    """Where the progress is kept (looked up now: the variable or the current folder)."""
    named = os.environ.get(ENV, "").strip()
    return Path(named).expanduser() if named else Path.cwd() / FILE_NAME


def read() -> dict[str, dict[str, Any]]:
    """Every exercise's record ({} when there is no file or it cannot be read)."""
    global last_warning
    records, last_warning, _damaged = _load(path())
    return records


def _load(target: Path) -> tuple[dict[str, dict[str, Any]], str | None, bool]:
    """(records, a warning or None, whether the file exists but is damaged)."""
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None, False
    except (OSError, UnicodeDecodeError) as err:
        return {}, f"Could not read {target.name} ({type(err).__name__}); starting afresh.", True
    try:
        data = json.loads(text)
        records = data["exercises"]
        if not isinstance(records, dict):
            raise TypeError("exercises is not an object")
    except (ValueError, KeyError, TypeError):
        warning = (
            f"{target.name} was damaged and could not be read, so progress starts afresh "
            f"(the old file is kept as {target.name}.corrupt once something is saved)."
        )
        return {}, warning, True
    return {str(k): v for k, v in records.items() if isinstance(v, dict)}, None, False


def record(exercise_id: str) -> dict[str, Any]:
    """One exercise's stored record ({} if none)."""
    return dict(read().get(exercise_id, {}))


def update(exercise_id: str, **fields: Any) -> bool:
    """Merge `fields` into one exercise's record and save; False (and a warning) on failure."""
    global last_warning
    target = path()
    records, _warning, damaged = _load(target)
    entry = dict(records.get(exercise_id, {}))
    entry.update(fields)
    records[exercise_id] = entry
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if damaged and target.exists():
            os.replace(target, target.with_name(target.name + ".corrupt"))
        payload = json.dumps(
            {"version": VERSION, "exercises": dict(sorted(records.items()))},
            ensure_ascii=False,
            indent=1,
        )
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(payload)
            mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
            os.chmod(temporary, mode)  # mkstemp makes 0600; keep an ordinary file's mode
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as err:
        last_warning = f"Could not save progress to {target.name} ({type(err).__name__})."
        return False
    last_warning = None
    return True


def status(entry: dict[str, Any]) -> str:
    """'not tried', 'tried', 'written' or 'right' for one stored record."""
    value = entry.get("status")
    return value if value in STATUSES else "not tried"
