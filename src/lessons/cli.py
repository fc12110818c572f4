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

from lessons.project import find_project_root, lesson_files

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
    """The JupyterLab command: learners land in student/, teachers (`--teacher`) in notebooks/.

    A lesson the preferred folder lacks is opened from the other one, if it holds it.
    """
    from lessons.project import lessons_folder
    from lessons.student import choose_lessons

    folder = lessons_folder(root, teacher=teacher)
    other = root / ("student" if folder.name == "notebooks" else "notebooks")
    try:
        chosen = choose_lessons(folder, [lesson] if lesson else [])
    except FileNotFoundError as err:
        if not (lesson and lesson_files(other)):
            _fail(str(err))
        try:
            chosen, folder = choose_lessons(other, [lesson]), other
        except FileNotFoundError:
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
    """Write the lessons as static HTML with a course index, offline (default folder: export/)."""
    from lessons.export import INDEX, choose_lessons, export_lessons

    root = _root()
    try:
        lessons = choose_lessons(root / ("student" if from_student else "notebooks"), names)
    except FileNotFoundError as err:
        _fail(str(err))
    out_dir = out_dir if out_dir.is_absolute() else Path.cwd() / out_dir
    if out_dir.exists() and any(p.suffix == ".ipynb" for p in out_dir.iterdir()):
        _fail(f"{out_dir} holds notebooks; choose an empty folder for the export")
    export_lessons(lessons, out_dir, progress=click.echo)
    click.echo(f"Open {out_dir / INDEX} in a browser.")


@main.command()
@click.option("--port", type=int, default=8866, show_default=True, help="Port for Voilà.")
@click.option("--no-browser", is_flag=True, help="Start the server without opening a browser.")
@click.option(
    "--events",
    "events_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Your own events file (the columns of data/events.csv); default: the file named by "
    "LESSONS_EVENTS or lessons.toml, else the bundled record.",
)
def present(port: int, no_browser: bool, events_file: Path | None) -> None:
    """Project the classroom explorer (timeline, maps, filters) with Voilà: no code shown."""
    from lessons.errors import DataError
    from lessons.presenter import presenter_events
    from lessons.settings import ENV

    root = _root()
    try:
        chosen = presenter_events(events_file)
    except DataError as err:
        _fail(str(err))
    if chosen is not None:  # the Voilà kernel runs elsewhere: it gets the file by name
        os.environ[ENV] = str(chosen)
        click.echo(f"Showing the events of {chosen}")
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


HANDOUTS_DIR = click.Path(file_okay=False, path_type=Path)


def _say(line: str) -> None:
    click.echo(line)


def _handout_options(function):
    """The options `worksheet` and `answers` share (lessons, paper, PDF)."""
    function = click.option(
        "--lesson",
        "names",
        multiple=True,
        help="Only this lesson (e.g. 04 or 04_crisis_and_reconciliation); repeatable.",
    )(function)
    function = click.option(
        "--paper",
        type=click.Choice(["a4", "letter"], case_sensitive=False),
        default="a4",
        show_default=True,
        help="Paper size of the PDF (the HTML prints on either).",
    )(function)
    return click.option("--no-pdf", is_flag=True, help="Write the HTML only.")(function)


@main.command()
@click.argument(
    "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("handouts")
)
@_handout_options
def worksheet(out_dir: Path, names: tuple[str, ...], paper: str, no_pdf: bool) -> None:
    """Write a printable worksheet per lesson in this folder (default folder: handouts/)."""
    from lessons.handouts import HandoutError, write_worksheets

    try:
        write_worksheets(
            Path.cwd(), out_dir, names, pdf=not no_pdf, paper=paper, progress=click.echo
        )
    except HandoutError as err:
        _fail(str(err))


