"""The `lessons` command (also `python -m lessons`): open, check, copy, export and present.

Why a command: a teacher should not need to know Jupyter's options. Every sub-command has
`--help`; every failure is one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import click

from lessons.project import find_project_root

PRESENTER = Path("notebooks") / "presenter" / "classroom_explorer.ipynb"


def _fail(message: str) -> NoReturn:
    raise click.ClickException(message)


def _root() -> Path:
    try:
        return find_project_root()
    except RuntimeError as err:
        _fail(str(err))


def _jupyter_command(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def _run_server(command: list[str], cwd: Path) -> None:
    """Hand the terminal to the server: Ctrl+C and a terminate signal reach it directly.

    On POSIX the server replaces this process (so stopping `lessons present` stops Voilà);
    Windows has no such replacement, so there the server runs as a child.
    """
    if os.name == "posix":
        os.chdir(cwd)
        os.execv(command[0], command)
    try:
        completed = subprocess.run(command, cwd=cwd, check=False)
    except KeyboardInterrupt:
        return
    if completed.returncode not in (0, -2, 130):
        _fail(f"{command[2]} stopped with exit code {completed.returncode}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="russia-turkey-lessons", prog_name="lessons")
def main() -> None:
    """Russia–Turkey Lessons: Jupyter lessons with sourced event data, offline."""


@main.command()
@click.argument("lesson", required=False)
@click.option(
    "--teacher", is_flag=True, help="Open the authored lessons in notebooks/ (worked answers in)."
)
@click.option(
    "--port", type=int, default=None, help="Port for JupyterLab (default: 8888 or next free)."
)
@click.option("--no-browser", is_flag=True, help="Start the server without opening a browser.")
def lab(lesson: str | None, teacher: bool, port: int | None, no_browser: bool) -> None:
    """Open JupyterLab on the learners' copies (student/), or on one lesson (e.g. `lab 04`)."""
    command, root = lab_command(_root(), lesson, teacher=teacher)
    if port:
        command.append(f"--ServerApp.port={port}")
    if no_browser:
        command.append("--no-browser")
    _run_server(command, root)


def lab_command(root: Path, lesson: str | None, *, teacher: bool = False) -> tuple[list[str], Path]:
    """The JupyterLab command: learners land in student/, teachers (`--teacher`) in notebooks/."""
    from lessons.student import choose_lessons

    folder = root / ("notebooks" if teacher else "student")
    if not folder.is_dir():
        folder = root / "notebooks"
    try:
        chosen = choose_lessons(folder, [lesson] if lesson else [])
    except FileNotFoundError as err:
        _fail(str(err))
    opened = [str(chosen[0])] if chosen else []
    return _jupyter_command("jupyter", "lab", f"--ServerApp.root_dir={folder}", *opened), root


