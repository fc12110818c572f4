"""What each lesson is about, read from its opening cell: title, question, objectives, time.

Why here and not in a config file: every lesson already opens with these lines for the
learner (`**The question of this lesson:** …`, `**You will be able to:**` and a list,
`**Time:** …`, `**Before this:** …`), so the course index and any handout read them from
the notebook itself and can never disagree with it. Wording varies between lessons ("The
question:", a time that runs over two lines, "· **Before this:**" on the same line), so
fields are found by their bold labels; a lesson missing one simply has it empty.

>>> info = lesson_info_from_cells(
...     ["# Lesson 9 — After 2020\\n\\n**The question:** what changed\\nafter 2020?\\n\\n"
...      "**You will be able to:**\\n- cite a row by `event_id`;\\n- weigh two sources\\n\\n"
...      "**Time:** 45 minutes · **Before this:** Lesson 8"],
...     stem="09_after_2020",
... )
>>> info.number, info.title, info.question
('09', 'Lesson 9 — After 2020', 'what changed after 2020?')
>>> info.objectives, info.time, info.before
(('cite a row by `event_id`', 'weigh two sources'), '45 minutes', 'Lesson 8')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# A bold label that opens a field: "**Time:**", "**The question of this lesson:**".
_LABEL = re.compile(r"\*\*(?P<label>[^*\n]{1,60}?):\*\*")
_ITEM = re.compile(r"^\s*[-*+]\s+(?P<text>.*)$")
_NUMBER = re.compile(r"^(?P<number>\d{2})_")


@dataclass(frozen=True)
class LessonInfo:
    """The opening facts of one lesson (markdown inline text, empty when a lesson lacks one)."""

    stem: str
    number: str
    title: str
    question: str = ""
    objectives: tuple[str, ...] = ()
    time: str = ""
    before: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split()).strip(" ·;")


def _fields(text: str) -> dict[str, str]:
    """Each bold label's text, up to the next label or the end of its paragraph."""
    found: dict[str, str] = {}
    marks = list(_LABEL.finditer(text))
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[mark.end() : end]
        label = mark.group("label").strip().lower()
        if label.startswith("you will be able to"):
            found.setdefault("objectives", body)
            continue
        body = re.split(r"\n\s*\n", body.lstrip(" \t\n"), maxsplit=1)[0]
        if label.startswith("the question"):
            found.setdefault("question", body)
        elif label == "time":
            found.setdefault("time", body)
        elif label.startswith("before this"):
            found.setdefault("before", body)
    return found


def _objectives(body: str) -> tuple[str, ...]:
    """The list under "You will be able to:" (continuation lines join their item)."""
    items: list[str] = []
    started = False
    for line in body.lstrip(" \t").splitlines():
        item = _ITEM.match(line)
        if item:
            items.append(item.group("text"))
            started = True
        elif started and line.strip() and line[:1].isspace():
            items[-1] += " " + line.strip()
        elif started or line.strip():
            break
    return tuple(_one_line(item) for item in items if _one_line(item))


def lesson_info_from_cells(markdown: Iterable[str], stem: str) -> LessonInfo:
    """The facts from a lesson's opening markdown cells (the first field found wins)."""
    text = "\n\n".join(markdown)
    title = re.search(r"^#\s+(.+)$", text, re.M)
    fields = _fields(text)
    number = _NUMBER.match(stem)
    return LessonInfo(
        stem=stem,
        number=number.group("number") if number else "",
        title=_one_line(title.group(1)) if title else stem.replace("_", " "),
        question=_one_line(fields.get("question", "")),
        objectives=_objectives(fields.get("objectives", "")),
        time=_one_line(fields.get("time", "")),
        before=_one_line(fields.get("before", "")),
    )


def opening_markdown(cells: list[dict]) -> list[str]:
    """The markdown cells before the lesson's first section (`## …`) or its second code cell."""
    opening: list[str] = []
    code_cells = 0
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code":
            code_cells += 1
            if code_cells > 1:
                break
            continue
        if cell.get("cell_type") != "markdown":
            continue
        if opening and source.lstrip().startswith("## "):
            break
        opening.append(source)
    return opening


def lesson_info(path: Path) -> LessonInfo:
    """The facts of the lesson notebook at `path` (a missing field is empty, never an error)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return lesson_info_from_cells(opening_markdown(notebook.get("cells", [])), path.stem)
