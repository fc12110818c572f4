"""Where the teacher's own events file is: one setting that every lesson, check and view follows.

Why one place: a teacher who extends the record (more events, same columns) wants the
lessons, the self-checks and the presenter to count from that file — all of them, or the
numbers on the screen and the answers the checks expect would disagree. The file is named
either by the environment variable `LESSONS_EVENTS` (it wins) or by a `lessons.toml` in the
folder Python runs in or any folder above it:

    events = "my_events.csv"      # relative to the folder of lessons.toml

With neither, `events_file()` is None and the bundled `data/events.csv` is used. A setting
that points nowhere, or a `lessons.toml` that is not valid TOML, is one clear `DataError`
naming the setting and the path — never a silent fall-back to the bundled file. This module
only says *where* the file is; `lessons.data` reads and checks it.

>>> import os, tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "my_events.csv").write_text("event_id\\n", encoding="utf-8")
>>> _ = (folder / "lessons.toml").write_text('events = "my_events.csv"\\n', encoding="utf-8")
>>> events_file(start=folder, environ={}) == folder / "my_events.csv"
True
>>> events_file(start=folder, environ={"LESSONS_EVENTS": str(folder / "my_events.csv")}).name
'my_events.csv'
>>> events_file(start=Path(tempfile.mkdtemp()), environ={}) is None
True
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from lessons.errors import DataError

ENV = "LESSONS_EVENTS"
TOML_NAME = "lessons.toml"
TOML_KEY = "events"


def events_file(
    *, start: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The teacher's events file (absolute), or None to use the bundled record.

    `LESSONS_EVENTS` first (a relative path is taken from the current folder), then the
    nearest `lessons.toml` from `start` (default: the current folder) upwards. `start` and
    `environ` exist for tests; lessons call it with no arguments.
    """
    env = os.environ if environ is None else environ
    named = env.get(ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        path = path if path.is_absolute() else Path.cwd() / path
        return existing_file(path, f"named by the environment variable {ENV}")
    toml = settings_file(start)
    if toml is None:
        return None
    return _from_toml(toml)


def settings_file(start: str | Path | None = None) -> Path | None:
    """The nearest `lessons.toml` in `start` (default: the current folder) or a folder above."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / TOML_NAME
        if candidate.is_file():
            return candidate
    return None


def describe(path: Path | None = None) -> str:
    """One line for a teacher: which events file the lessons use, and what set it.

    >>> describe(None)
    'events: the bundled record (data/events.csv)'
    """
    if path is None:
        return "events: the bundled record (data/events.csv)"
    return f"events: {path}"


def _from_toml(toml: Path) -> Path | None:
    try:
        settings = tomllib.loads(toml.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataError.single(toml, "not UTF-8 text; save lessons.toml as UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise DataError.single(
            toml, f'not valid TOML ({err}); write e.g. {TOML_KEY} = "my_events.csv"'
        ) from None
    except OSError as err:
        raise DataError.single(toml, f"cannot be read ({err.strerror})") from None
    if TOML_KEY not in settings:
        return None
    value = settings[TOML_KEY]
    if not isinstance(value, str) or not value.strip():
        raise DataError.single(
            toml,
            f"the setting '{TOML_KEY}' must be a file name in quotes, e.g. "
            f'{TOML_KEY} = "my_events.csv"',
            column=TOML_KEY,
            value=str(value),
        )
    path = Path(value.strip()).expanduser()
    path = path if path.is_absolute() else toml.parent / path
    return existing_file(path, f"named by the setting '{TOML_KEY}' in {toml}")


def existing_file(path: str | Path, why: str) -> Path:
    """`path` made absolute (from the current folder) if it is a file; else a `DataError`
    naming the path and `why` it was looked for ("given with --events").
    """
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise DataError.single(path, f"is a folder, not a CSV file ({why})")
    if not path.is_file():
        raise DataError.single(path, f"file not found ({why})")
    return path
