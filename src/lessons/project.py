"""Find the lessons folder a command acts on: this folder or a parent, never the install location.

Why: `lessons lab`, `student`, `export` and `present` work on notebooks, which live in a folder
the teacher chose (a checkout, or a copy holding only the lessons of one class), not inside the
installed package. A command acts only on the folder it runs in: the first of the current folder
and its parents that holds a lesson (`NN_*.ipynb` in `notebooks/` or `student/`), or the folder
named by `LESSONS_HOME`. It never falls back to the checkout the package was installed from, so a
copied folder never changes another one. Any subset of the lessons will do: no lesson is required.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     folder = Path(tmp)
...     (folder / "student").mkdir()
...     _ = (folder / "student" / "04_crisis.ipynb").write_text("{}")
...     [p.name for p in lesson_files(folder / "student")], holds_lessons(folder)
(['04_crisis.ipynb'], True)
"""

from __future__ import annotations

import os
from pathlib import Path

LESSON_FOLDERS = ("notebooks", "student")  # the authored lessons, the learners' copies
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
ENV_VAR = "LESSONS_HOME"


class ProjectNotFound(RuntimeError):
    """Raised when no lessons folder can be found; the message says how to point at one."""


def lesson_files(folder: Path) -> list[Path]:
    """The numbered lessons in one folder, in order (the presenter and others are not lessons)."""
    return sorted(folder.glob(LESSON_GLOB)) if folder.is_dir() else []


def holds_lessons(folder: Path) -> bool:
    """True when `folder/notebooks/` or `folder/student/` holds at least one numbered lesson."""
    return any(lesson_files(folder / sub) for sub in LESSON_FOLDERS)


def _candidates() -> list[Path]:
    """Where to look, in order: `LESSONS_HOME` alone when it is set, else here and the parents."""
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        return [Path(named).expanduser().resolve()]
    here = Path.cwd().resolve()
    return [here, *here.parents]


def find_project_root(*, required: bool = True) -> Path | None:
    """The first candidate folder that holds a lesson (see the module docstring)."""
    candidates = _candidates()
    for folder in candidates:
        if holds_lessons(folder):
            return folder
    if not required:
        return None
    wanted = f"a lesson, notebooks/{LESSON_GLOB} or student/{LESSON_GLOB}"
    if os.environ.get(ENV_VAR, "").strip():
        raise ProjectNotFound(
            f"{ENV_VAR}={candidates[0]} holds no lessons (looked for {wanted}); "
            f"point {ENV_VAR} at the lessons folder or unset it"
        )
    raise ProjectNotFound(
        f"no lessons folder found (looked for {wanted} here and above); run the command "
        f"inside the lessons folder or set {ENV_VAR}=/path/to/the/lessons"
    )


def lessons_folder(root: Path, *, teacher: bool = False) -> Path:
    """The folder to open: `student/` for learners, `notebooks/` with `teacher`.

    A folder that holds only one of them (a class copy may hold only the learners' copies)
    gives that one.
    """
    first, second = (root / "notebooks", root / "student")
    if not teacher:
        first, second = second, first
    return first if lesson_files(first) or not lesson_files(second) else second
