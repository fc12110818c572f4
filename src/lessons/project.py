"""Find the lessons' folder (the checkout that holds `notebooks/`), wherever the command runs.

Why: `lessons lab`, `student`, `export` and `present` work on the notebooks, which live in the
project checkout, not inside the installed package. A teacher may run the command from the
project folder, a sub-folder, or anywhere with `LESSONS_HOME` set.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("notebooks") / "00_start_here.ipynb"
ENV_VAR = "LESSONS_HOME"


class ProjectNotFound(RuntimeError):
    """Raised when no lessons folder can be found; the message says how to point at one."""


def _candidates() -> list[Path]:
    found = []
    if os.environ.get(ENV_VAR):
        found.append(Path(os.environ[ENV_VAR]).expanduser())
    here = Path.cwd().resolve()
    found.extend([here, *here.parents])
    found.append(Path(__file__).resolve().parents[2])  # src/lessons -> the checkout
    return found


def find_project_root(*, required: bool = True) -> Path | None:
    """The first folder holding `notebooks/00_start_here.ipynb`."""
    for folder in _candidates():
        if (folder / MARKER).is_file():
            return folder
    if required:
        raise ProjectNotFound(
            f"no lessons folder found (looked for {MARKER} here and above); run the command "
            f"inside the project folder or set {ENV_VAR}=/path/to/the/project"
        )
    return None
