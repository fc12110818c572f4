"""Student copies: the lessons without their solutions, generated, never edited by hand.

Why generated: the lessons are authored solution-first (each answer sits in a cell tagged
`solution`), so there is one source to maintain. A student copy replaces each solution cell
with a short prompt and keeps everything else — questions, self-checks, hints and the stored
outputs — so it still runs top to bottom and nbval still compares it. The generator is a pure
function of the lesson file, which is what lets CI check that the committed copies are exactly
what it produces (up to the Python version, see `kernel_language_info`).

Why the copy carries the kernel's Python version: JupyterLab writes the running kernel's
`language_info` into the notebook as soon as the kernel starts; if the file's differs (the
lessons store it without a version, for reproducible outputs), the notebook shows as modified
the moment a learner opens it. The copies are compared with that one field left out.

>>> import nbformat
>>> lesson = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("# Lesson 9"),
...     nbformat.v4.new_code_cell("answer = 42", metadata={"tags": [SOLUTION_TAG]})])
>>> [c.metadata["tags"] for c in student_notebook(lesson, "09_x.ipynb").cells[1:]]
[['student-prompt']]
"""

from __future__ import annotations

import copy
import json
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from lessons import project

SOLUTION_TAG = "solution"
STUDENT_TAG = "student-prompt"
PROMPT_CODE = (
    "**Your turn.** The worked answer is not in your copy. Try the exercise above on your own"
    " first. Once you have answered it (or written something), press its **Show answer**"
    " button (**Show model answer** for a written task) and compare the answer with yours."
)
PROMPT_MARKDOWN = (
    "*The worked example is not in your copy. Work through the evidence above yourself; after"
    " you have tried the exercises, their **Show answer** and **Show model answer** buttons"
    " let you check your reasoning.*"
)
HEADER_NOTE = (
    "> **This is your copy of the lesson.** Work in it: run the cells, answer the exercises and"
    " write your notes here; it is saved like any other file. The worked answers are left out:"
    " each exercise shows its answer after you have tried it. If you want a fresh, empty copy,"
    " ask your teacher for one."
)


@dataclass(frozen=True)
class CopyResult:
    """What happened to one student copy (so the CLI can report it in one line)."""

    source: Path
    target: Path
    status: str  # "written", "unchanged", "differs", "missing"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _prompt_for(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    text = PROMPT_MARKDOWN if cell.cell_type == "markdown" else PROMPT_CODE
    prompt = nbformat.v4.new_markdown_cell(text, metadata={"tags": [STUDENT_TAG]})
    prompt.pop("id", None)
    return prompt


def student_notebook(lesson: nbformat.NotebookNode, source_name: str) -> nbformat.NotebookNode:
    """Return a copy of `lesson` with every solution cell replaced by a prompt.

    Cell ids are derived from the lesson's ids, so two runs give identical files.
    """
    student = copy.deepcopy(lesson)
    cells = []
    for index, cell in enumerate(student.cells):
        if is_solution(cell):
            prompt = _prompt_for(cell)
            prompt["id"] = f"student-{cell.get('id', index)}"
            cells.append(prompt)
        else:
            cells.append(cell)
    if cells and cells[0].cell_type == "markdown" and HEADER_NOTE not in cells[0].source:
        cells[0].source = f"{HEADER_NOTE}\n\n{cells[0].source}"
    student.cells = cells
    student.metadata["lessons"] = {"student_copy_of": f"notebooks/{source_name}"}
    student.metadata["language_info"] = kernel_language_info(student.metadata)
    nbformat.validate(student)
    return student


def kernel_language_info(metadata: dict[str, Any]) -> dict[str, Any]:
    """`language_info` as the Python kernel will report it, so opening the copy changes nothing.

    The kernel runs on this Python (the project's environment), which also writes the copies.
    """
    info = dict(metadata.get("language_info") or {})
    info.setdefault("name", "python")
    info["version"] = platform.python_version()
    return info


def _comparable(text: str) -> Any:
    """A copy's content without the one field that depends on where it was generated."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if isinstance(notebook, dict):
        notebook.get("metadata", {}).get("language_info", {}).pop("version", None)
    return notebook


def lesson_files(lessons_dir: Path) -> list[Path]:
    """The numbered lessons, in order (the presenter and other notebooks are not lessons)."""
    return project.lesson_files(lessons_dir)


def render_student_copy(lesson_path: Path) -> str:
    """The exact text of the student copy of one lesson file."""
    lesson = nbformat.read(lesson_path, as_version=4)
    student = student_notebook(lesson, lesson_path.name)
    return nbformat.writes(student) + "\n"


def choose_lessons(lessons_dir: Path, wanted: Iterable[str] = ()) -> list[Path]:
    """The lessons in `lessons_dir`, or only those whose number (or file name) is `wanted`.

    Why: a teacher preparing one class makes copies of that class's lessons only. An unknown
    lesson is an error that names the lessons the folder holds.
    """
    available = lesson_files(lessons_dir)
    if not available:
        raise FileNotFoundError(f"no lessons in {lessons_dir} (looked for NN_*.ipynb)")
    wanted = [w.strip() for w in wanted if w.strip()]
    if not wanted:
        return available
    chosen = []
    for want in wanted:
        key = want.zfill(2) if want.isdigit() else want.removesuffix(".ipynb")
        hits = [p for p in available if p.stem == key or p.name.startswith(f"{key}_")]
        if not hits:
            held = ", ".join(p.stem for p in available) or "none"
            raise FileNotFoundError(f"no lesson {want!r} in {lessons_dir} (lessons there: {held})")
        chosen += [p for p in hits if p not in chosen]
    return sorted(chosen)


def write_student_copies(
    lessons_dir: Path,
    out_dir: Path,
    *,
    force: bool = False,
    check_only: bool = False,
    lessons: Iterable[str] = (),
) -> list[CopyResult]:
    """Generate the student copy of every lesson (or of the chosen `lessons`) into `out_dir`.

    A file that exists and differs is never overwritten unless `force` is given: it may hold a
    teacher's own edits. With `check_only`, nothing is written and differences are reported.
    """
    results = []
    pending: list[tuple[Path, str]] = []
    for lesson in choose_lessons(lessons_dir, lessons):
        target = out_dir / lesson.name
        text = render_student_copy(lesson)
        if target.exists():
            same = _comparable(target.read_text(encoding="utf-8")) == _comparable(text)
            status = "unchanged" if same else "differs"
        else:
            status = "missing"
        if status != "unchanged" and not check_only:
            pending.append((target, text))
        results.append(CopyResult(lesson, target, status))
    if check_only:
        return results
    blocked = [r for r in results if r.status == "differs" and not force]
    if blocked:
        names = ", ".join(r.target.name for r in blocked)
        raise FileExistsError(
            f"{out_dir}: {len(blocked)} student copies differ from the generated version"
            f" ({names}); run again with --force to replace them"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, text in pending:
        target.write_text(text, encoding="utf-8")
    return [
        CopyResult(r.source, r.target, "written" if r.status != "unchanged" else r.status)
        for r in results
    ]