@main.command()
@click.option(
    "--only",
    type=click.Choice(["python", "packages", "widgets", "renderer", "data"]),
    multiple=True,
    help="Run only these checks (repeatable).",
)
def doctor(only: tuple[str, ...]) -> None:
    """Check the set-up: versions, widget front end, offline charts, data checksums."""
    from lessons.doctor import doctor as run_checks
    from lessons.doctor import report

    findings = run_checks(only or None)
    click.echo(report(findings))
    if any(f.ok is False for f in findings):
        sys.exit(1)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the student copies (default: student/ in the project).",
)
@click.option("--force", is_flag=True, help="Replace copies that differ (they may hold edits).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a copy is out of date.")
@click.option(
    "--lesson",
    "lessons",
    multiple=True,
    help="Only this lesson (e.g. 04 or 04_crisis_and_reconciliation); repeatable.",
)
def student(out: Path | None, force: bool, check: bool, lessons: tuple[str, ...]) -> None:
    """Generate student copies of the lessons (solutions replaced by prompts)."""
    from lessons.student import write_student_copies

    root = _root()
    out_dir = out if out is not None else root / "student"
    try:
        results = write_student_copies(
            root / "notebooks", out_dir, force=force, check_only=check, lessons=lessons
        )
    except (FileExistsError, FileNotFoundError) as err:
        _fail(str(err))
    for result in results:
        click.echo(f"{result.status:>9}  {result.target}")
    stale = [r for r in results if r.status in ("differs", "missing")]
    if check and stale:
        _fail(f"{len(stale)} student copies are out of date: run `lessons student --force`")


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("export"))
@click.option(
    "--lesson",
    "names",
    multiple=True,
    help="Export only this lesson (e.g. 02 or 02_the_long_view); repeatable.",
)
@click.option(
    "--student",
    "from_student",
    is_flag=True,
    help="Export the student copies (no answers, no teachers' worked example).",
)
def export(out_dir: Path, names: tuple[str, ...], from_student: bool) -> None:
    """Write every lesson as static HTML that opens from disk, offline (default folder: export/)."""
    from lessons.export import export_lessons
    from lessons.student import lesson_files

    root = _root()
    lessons = lesson_files(root / ("student" if from_student else "notebooks"))
    if names:
        lessons = [p for p in lessons if any(p.stem.startswith(n) for n in names)]
        if not lessons:
            _fail(f"no lesson matches {', '.join(names)}; try e.g. --lesson 02")
    out_dir = out_dir if out_dir.is_absolute() else Path.cwd() / out_dir
    if out_dir.exists() and any(p.suffix == ".ipynb" for p in out_dir.iterdir()):
        _fail(f"{out_dir} holds notebooks; choose an empty folder for the export")
    export_lessons(lessons, out_dir, progress=click.echo)
    click.echo(f"Open {out_dir / lessons[0].with_suffix('.html').name} in a browser.")


@main.command()
@click.option("--port", type=int, default=8866, show_default=True, help="Port for Voilà.")
@click.option("--no-browser", is_flag=True, help="Start the server without opening a browser.")
def present(port: int, no_browser: bool) -> None:
    """Project the classroom explorer (timeline, maps, filters) with Voilà: no code shown."""
    root = _root()
    command = _jupyter_command(
        "voila",
        str(PRESENTER),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--theme=light",
    )
    if no_browser:
        command.append("--no-browser")
    _run_server(command, root)


@main.command(name="data")
def data_command() -> None:
    """List the bundled datasets with their sources and licences."""
    from lessons.data import list_datasets

    table = list_datasets()
    for row in table.itertuples(index=False):
        click.echo(f"{row.name}  ({row.file})")
        click.echo(f"    {row.title}")
        click.echo(f"    source:  {row.source}")
        click.echo(f"    licence: {row.licence}")


@main.command(name="progress")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder the notebooks ran in (default: this folder, then student/, then notebooks/).",
)
def progress_command(folder: Path | None) -> None:
    """Print the exercise progress of every lesson (from lessons_progress.json).

    The notebooks keep it in the folder they run in (student/ for learners), or in the file
    named by the LESSONS_PROGRESS environment variable. Nothing is sent anywhere.
    """

    from lessons import _progress, checks

    if folder is not None:
        os.environ[_progress.ENV] = str(folder / _progress.FILE_NAME)
    elif not os.environ.get(_progress.ENV, "").strip():
        here = Path.cwd()
        for candidate in (here, here / "student", here / "notebooks"):
            if (candidate / _progress.FILE_NAME).exists():
                os.environ[_progress.ENV] = str(candidate / _progress.FILE_NAME)
                break
    path = _progress.path()
    if not path.exists():
        click.echo(f"No progress saved yet ({path} does not exist); showing every exercise.")
    else:
        click.echo(f"Progress saved in {path}")
    lessons = list(dict.fromkeys(i.partition(".")[0] for i in checks.exercise_ids()))
    if not lessons:
        _fail("no exercises found")
    for lesson in lessons:
        summary = checks.progress(lesson)
        click.echo("")
        click.echo(summary.title)
        for exercise_id, kind, status in summary.rows:
            click.echo(f"  {exercise_id:<6} {status:<24} ({kind})")
    if _progress.last_warning:
        click.echo("")
        click.echo(_progress.last_warning)
