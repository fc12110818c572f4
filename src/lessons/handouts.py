"""`lessons worksheet` and `lessons answers`: printable handouts of the lessons in this folder.

Why here: the worksheet (`worksheet.py`) and the answer key (`answer_key.py`) say *what* is
printed; this module finds the lessons in the folder the command runs in (any subset:
`notebooks/`, `student/` or the folder itself, and the guides in `docs/lessons/`), fills the
templates in `templates/handouts/`, and writes HTML with print CSS (A4 or Letter) — and a PDF
when Chromium is there. It writes only inside the chosen output folder, reads the notebooks
and never changes them, and uses no network.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     (Path(folder) / "docs" / "lessons").mkdir(parents=True)
...     _ = (Path(folder) / "docs" / "lessons" / "04_crisis.md").write_text("## Exit ticket\\nOne.")
...     found = find_lessons(Path(folder))
>>> [(lesson.number, lesson.notebook, lesson.guide.name) for lesson in found]
[('04', None, '04_crisis.md')]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lessons._background import outside_running_loop

TEMPLATES = Path(__file__).resolve().parent / "templates" / "handouts"
NOTEBOOK_FOLDERS = ("notebooks", "student", ".")  # where a lesson's notebook may be, by preference
GUIDES = Path("docs") / "lessons"
PAPERS = {"a4": "A4", "letter": "Letter"}
CHROMIUM_ENV = "LESSONS_CHROMIUM"
CHROMIUM_PLACES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PDF_TIMEOUT_MS = 120_000


class HandoutError(RuntimeError):
    """A handout cannot be made; the message is one line a teacher can act on."""


@dataclass(frozen=True)
class Lesson:
    """One lesson found in the folder: its number and the files it has there."""

    number: str
    notebook: Path | None
    guide: Path | None

    @property
    def name(self) -> str:
        for path in (self.notebook, self.guide):
            if path is not None:
                return path.stem
        return self.number


@dataclass(frozen=True)
class Written:
    """One file written: where, how big, and (for a PDF) how many pages."""

    path: Path
    bytes: int
    pages: int | None = None


# --- finding the lessons ---------------------------------------------------------------------


def _number(name: str) -> str:
    text = str(name).strip()
    head = re.match(r"^(\d{1,2})(?:$|[._])", text)
    if not head:
        raise HandoutError(f"'{name}' is not a lesson number; try e.g. --lesson 04")
    return f"{int(head.group(1)):02d}"


def find_lessons(folder: Path, wanted: Sequence[str] = ()) -> list[Lesson]:
    """The lessons in `folder` (a notebook in notebooks/, student/ or the folder, or a guide).

    `wanted` picks some ("4", "04" or "04_crisis_and_reconciliation"); each must be there.
    Only lessons with exercises count. Nothing outside `folder` is looked at.
    """
    from lessons import checks

    notebooks: dict[str, Path] = {}
    for sub in NOTEBOOK_FOLDERS:
        for path in sorted((folder / sub).glob("[0-9][0-9]_*.ipynb")):
            notebooks.setdefault(path.name[:2], path)
    guides = {p.name[:2]: p for p in sorted((folder / GUIDES).glob("[0-9][0-9]_*.md"))}
    have_exercises = {i.partition(".")[0] for i in checks.exercise_ids()}
    numbers = sorted((set(notebooks) | set(guides)) & have_exercises)
    if wanted:
        chosen = list(dict.fromkeys(_number(w) for w in wanted))
        missing = [n for n in chosen if n not in numbers]
        if missing:
            raise HandoutError(
                f"no lesson {', '.join(missing)} in {folder} (looked in notebooks/, student/, "
                f"the folder itself and {GUIDES}/); found: {', '.join(numbers) or 'none'}"
            )
        numbers = sorted(chosen)
    if not numbers:
        raise HandoutError(
            f"no lessons found in {folder}: run the command in the lessons folder (the one "
            f"holding notebooks/ or student/ with files like 04_crisis_and_reconciliation.ipynb)"
        )
    return [Lesson(n, notebooks.get(n), guides.get(n)) for n in numbers]


def _read_notebook(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise HandoutError(f"{path}: not readable as a notebook ({err})") from None


# --- filling the templates -------------------------------------------------------------------


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    return (TEMPLATES / "handouts.css").read_text(encoding="utf-8")


def _header_html(header: dict[str, Any]) -> dict[str, Any]:
    from lessons.checks import markdown_html

    return {
        **header,
        "question": markdown_html(header.get("question", "")),
        "objectives": [markdown_html(o) for o in header.get("objectives", [])],
    }


def _render_cards(blocks: Iterable[dict[str, Any]]) -> None:
    from lessons.answer_key import render_markdown

    for block in blocks:
        if block.get("kind") == "markdown":
            block["rendered"] = render_markdown(block["text"])


def worksheet_html(lesson: Lesson, *, run_cells: bool = True) -> tuple[str, list[str]]:
    """One lesson's worksheet page and the problems met (cells that failed to run)."""
    from lessons import worksheet

    notebook = _read_notebook(lesson.notebook)
    outputs: dict[str, Any] = {"cells": {}, "problems": []}
    if run_cells and lesson.notebook is not None:
        outputs = worksheet.lesson_outputs(lesson.notebook)
    sheet = worksheet.build_worksheet(lesson.number, notebook, outputs["cells"])
    sheet.update(_header_html(sheet))
    _render_cards(sheet["blocks"])
    for later in sheet["later"]:
        _render_cards(later["items"])
    page = _environment().get_template("worksheet.html.j2").render(ws=sheet, css=_css())
    return page, list(outputs["problems"])