@main.command()
@click.argument(
    "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("handouts")
)
@_handout_options
def answers(out_dir: Path, names: tuple[str, ...], paper: str, no_pdf: bool) -> None:
    """Write the printable answer key of the lessons in this folder (default: handouts/)."""
    from lessons.handouts import HandoutError, write_answer_key

    try:
        write_answer_key(
            Path.cwd(), out_dir, names, pdf=not no_pdf, paper=paper, progress=click.echo
        )
    except HandoutError as err:
        _fail(str(err))


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
    root = find_project_root(required=False)
    if root is not None:  # a class folder: only the lessons it holds
        held = {p.name[:2] for sub in ("notebooks", "student") for p in lesson_files(root / sub)}
        lessons = [lesson for lesson in lessons if lesson in held]
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


@main.group(name="classroom", invoke_without_command=True)
@click.option("--ip", default=None, help="Address learners open (default: this machine's LAN one).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port (or the next free).")
@click.option("--password", default=None, help="Class password (default: a new one, shown once).")
@click.option("--https", is_flag=True, help="Serve HTTPS with a self-signed certificate.")
@click.option("--shared", is_flag=True, help="Run every learner as your user (no isolation).")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("classroom"),
    show_default=True,
    help="Folder (inside this one) for the hub's state and the learners' homes.",
)
@click.option(
    "--rehearse",
    type=click.IntRange(1, 60),
    default=None,
    metavar="N",
    help="Rehearse a class on loopback: N simulated learners log in and run lesson 01, "
    "then print a table and one key=value line.",
)
@click.pass_context
def classroom(
    ctx: click.Context,
    ip: str | None,
    port: int,
    password: str | None,
    https: bool,
    shared: bool,
    folder: Path,
    rehearse: int | None,
) -> None:
    """Serve the lessons to a class from this machine (JupyterHub, offline; Ctrl+C stops).

    Each learner logs in with a name and the class password and gets their own copy of the
    lessons. `lessons classroom progress` prints the class progress table.
    """
    from lessons.classroom.serve import missing_extra

    if ctx.invoked_subcommand is not None:
        return
    if missing_extra():
        _fail(str(missing_extra()))
    if rehearse is not None:
        from lessons.classroom.rehearse import rehearse_command

        raise SystemExit(rehearse_command(rehearse, echo=click.echo))
    from lessons.classroom.config import ClassroomConfig
    from lessons.classroom.serve import run_class

    here = Path.cwd().resolve()
    target = (here / folder).resolve()
    if target == here or here not in target.parents:
        _fail(f"--folder {folder}: give a folder inside this one, e.g. classroom")
    config = ClassroomConfig(
        folder=target,
        ip=ip,
        port=port,
        password=password,
        https=https,
        isolated=False if shared else None,
    )
    sys.exit(run_class(config, click.echo))


@classroom.command(name="progress")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("classroom"),
    show_default=True,
    help="The classroom folder the hub keeps the learners' homes in.",
)
def classroom_progress(folder: Path) -> None:
    """Print the class progress table (exercises done per lesson, one row per learner)."""
    from lessons.classroom.progress import class_progress, format_table

    homes = folder / "homes"
    if not homes.is_dir():
        _fail(f"no learners yet: {homes} does not exist (start the class with `lessons classroom`)")
    table = class_progress(homes)
    if not table.rows:
        click.echo(f"No learner has logged in yet ({homes} is empty).")
        return
    click.echo(f"Class progress: exercises done / exercises in each lesson ({homes})")
    click.echo(format_table(table))


@classroom.command(name="remove-accounts")
def classroom_remove_accounts() -> None:
    """Delete the learners' Unix accounts (rtl-*) after the course; their homes are kept."""
    from lessons.classroom import learners

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        _fail("removing learner accounts needs root: run it with sudo")
    names = learners.learner_accounts()
    for name in names:
        done = "removed" if learners.remove_account(name) else "could not remove"
        click.echo(f"{done:>16}  {learners.system_name(name)}")
    if not names:
        click.echo("No learner accounts on this machine.")
