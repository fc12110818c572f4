"""Target 7: `run.py`'s set-up from a fresh clone vs a bare install of the five packages.

Why this floor: a teacher's first `python3 run.py lab` must install the environment; the
least any set-up can cost is installing the design card's packages (jupyterlab ipywidgets
pandas altair nbval) with the same installer (uv, bytecode compiled) from the same warm
cache. The set-up measured is `run.ensure_environment()` in a `git clone` of this checkout
(committed HEAD): it installs uv into .uv-tools/ with pip, then `uv sync --locked` with the
test extra, then compiles bytecode for every installed module except the packages' own test
suites (the floor compiles those too: uv compiles everything).
Runs alternate set-up and bare install; everything lives in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchmarks._timing import ROOT, Report, median, ratio_result, seconds, timed_command

PACKAGES = ["jupyterlab", "ipywidgets", "pandas", "altair", "nbval"]
LIMIT = 1.3


def _python3() -> str:
    found = shutil.which("python3")
    if found is None:
        raise RuntimeError("python3 is not on PATH")
    return found


def _uv() -> str:
    uv = ROOT / ".uv-tools" / "bin" / "uv"
    return str(uv) if uv.exists() else (shutil.which("uv") or "uv")


def _quiet_env() -> dict[str, str]:
    """This process's environment without the active venv, as in a teacher's fresh shell."""
    drop = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    return {key: value for key, value in os.environ.items() if key not in drop}


def time_setup(folder: Path) -> float:
    """Clone (not timed), then time the environment set-up of run.py in the clone."""
    clone = folder / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    code = "import run; run.ensure_environment()"
    return timed_command([_python3(), "-c", code], cwd=clone, env=_quiet_env())


def time_bare(folder: Path) -> float:
    """Time a new venv plus `uv pip install --compile-bytecode` of the five packages."""
    venv = folder / "bare"
    env = _quiet_env()
    start = timed_command([_uv(), "venv", "-q", "--python", _python3(), str(venv)], env=env)
    install = [
        _uv(),
        "pip",
        "install",
        "-q",
        "--compile-bytecode",
        "--python",
        str(venv / "bin" / "python"),
        *PACKAGES,
    ]
    return start + timed_command(install, env=env)


def run(repeats: int = 2) -> Report:
    setups, bares = [], []
    for round_no in range(repeats):
        order = [("setup", time_setup), ("bare", time_bare)]
        for name, step in order if round_no % 2 == 0 else reversed(order):
            with tempfile.TemporaryDirectory(prefix="lessons-setup-") as tmp:
                taken = step(Path(tmp))
            (setups if name == "setup" else bares).append(taken)
            print(f"  set-up benchmark: {name} {seconds(taken)}", flush=True)
    setup_s, bare_s = median(setups), median(bares)
    result = ratio_result(
        "fresh-clone set-up (`run.ensure_environment()`) vs bare `uv pip install` of 5 packages",
        setup_s,
        bare_s,
        LIMIT,
        "bare",
    )
    details = [
        f"- set-up: {repeats} alternating runs each, warm uv cache, uv `{_uv()}`, python "
        f"`{_python3()}`; set-up {', '.join(seconds(s) for s in setups)}; bare "
        f"{', '.join(seconds(s) for s in bares)} ({' '.join(PACKAGES)})."
    ]
    return Report("setup", [result], details, {"setup_s": setups, "bare_s": bares})


if __name__ == "__main__":
    for row in run().results:
        print(row)