def answer_key_html(lessons: Sequence[Lesson]) -> str:
    """The answer key of the chosen lessons, each starting on a new page."""
    from lessons import answer_key, worksheet

    keys = []
    for lesson in lessons:
        guide = lesson.guide.read_text(encoding="utf-8") if lesson.guide else None
        key = answer_key.build_answer_key(lesson.number, guide)
        header = worksheet.lesson_header(_read_notebook(lesson.notebook))
        if not header["title"] and guide:
            first = re.search(r"^#\s+(.+)$", guide, re.M)
            header["title"] = first.group(1).strip() if first else ""
        key.update(_header_html(header))
        key["title"] = key["title"] or f"Lesson {lesson.number}"
        key["no_guide"] = (
            f"Not in the teacher's guide ({lesson.guide.name})."
            if lesson.guide
            else f"No teacher's guide for lesson {lesson.number} in this folder ({GUIDES}/)."
        )
        keys.append(key)
    title = ", ".join(f"lesson {k['lesson']}" for k in keys)
    return (
        _environment().get_template("answer_key.html.j2").render(keys=keys, title=title, css=_css())
    )


# --- writing ---------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Written:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return Written(path, path.stat().st_size)


def write_worksheets(
    folder: Path,
    out_dir: Path,
    wanted: Sequence[str] = (),
    *,
    pdf: bool = True,
    paper: str = "a4",
    run_cells: bool = True,
    progress: Callable[[str], None] = print,
) -> list[Written]:
    """Write `worksheet_NN_name.html` (and .pdf) for each chosen lesson into `out_dir`."""
    lessons = find_lessons(folder, wanted)
    no_notebook = [lesson.number for lesson in lessons if lesson.notebook is None]
    if no_notebook and wanted:
        raise HandoutError(
            f"lesson {', '.join(no_notebook)} has no notebook in {folder} (notebooks/ or "
            "student/): a worksheet follows the notebook's sections"
        )
    lessons = [lesson for lesson in lessons if lesson.notebook is not None]
    if not lessons:
        raise HandoutError(f"no lesson notebooks in {folder} (notebooks/ or student/)")
    written = []
    for lesson in lessons:
        page, problems = worksheet_html(lesson, run_cells=run_cells)
        for problem in problems:
            progress(f"note: {problem}")
        done = _write(out_dir / f"worksheet_{lesson.name}.html", page)
        written.append(done)
        progress(f"{done.path}: {done.bytes / 1000:.0f} kB")
    if pdf:
        written += _pdfs([w.path for w in written], paper, progress)
    return written


def write_answer_key(
    folder: Path,
    out_dir: Path,
    wanted: Sequence[str] = (),
    *,
    pdf: bool = True,
    paper: str = "a4",
    progress: Callable[[str], None] = print,
) -> list[Written]:
    """Write `answer_key.html` (and .pdf) for the chosen lessons into `out_dir`."""
    lessons = find_lessons(folder, wanted)
    done = _write(out_dir / "answer_key.html", answer_key_html(lessons))
    progress(
        f"{done.path}: {done.bytes / 1000:.0f} kB, lessons {', '.join(x.number for x in lessons)}"
    )
    written = [done]
    if pdf:
        written += _pdfs([done.path], paper, progress)
    return written


# --- PDF -------------------------------------------------------------------------------------


def find_chromium() -> Path | None:
    """The Chromium to print with: $LESSONS_CHROMIUM, /usr/bin/chromium, or one on PATH."""
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    candidates = [named] if named else list(CHROMIUM_PLACES)
    if not named:
        candidates += [shutil.which(n) or "" for n in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def pdf_pages(path: Path) -> int:
    """How many pages a PDF has (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def _pdfs(pages: list[Path], paper: str, progress: Callable[[str], None]) -> list[Written]:
    chromium = find_chromium()
    if chromium is None:
        progress(
            f"No Chromium found (set {CHROMIUM_ENV} or install chromium): wrote HTML only; "
            "print it from a browser."
        )
        return []
    targets = [(page, page.with_suffix(".pdf")) for page in pages]
    try:
        print_to_pdf(targets, chromium, paper=paper)
    except Exception as err:  # a browser that fails must not cost the teacher the HTML
        progress(f"The PDF could not be made with {chromium} ({err}); the HTML is written.")
        return []
    written = []
    for _page, target in targets:
        done = Written(target, target.stat().st_size, pdf_pages(target))
        progress(f"{done.path}: {done.pages} pages, {done.bytes / 1000:.0f} kB")
        written.append(done)
    return written


FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;font-family:sans-serif">'
    '<span class="title"></span> · page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


def print_to_pdf(
    targets: Sequence[tuple[Path, Path]], chromium: Path, *, paper: str = "a4"
) -> None:
    """Print each (HTML, PDF) pair with headless Chromium: Playwright if installed, else its CLI.

    Only `file:` and `data:` addresses load; any other request is refused (offline by design).
    """
    try:
        import playwright.sync_api  # noqa: F401 - only: is it installed?
    except ImportError:
        for source, target in targets:
            _print_with_cli(source, target, chromium)
        return
    # Playwright's synchronous API refuses a thread that runs an event loop (a Jupyter kernel)
    outside_running_loop(_print_with_playwright, targets, chromium, paper)


def _print_with_playwright(
    targets: Sequence[tuple[Path, Path]], chromium: Path, paper: str
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            for source, target in targets:
                page.goto(source.resolve().as_uri(), wait_until="load")
                page.pdf(
                    path=str(target),
                    format=PAPERS.get(paper.lower(), "A4"),
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin={"top": "15mm", "bottom": "17mm", "left": "15mm", "right": "15mm"},
                )
        finally:
            browser.close()


def _print_with_cli(source: Path, target: Path, chromium: Path) -> None:
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--print-to-pdf={target}",
        source.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not target.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(last)
