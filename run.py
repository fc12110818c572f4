"""Set up and run Russia–Turkey Lessons with one command (standard library only).

    python3 run.py lab        open JupyterLab on the learners' copies (student/), lesson 00
    python3 run.py lab 04     open lesson 04 (add --teacher for the authored lessons in notebooks/)
    python3 run.py test       run the whole test suite (lint, unit tests, every notebook)
    python3 run.py execute    re-execute every notebook in place (maintainers)

Any other command goes to the `lessons` command inside the environment, e.g.
    python3 run.py doctor     check the set-up and say how to fix each problem
    python3 run.py student    generate student copies (solutions left out) into student/
    python3 run.py export     write every lesson as offline HTML into export/
    python3 run.py present    project the classroom explorer with Voilà
    python3 run.py data       list the datasets with sources and licences
    python3 run.py progress   print this folder's exercise progress for every lesson

The first call creates `.venv/` with the exact versions in `uv.lock` (uv is installed into
`.uv-tools/` from PyPI for that); later calls reuse it and work offline. The environment is
rebuilt only when `uv.lock` or `pyproject.toml` change.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS = ROOT / ".uv-tools"
UV_VERSION = "0.13.9"
STAMP = VENV / ".lessons-stamp"
LESSONS_COMMANDS = ("doctor", "student", "export", "present", "data", "progress")
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("uv.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _run(cmd: list[str], **kwargs) -> None:
    result = subprocess.run(cmd, cwd=ROOT, check=False, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def _ensure_uv() -> Path:
    """uv, installed once into .uv-tools/.

    With this Python's own pip, uv goes straight into .uv-tools/ (`pip install --target`,
    about 3 s faster than building a venv with pip first); without pip (some Linux Pythons
    ship without it), a small venv with pip is made for it.
    """
    for uv in (TOOLS / "bin" / f"uv{EXE}", TOOLS / BIN / f"uv{EXE}"):
        if uv.exists():
            return uv
    print(f"Installing uv {UV_VERSION} into {TOOLS.name}/ (one time) …", flush=True)
    pip = [sys.executable, "-m", "pip"]
    if importlib.util.find_spec("pip") is not None:  # asked in-process: `pip --version` takes 0.5 s
        quiet = ["-q", "--disable-pip-version-check", "--no-warn-script-location"]
        _run([*pip, "install", *quiet, "--target", str(TOOLS), f"uv=={UV_VERSION}"])
        return TOOLS / "bin" / f"uv{EXE}"
    venv.create(TOOLS, with_pip=True)
    _run([str(TOOLS / BIN / f"python{EXE}"), "-m", "pip", "install", "-q", f"uv=={UV_VERSION}"])
    return TOOLS / BIN / f"uv{EXE}"


def ensure_environment() -> Path:
    """Create or update .venv from uv.lock; return the environment's bin folder."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an old Python
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    bin_dir = VENV / BIN
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return bin_dir
    uv = _ensure_uv()
    print("Installing the locked environment into .venv/ (one time) …", flush=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    env.pop("UV_COMPILE_BYTECODE", None)  # uv refuses it next to --no-compile-bytecode
    sync = [str(uv), "sync", "--locked", "--extra", "test", "--no-compile-bytecode"]
    _run([*sync, "--python", sys.executable], env=env)
    _run([str(bin_dir / f"python{EXE}"), "-c", COMPILE], env=env)
    STAMP.write_text(_fingerprint())
    return bin_dir


# Bytecode for every installed module but the packages' own test suites (a third of all
# files, pandas' tests mostly), which no lesson imports: without bytecode, starting a kernel
# takes about twice as long; with all of it, the set-up compiles ~1,500 files for nothing.
# Files that do not compile (templates, old syntax) are left as they are, as uv does.
COMPILE = (
    "import compileall, re, sysconfig; "
    "compileall.compile_dir(sysconfig.get_paths()['purelib'], quiet=2, workers=0, "
    "rx=re.compile(r'[/\\\\]tests?[/\\\\]'))"
)


def lab_arguments(rest: list[str], root: Path = ROOT) -> list[str]:
    """JupyterLab's arguments for `run.py lab [NN] [--teacher] [other JupyterLab options]`.

    Learners are the default: JupyterLab opens in `student/` (the copies without the teachers'
    worked answers); `--teacher` opens the authored lessons in `notebooks/`. A lesson number
    opens that lesson; without one, lesson 00 (or the first lesson the folder holds).
    """
    folder = root / ("notebooks" if "--teacher" in rest else "student")
    if not folder.is_dir():
        folder = root / "notebooks"
    wanted = [a for a in rest if a.isdigit() and len(a) <= 2]
    options = [a for a in rest if a != "--teacher" and a not in wanted]
    lessons = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if wanted:
        number = wanted[0].zfill(2)
        chosen = [p for p in lessons if p.name.startswith(f"{number}_")]
        if not chosen:
            held = ", ".join(p.name[:2] for p in lessons) or "none"
            sys.exit(f"no lesson {number} in {folder} (lessons there: {held})")
        lessons = chosen
    opened = [str(lessons[0])] if lessons else []
    return [f"--ServerApp.root_dir={folder}", *opened, *options]


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command not in ("lab", "test", "execute", *LESSONS_COMMANDS):
        sys.exit(f"unknown command {command!r}: see `python3 run.py --help`")
    bin_dir = ensure_environment()
    python = str(bin_dir / f"python{EXE}")
    if command == "lab":
        _run([str(bin_dir / f"jupyter{EXE}"), "lab", *lab_arguments(rest)])
    elif command == "test":
        _run([python, "-m", "ruff", "check", "."])
        _run([python, "-m", "ruff", "format", "--check", "."])
        _run([python, "-m", "pytest", *rest])
    elif command == "execute":
        _run([python, "tools/execute_notebooks.py", *rest])
    else:
        _run([python, "-m", "lessons", command, *rest])


if __name__ == "__main__":
    main(sys.argv[1:])
