"""Set up and run Russia–Turkey Lessons with one command (standard library only).

    python3 run.py lab        open JupyterLab on the learners' copies (student/), lesson 00
    python3 run.py lab 04     open lesson 04 (add --teacher for the authored lessons in notebooks/)
    python3 run.py test       run the whole test suite (lint, unit tests, every notebook)
    python3 run.py execute    re-execute every notebook in place (maintainers)
    python3 run.py bundle DIR write a folder to copy to laptops without network (--lesson NN)
    python3 run.py classroom  JupyterHub for a class on this machine (`classroom --help`)

Any other command goes to the `lessons` command inside the environment, e.g.
    python3 run.py doctor     check the set-up and say how to fix each problem
    python3 run.py student    generate student copies (solutions left out) into student/
    python3 run.py worksheet  printable worksheets (HTML, and PDF with Chromium) into handouts/
    python3 run.py answers    the printable answer key into handouts/
    python3 run.py export     write every lesson as offline HTML into export/
    python3 run.py present    project the classroom explorer with Voilà
    python3 run.py data       list the datasets with sources and licences
    python3 run.py progress   print this folder's exercise progress for every lesson

The first call creates `.venv/` with the exact versions in `uv.lock` (uv is installed into
`.uv-tools/` from PyPI for that); later calls reuse it and work offline. Learners get the
runtime set only; `test` adds the test tools and `classroom` JupyterHub, to the same `.venv/`
(a later `lab` keeps them). The environment is rebuilt only when `uv.lock` or `pyproject.toml`
change, or a command needs an extra it lacks. A folder written by `bundle` holds the wheels in
`wheels/`: there every install comes from them, with no network.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS = ROOT / ".uv-tools"
WHEELS = ROOT / "wheels"  # present in a folder written by `run.py bundle`: install offline
UV_VERSION = "0.13.9"
STAMP = VENV / ".lessons-stamp"
LESSONS_COMMANDS = (
    "doctor",
    "student",
    "worksheet",
    "answers",
    "export",
    "present",
    "data",
    "progress",
    "classroom",
)
EXTRAS = {"test": ("test",), "classroom": ("classroom",)}  # every other command: runtime only
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
BUNDLE_FILES = ("run.py", "pyproject.toml", "uv.lock", "README.md", "LICENSE", "LICENSE-lessons")
BUNDLE_FOLDERS = ("docs", "data")  # the guide; data/ for SOURCES.md (the wheel holds the data)


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


def _offline() -> bool:
    return (WHEELS / "requirements.txt").is_file()


def _ensure_uv() -> Path:
    """uv, installed once into .uv-tools/ (from PyPI, or from wheels/ in a bundle).

    With this Python's own pip, uv goes straight into .uv-tools/ (`pip install --target`,
    about 3 s faster than building a venv with pip first); without pip (some Linux Pythons
    ship without it), a small venv with pip is made for it.
    """
    for uv in (TOOLS / "bin" / f"uv{EXE}", TOOLS / BIN / f"uv{EXE}"):
        if uv.exists():
            return uv
    print(f"Installing uv {UV_VERSION} into {TOOLS.name}/ (one time) …", flush=True)
    source = ["--no-index", "--find-links", str(WHEELS)] if _offline() else []
    pip = [sys.executable, "-m", "pip"]
    if importlib.util.find_spec("pip") is not None:  # asked in-process: `pip --version` takes 0.5 s
        quiet = ["-q", "--disable-pip-version-check", "--no-warn-script-location"]
        _run([*pip, "install", *quiet, *source, "--target", str(TOOLS), f"uv=={UV_VERSION}"])
        return TOOLS / "bin" / f"uv{EXE}"
    venv.create(TOOLS, with_pip=True)
    tool_pip = [str(TOOLS / BIN / f"python{EXE}"), "-m", "pip", "install", "-q", *source]
    _run([*tool_pip, f"uv=={UV_VERSION}"])
    return TOOLS / BIN / f"uv{EXE}"


def read_stamp(stamp: Path | None = None) -> dict | None:
    """What the last set-up installed: {"fingerprint": …, "extras": [...]}, or None.

    A stamp from before extras were recorded holds only the fingerprint; those set-ups always
    installed the test extra.
    """
    try:
        text = (stamp or STAMP).read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return {"fingerprint": text.strip(), "extras": ["test"]}
    return state if isinstance(state, dict) else None


def extras_to_install(command: str, state: dict | None, fingerprint: str) -> list[str] | None:
    """The extras to sync for `command`, or None when the environment is fine as it is.

    One environment for every command, a superset: the extras an earlier command installed are
    kept (a `lab` after `test` does not uninstall pytest), so switching commands never reinstalls.
    """
    needed = set(EXTRAS.get(command, ()))
    have = set(state.get("extras", ())) if state else set()
    if state and state.get("fingerprint") == fingerprint and needed <= have:
        return None
    return sorted(have | needed)


def sync_command(uv: Path, extras: list[str]) -> list[str]:
    """`uv sync` for the locked runtime set plus `extras` (exact: what the lock dropped goes)."""
    chosen = [arg for extra in extras for arg in ("--extra", extra)]
    return [str(uv), "sync", "--locked", *chosen, "--no-compile-bytecode"]


def offline_install_commands(uv: Path, python: Path) -> list[list[str]]:
    """Install the bundle's wheels (the locked runtime set, then the project) with no network."""
    wheels = WHEELS
    local = ["--offline", "--no-index", "--find-links", str(wheels), "--python", str(python)]
    local.append("--no-compile-bytecode")  # run.py compiles, leaving the packages' tests out
    projects = sorted(wheels.glob("russia_turkey_lessons-*.whl"))
    return [
        [str(uv), "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(VENV)],
        [str(uv), "pip", "install", *local, "-r", str(wheels / "requirements.txt")],
        [str(uv), "pip", "install", *local, "--no-deps", *map(str, projects[-1:])],
    ]


def ensure_environment(command: str = "lab") -> Path:
    """Create or update .venv for `command`; return the environment's bin folder."""
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an old Python
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    bin_dir = VENV / BIN
    python = bin_dir / f"python{EXE}"
    state = read_stamp()
    extras = extras_to_install(command, state, _fingerprint())
    if extras is None:
        return bin_dir
    uv = _ensure_uv()
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    env.pop("UV_COMPILE_BYTECODE", None)  # uv refuses it next to --no-compile-bytecode
    if _offline():
        if extras:
            sys.exit(
                f"`{command}` needs the {', '.join(extras)} extra, which this offline copy does"
                " not hold (wheels/ has the learners' set): run it in a checkout with network"
            )
        print("Installing the lessons from wheels/ into .venv/ (one time, offline) …", flush=True)
        for step in offline_install_commands(uv, python):
            _run(step, env=env)
    else:
        what = f"with the {' and '.join(extras)} extra" if extras else "for learners"
        print(f"Installing the locked environment {what} into .venv/ …", flush=True)
        _run([*sync_command(uv, extras), "--python", sys.executable], env=env)
    _run([str(python), "-c", COMPILE], env=env)
    STAMP.write_text(json.dumps({"fingerprint": _fingerprint(), "extras": extras}))
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


def _lessons(folder: Path) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []


def lab_arguments(rest: list[str], root: Path = ROOT) -> list[str]:
    """JupyterLab's arguments for `run.py lab [NN] [--teacher] [other JupyterLab options]`.

    Learners are the default: JupyterLab opens in `student/` (the copies without the teachers'
    worked answers); `--teacher` opens the authored lessons in `notebooks/`. A folder holding
    only one of the two opens that one. A lesson number opens that lesson (from the other
    folder if only that one holds it); without one, the first lesson the folder holds.
    """
    teacher = "--teacher" in rest
    first, second = (root / "notebooks", root / "student")
    if not teacher:
        first, second = second, first
    if not _lessons(first) and _lessons(second):
        first, second = second, first
    wanted = [a for a in rest if a.isdigit() and len(a) <= 2]
    options = [a for a in rest if a != "--teacher" and a not in wanted]
    folder, lessons = first, _lessons(first)
    if wanted:
        number = wanted[0].zfill(2)
        for candidate in (first, second):
            chosen = [p for p in _lessons(candidate) if p.name.startswith(f"{number}_")]
            if chosen:
                folder, lessons = candidate, chosen
                break
        else:
            held = ", ".join(p.name[:2] for p in lessons) or "none"
            sys.exit(f"no lesson {number} in {folder} (lessons there: {held})")
    opened = [str(lessons[0])] if lessons else []
    return [f"--ServerApp.root_dir={folder}", *opened, *options]


def _chosen(folder: Path, numbers: list[str]) -> list[Path]:
    lessons = _lessons(folder)
    if not numbers:
        return lessons
    return [p for p in lessons if p.name[:2] in {n.zfill(2) for n in numbers}]


def bundle_arguments(rest: list[str]) -> tuple[Path, list[str]]:
    """(the bundle folder, the lesson numbers chosen) from `bundle DIR [--lesson NN ...]`."""
    folder, numbers, args = None, [], iter(rest)
    for arg in args:
        if arg == "--lesson":
            number = next(args, "")
            if not (number.isdigit() and len(number) <= 2):
                sys.exit(f"--lesson takes a lesson number such as 04, not {number!r}")
            numbers.append(number.zfill(2))
        elif folder is None and not arg.startswith("-"):
            folder = Path(arg).expanduser().resolve()
        else:
            sys.exit(
                f"unexpected argument {arg!r}: usage `python3 run.py bundle DIR [--lesson NN]`"
            )
    if folder is None:
        sys.exit("usage: python3 run.py bundle DIR [--lesson NN ...]")
    if folder.exists() and any(folder.iterdir()):
        sys.exit(f"{folder} is not empty: choose a new or empty folder for the bundle")
    if folder == ROOT or ROOT in folder.parents:
        sys.exit(f"{folder} is inside this lessons folder: choose a folder outside it")
    held = {p.name[:2] for sub in ("notebooks", "student") for p in _lessons(ROOT / sub)}
    missing = sorted(set(numbers) - held)
    if missing:
        sys.exit(f"no lesson {', '.join(missing)} here (lessons: {', '.join(sorted(held))})")
    return folder, numbers


def requirements_command(uv: Path, out: Path) -> list[str]:
    """The lock's runtime set (no extras, not the project) as hashed requirements."""
    return [
        *[str(uv), "export", "--quiet", "--locked", "--no-dev", "--no-emit-project"],
        *["--format", "requirements-txt", "--no-header", "--output-file", str(out)],
    ]


def download_command(uv: Path, requirements: Path, wheels: Path) -> list[str]:
    """pip (run by uv) fetches the wheel of every requirement for this machine, hash-checked."""
    return [
        *[str(uv), "tool", "run", "--from", "pip>=24", "pip", "download", "--quiet"],
        *["--no-deps", "--only-binary=:all:", "--dest", str(wheels), "-r", str(requirements)],
    ]


BUNDLE_README = """\
Russia–Turkey Lessons: a copy that installs without network
=============================================================

Copy this whole folder to each laptop (Python 3.11 or newer must be installed there), then,
in a terminal inside the copied folder:

    python3 run.py lab          (on Windows: py run.py lab)

The first start installs uv and the lessons' environment from wheels/ into .venv/ inside the
folder, with no network (about a minute); later starts take seconds. The wheels are for
{platform} with Python {python}: laptops with another system need a bundle made on one of them.
Lessons in this copy: {lessons}.
"""


def bundle(rest: list[str]) -> None:
    """Write a folder a teacher copies to laptops: lessons, run.py and every wheel they need."""
    folder, numbers = bundle_arguments(rest)
    uv = _ensure_uv()
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    for name in BUNDLE_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, folder / name)
    for name in BUNDLE_FOLDERS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name)
    for sub in ("notebooks", "student"):
        for lesson in _chosen(ROOT / sub, numbers):
            (folder / sub).mkdir(exist_ok=True)
            shutil.copy2(lesson, folder / sub / lesson.name)
    if (ROOT / "notebooks" / "presenter").is_dir():
        shutil.copytree(ROOT / "notebooks" / "presenter", folder / "notebooks" / "presenter")
    print(f"Downloading the wheels for this machine into {wheels} …", flush=True)
    requirements = wheels / "requirements.txt"
    _run(requirements_command(uv, requirements))
    _run(download_command(uv, requirements, wheels))
    pip_download = download_command(uv, requirements, wheels)[:-2]
    _run([*pip_download, f"uv=={UV_VERSION}"])
    _run([str(uv), "build", "--wheel", "--quiet", "--out-dir", str(wheels)])
    held = sorted({p.name[:2] for sub in ("notebooks", "student") for p in _lessons(folder / sub)})
    platform = f"{sys.platform} {os.uname().machine}" if hasattr(os, "uname") else sys.platform
    python = ".".join(map(str, sys.version_info[:2]))
    text = BUNDLE_README.format(platform=platform, python=python, lessons=", ".join(held))
    (folder / "INSTALL.txt").write_text(text, encoding="utf-8")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    count = len(list(wheels.glob("*.whl")))
    print(f"Wrote {folder}: {count} wheels, {size / 1e6:.0f} MB. Copy the folder to each laptop.")


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command not in ("lab", "test", "execute", "bundle", *LESSONS_COMMANDS):
        sys.exit(f"unknown command {command!r}: see `python3 run.py --help`")
    if command == "bundle":
        bundle(rest)
        return
    bin_dir = ensure_environment(command)
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
