"""`lessons doctor`: diagnose a learner's set-up and say what to do about each problem.

Why: the usual classroom failures are invisible from inside a notebook — a widget front end
that does not match the kernel's ipywidgets (widgets show as text), a chart renderer that
needs the internet (charts show an error), a package drifted from the lock, a data file
edited by accident. Each check says what it found and, when something is wrong, the fix.

>>> print(report([Check("python", True, "Python 3.11.7"),
...               Check("data events", False, "events.csv is missing", "restore it from git")]))
[ok  ] python: Python 3.11.7
[FAIL] data events: events.csv is missing
       fix: restore it from git
1 problem(s) found: follow the fixes above, then run `lessons doctor` again.
>>> [finding.ok for finding in doctor(["python"])]
[True]
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lessons import data
from lessons.project import find_project_root

KEY_PACKAGES = (
    "jupyterlab",
    "ipywidgets",
    "jupyterlab_widgets",
    "pandas",
    "altair",
    "anywidget",
    "vl-convert-python",
    "voila",
)
TEST_PACKAGES = ("nbval", "pytest", "playwright")
MIN_PYTHON = (3, 11)
FIX_SYNC = "run `python3 run.py lab` once (it reinstalls the locked versions into .venv/)"


@dataclass(frozen=True)
class Check:
    """One finding: `ok` is False for a problem, None for a warning that needs no action."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[self.ok]
        text = f"[{mark}] {self.name}: {self.detail}"
        return f"{text}\n       fix: {self.fix}" if self.fix and self.ok is not True else text


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-")


def locked_versions(lock_file: Path) -> dict[str, str]:
    """Package name -> version from uv.lock."""
    with lock_file.open("rb") as handle:
        lock = tomllib.load(handle)
    return {_normalise(p["name"]): p["version"] for p in lock.get("package", []) if "version" in p}


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] >= MIN_PYTHON:
        return Check("python", True, f"Python {version}")
    return Check("python", False, f"Python {version} is too old", "install Python 3.11 or newer")


def check_packages(lock_file: Path | None) -> list[Check]:
    """Each key package is installed, and at the locked version when a lock is at hand."""
    locked = locked_versions(lock_file) if lock_file and lock_file.exists() else {}
    found = []
    for name in (*KEY_PACKAGES, *TEST_PACKAGES):
        have = _installed(name)
        want = locked.get(_normalise(name))
        if have is None and name in TEST_PACKAGES:
            found.append(Check(name, True, "not installed: only `run.py test` needs it"))
        elif have is None:
            found.append(Check(name, False, "not installed", FIX_SYNC))
        elif want and have != want:
            found.append(Check(name, None, f"{have} installed, lock says {want}", FIX_SYNC))
        else:
            found.append(Check(name, True, have + (" (as locked)" if want else "")))
    if not locked:
        found.append(Check("lock", None, "no uv.lock found: versions not compared", ""))
    return found


def _labextension_version(package: str) -> str | None:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        manifest = Path(folder, *package.split("/"), "package.json")
        if manifest.exists():
            return json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return None


def check_widget_frontend() -> list[Check]:
    """The kernel's ipywidgets must match the JupyterLab widget manager, or widgets show as text.

    ipywidgets 8 talks to `@jupyter-widgets/jupyterlab-manager` 5 (shipped by
    jupyterlab_widgets 3); anywidget's front end must be the same release as its Python side.
    """
    found = []
    ipywidgets_version = _installed("ipywidgets") or "missing"
    manager = _labextension_version("@jupyter-widgets/jupyterlab-manager")
    if manager is None:
        found.append(
            Check("widget front end", False, "JupyterLab widget manager not found", FIX_SYNC)
        )
    elif ipywidgets_version.split(".")[0] == "8" and manager.split(".")[0] == "5":
        found.append(
            Check("widget front end", True, f"ipywidgets {ipywidgets_version} ↔ manager {manager}")
        )
    else:
        found.append(
            Check(
                "widget front end",
                False,
                f"ipywidgets {ipywidgets_version} does not match the JupyterLab manager {manager}",
                FIX_SYNC,
            )
        )
    anywidget_py, anywidget_js = _installed("anywidget"), _labextension_version("anywidget")
    if anywidget_js is None or anywidget_py != anywidget_js:
        found.append(
            Check(
                "chart widget front end",
                False,
                f"anywidget {anywidget_py} (Python) vs {anywidget_js} (JupyterLab)",
                FIX_SYNC,
            )
        )
    else:
        found.append(Check("chart widget front end", True, f"anywidget {anywidget_py} on both"))
    return found


def check_renderer() -> Check:
    """`lessons.setup()` must switch Altair to a renderer that needs no internet."""
    import altair as alt

    from lessons.render import RENDERER, setup

    try:
        setup()
    except Exception as err:  # the fix is the same whatever went wrong inside Altair
        return Check("chart renderer", False, f"offline set-up failed: {err}", FIX_SYNC)
    offline = bool(getattr(alt.JupyterChart, "_is_offline", False))
    active = alt.renderers.active
    if active == RENDERER and offline:
        return Check("chart renderer", True, "Altair's chart widget, JavaScript bundled")
    return Check(
        "chart renderer",
        False,
        f"renderer {active!r}, offline={offline}: charts would load JavaScript from the internet",
        "call `lessons.setup()` in the first cell of the notebook",
    )


def check_data() -> list[Check]:
    """Every data file matches the size and SHA-256 recorded in datapackage.json."""
    found = []
    for res in data.datapackage()["resources"]:
        path = data.resource_path(res["name"])
        if not path.exists():
            found.append(
                Check(f"data {res['name']}", False, f"{path} is missing", "restore it from git")
            )
            continue
        expected = res.get("hash", "").removeprefix("sha256:")
        if expected and data.sha256_of(path) != expected:
            found.append(
                Check(
                    f"data {res['name']}",
                    False,
                    f"{path.name} differs from the published file",
                    f"restore it with `git checkout -- data/{path.name}`, or save your own "
                    "version under a new name and load it with `path=`",
                )
            )
    if not found:
        found.append(Check("data", True, f"{len(data.datapackage()['resources'])} files verified"))
    return found


def doctor(checks: Iterable[str] | None = None) -> list[Check]:
    """Run every check (or the named groups) and return the findings."""
    root = find_project_root(required=False)
    groups = {
        "python": lambda: [check_python()],
        "packages": lambda: check_packages(root / "uv.lock" if root else None),
        "widgets": check_widget_frontend,
        "renderer": lambda: [check_renderer()],
        "data": check_data,
    }
    chosen = list(checks) if checks else list(groups)
    return [finding for name in chosen for finding in groups[name]()]


def report(findings: list[Check]) -> str:
    """A plain-text report; the last line counts the problems."""
    problems = sum(1 for f in findings if f.ok is False)
    warnings = sum(1 for f in findings if f.ok is None)
    summary = (
        "All checks passed: the lessons should run offline."
        if not problems
        else f"{problems} problem(s) found: follow the fixes above, then run `lessons doctor`"
        " again."
    )
    if warnings:
        summary += f" ({warnings} warning(s).)"
    return "\n".join([*(f.line() for f in findings), summary])
