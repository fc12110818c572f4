"""Printable worksheets: one lesson's questions, its evidence and charts, space to answer, no code.

Why this way: a class without laptops (or a test on paper) still needs the lesson. The
worksheet follows the notebook — its section headings, its evidence tables and its charts in
the order the learner meets them — and prints each exercise from `exercises/NN.json` with its
choices and ruled lines to write on. Nothing a learner is meant to find out is printed: no
hint, no feedback, no answer, no code. Charts that a notebook shows only after a prediction
("predict, then see") go on a last page, so a teacher can hand them out after the predictions.

Why the notebook's code is run: the lessons keep their charts in live widgets, so a stored
notebook holds no picture. `lesson_outputs` runs the code cells once, in a separate Python
process (IPython without a kernel, no network, nothing written), and records what each cell
shows: evidence tables, event cards, the static charts and the charts inside explorers and
exercises, each drawn to SVG with vl-convert. The notebook file itself is only read.

>>> ws = build_worksheet("04", outputs={})
>>> [e["id"] for e in ws["exercises"]][:3]
['04.1', '04.2', '04.3']
>>> "Whether the Su-24 entered Turkish airspace" in ws["exercises"][0]["options"]
True
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SOLUTION_TAGS = {"solution", "student-prompt"}
ASK_CALL = re.compile(r"checks\.ask\(\s*[\"'](\d\d\.\d+)[\"']")
HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*#*\s*$", re.M)
EXERCISE_HEADING = re.compile(r"^Exercise\s+(\d\d?\.\d+)\b\s*[—–:-]?\s*(.*)$")
# Ruled lines to write on, by input kind (an essay gets most of a page).
LINES = {"essay": 14, "text": 2, "number": 1, "date": 1, "order": 0, "classify": 0, "multi": 0}
LINES_PER_ESSAY_WORD = 1 / 11  # about eleven handwritten words a line
RUN_TIMEOUT_S = 600
LONG_TEXT = 80  # a column with longer text prints as paragraphs, not as a table column
MAX_ROWS = 60  # as pandas shows in a notebook
# Output that only tells a learner what to click or run next has no place on paper.
SCREEN_STEP = re.compile(r"run this cell|press \*\*", re.I)


# --- running a notebook's cells (in a child process) ---------------------------------------


def lesson_outputs(notebook: Path, *, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """What each code cell of `notebook` shows, by cell index: {"cells": {...}, "problems": [...]}.

    Runs in a child Python so the lesson's code cannot change this process (Altair theme,
    working folder, widgets). Progress goes to a throw-away file, so nothing of the
    learner's or the teacher's is read or written.
    """
    with tempfile.TemporaryDirectory(prefix="lessons-worksheet-") as scratch:
        env = {**os.environ, "LESSONS_PROGRESS": str(Path(scratch) / "progress.json")}
        env.pop("MPLBACKEND", None)
        done = subprocess.run(
            [sys.executable, "-m", "lessons.worksheet", str(notebook.resolve())],
            cwd=notebook.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0 or not done.stdout.strip():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"cells": {}, "problems": [f"{notebook.name}: its cells could not be run ({last})"]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["cells"] = {int(k): v for k, v in result["cells"].items()}
    return result


_SCREEN_ONLY = re.compile(
    # "(click one to highlight it)"
    r"\s*\((?:click|double-click|hover|drag|scroll|select)\b[^)]*\)"
    r"|^\s*(?:click|double-click|hover|drag|scroll)\b.*$",  # "Drag across this strip to zoom…"
    re.I,
)


def for_paper(spec: Any) -> Any:
    """The chart spec without screen-only instructions in its titles (paper cannot be clicked).

    >>> for_paper({"legend": {"title": "Kind of event (click one to highlight it)"},
    ...            "title": {"text": "Drag across this strip to zoom"}})
    {'legend': {'title': 'Kind of event'}, 'title': {'text': ''}}
    """
    if isinstance(spec, dict):
        out = {}
        for key, value in spec.items():
            if key in ("title", "text", "subtitle") and isinstance(value, str):
                value = _SCREEN_ONLY.sub("", value)
            elif key in ("title", "text", "subtitle") and isinstance(value, list):
                value = [_SCREEN_ONLY.sub("", v) if isinstance(v, str) else v for v in value]
            out[key] = for_paper(value)
        return out
    if isinstance(spec, list):
        return [for_paper(v) for v in spec]
    return spec


def _chart_item(spec: dict[str, Any]) -> dict[str, Any]:
    import vl_convert

    spec = for_paper(spec)
    from altair.utils._importers import vl_version_for_vl_convert

    svg = vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return {
        "kind": "chart",
        "title": str(title or ""),
        "alt": str(spec.get("description") or title or "chart"),
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
    }


def _cell(value: Any) -> str:
    import pandas as pd

    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def frame_html(frame: Any, *, max_rows: int = MAX_ROWS) -> str:
    """A table as printed: plain columns, or one block per row when a column holds long text.

    A summary squeezed into a table column runs over pages; as a paragraph under its row's
    title it reads like the notebook and takes a third of the space.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"year": [2015, 2016], "bcm": [15.43, 12.84]})
    >>> table = frame_html(rows)
    >>> "<th>year</th>" in table, "<td>2015</td>" in table, "<td>12.84</td>" in table
    (True, True, True)
    >>> long = pd.DataFrame({"title": ["A"], "summary": ["word " * 30]}, index=["e-1"])
    >>> "<strong>A</strong>" in frame_html(long.rename_axis("event_id"))
    True
    """
    import pandas as pd

    named = any(n is not None for n in frame.index.names)
    keep_index = named or not isinstance(frame.index, pd.RangeIndex)
    flat = frame.reset_index() if keep_index else frame.copy()
    flat.columns.name = None  # a crosstab's column title would print as an empty column
    more = len(flat) - max_rows
    flat = flat.head(max_rows)
    texts = flat.map(_cell) if len(flat) else flat.astype(str)
    long_columns = [c for c in texts.columns if len(texts) and texts[c].str.len().max() > LONG_TEXT]
    note = f"<p><em>… and {more} more rows.</em></p>" if more > 0 else ""
    if not long_columns:
        return flat.to_html(index=False, border=0, na_rep="") + note
    head = "title" if "title" in texts.columns else None
    blocks = []
    for _, row in texts.iterrows():
        meta = " · ".join(
            f"{html.escape(str(c))}: {html.escape(row[c])}"
            for c in texts.columns
            if c != head and c not in long_columns and row[c]
        )
        paragraphs = "".join(
            f"<p>{'' if i == 0 else f'<em>{html.escape(str(c))}:</em> '}{html.escape(row[c])}</p>"
            for i, c in enumerate(c for c in long_columns if c != head)
        )
        title = f"<p><strong>{html.escape(row[head])}</strong></p>" if head else ""
        blocks.append(f'<div class="record">{title}<p class="meta">{meta}</p>{paragraphs}</div>')
    return "".join(blocks) + note


def _describe(obj: Any, formatter: Any) -> list[dict[str, Any]]:
    """Printable items for one displayed object (charts, tables, cards; never widgets' code)."""
    import altair as alt
    import ipywidgets as w
    import pandas as pd

    from lessons import checks
    from lessons._ask import Ask

    if isinstance(obj, Ask):
        then = getattr(obj, "_then", None)  # the "predict, then see" follow-up, if any
        shown = then() if callable(then) else then
        later = _describe(shown, formatter) if shown is not None else []
        return [{"kind": "exercise", "id": obj.exercise_id, "then": later}]
    if isinstance(obj, checks.Progress):
        return []
    if isinstance(obj, pd.DataFrame):
        return [{"kind": "html", "html": frame_html(obj)}]
    if isinstance(obj, alt.TopLevelMixin):
        return [_chart_item(obj.to_dict())]
    if isinstance(obj, w.Widget):
        spec = getattr(obj, "spec", None)
        if isinstance(spec, dict) and spec:
            return [_chart_item(spec)]
        found: list[dict[str, Any]] = []
        for child in getattr(obj, "children", ()):
            found += _describe(child, formatter)
        return found
    data, _meta = formatter(obj)
    if "text/html" in data:
        return [
            {
                "kind": "html",
                "html": re.sub(r"<style.*?</style>", "", data["text/html"], flags=re.S),
            }
        ]
    if "text/markdown" in data:
        if SCREEN_STEP.search(data["text/markdown"]):  # e.g. "press **Add** … run this cell"
            return []
        return [{"kind": "markdown", "text": data["text/markdown"]}]
    return []


def _run_notebook(path: Path) -> dict[str, Any]:
    """Run every code cell but the solutions; collect what each shows (the child's job)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    original = shell.display_formatter.format
    where = ""

    def capture(obj: Any, *args: Any, **kwargs: Any) -> tuple[dict, dict]:
        # Described at once, inside any `pd.option_context` the cell shows it in.
        try:
            items.extend(_describe(obj, original))
        except Exception as err:  # one picture failed: say so, keep the rest
            problems.append(f"{where}: a picture failed ({type(err).__name__}: {err})")
        return {}, {}

    shell.display_formatter.format = capture
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells: dict[int, list[dict[str, Any]]] = {}
    for index, cell in enumerate(notebook.get("cells", [])):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.get("cell_type") != "code" or tags & SOLUTION_TAGS:
            continue
        items.clear()
        where = f"{path.name}, cell {index + 1}"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            result = shell.run_cell("".join(cell.get("source", "")), store_history=False)
        if not result.success:
            error = result.error_in_exec or result.error_before_exec
            problems.append(f"{where}: {type(error).__name__}: {error}")
        if items:
            cells[index] = list(items)
    return {"cells": cells, "problems": problems}


# --- the worksheet ------------------------------------------------------------------------


def lesson_header(notebook: dict[str, Any] | None) -> dict[str, Any]:
    """Title, question, objectives and time from a lesson's opening (read by `lessons.course`).

    >>> cell = {"cell_type": "markdown", "source": "# Lesson 9 — After\\n\\n**The question:** why?"
    ...         "\\n\\n**You will be able to:**\\n- read a row;\\n\\n**Time:** 45 minutes."}
    >>> h = lesson_header({"cells": [cell]})
    >>> h["title"], h["question"], h["objectives"], h["time"]
    ('Lesson 9 — After', 'why?', ['read a row'], '45 minutes.')
    """
    from lessons.course import lesson_info_from_cells, opening_markdown

    # one reader of a lesson's opening for the export index and the worksheets alike
    info = lesson_info_from_cells(opening_markdown((notebook or {}).get("cells", [])), "")
    return {
        "title": info.title,
        "question": info.question,
        "objectives": list(info.objectives),
        "time": info.time,
    }


def _answer_lines(ex: dict[str, Any]) -> int:
    kind = ex["input"]
    if kind == "essay":
        words = _essay_words(ex)
        return max(LINES["essay"], round(words * LINES_PER_ESSAY_WORD) + 3)
    if kind == "choice":
        return 2 if re.search(r"\bwhy\b|sentence|explain", ex["prompt"], re.I) else 0
    return LINES.get(kind, 2)


def _essay_words(ex: dict[str, Any]) -> int:
    """The length the prompt asks for ("about 150–200 words") or its minimum."""
    asked = re.findall(r"(\d+)\s*(?:[–-]\s*(\d+)\s*)?words", ex["prompt"])
    if asked:
        low, high = asked[0]
        return int(high or low)
    return int(ex.get("min_words", 25)) * 2


def exercise_sheet(exercise_id: str) -> dict[str, Any]:
    """One exercise as printed: prompt (HTML), choices, items to label, lines to write on.

    >>> sheet = exercise_sheet("04.5")
    >>> sheet["categories"], len(sheet["items"]), sheet["lines"]
    (['fact', 'attributed view', 'interpretation'], 5, 0)
    """
    from lessons import checks

    ex = checks.exercise(exercise_id)
    kind = ex["input"]
    return {
        "id": ex["id"],
        "title": "",
        "level": ex["level"],
        "input": kind,
        "prompt": checks.markdown_html(ex["prompt"]),
        "options": list(ex.get("options", [])),
        "items": [
            {"key": i["key"], "text": checks.markdown_html(i["text"])} for i in ex.get("items", [])
        ],
        "categories": list(ex.get("categories", [])),
        "lines": _answer_lines(ex),
        "then": [],
        "instruction": _instruction(ex),
    }


def _instruction(ex: dict[str, Any]) -> str:
    kind = ex["input"]
    return {
        "choice": "Tick one.",
        "multi": "Tick every one that applies.",
        "order": "Number them in order: 1 for the first.",
        "classify": "Tick one box in each row.",
        "date": "Write the date (day, month, year).",
        "number": "Write the number.",
        "text": "Write your answer.",
        "essay": f"Write about {_essay_words(ex)} words.",
    }.get(kind, "")


def build_worksheet(
    lesson: str, notebook: dict[str, Any] | None = None, outputs: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The worksheet of one lesson as data for the template.

    `notebook` (the lesson's JSON) gives the header and section headings and where each
    exercise sits; `outputs` (from `lesson_outputs`) the tables and charts by cell index.
    Without a notebook the exercises are listed in order under one heading.
    """
    from lessons import checks

    header = lesson_header(notebook)
    ids = checks.exercise_ids(lesson)
    blocks: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    placed: set[str] = set()
    outputs = outputs or {}
    for index, cell in enumerate((notebook or {}).get("cells", [])):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if index == 0 or tags & SOLUTION_TAGS:
            continue
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            for level, text in HEADING.findall(source):
                blocks.append({"kind": "heading", "level": len(level), "text": _inline(text)})
            continue
        if cell.get("cell_type") != "code":
            continue
        items = outputs.get(index)
        if items is None:  # not run: find the exercises in the code itself
            items = [{"kind": "exercise", "id": i, "then": []} for i in ASK_CALL.findall(source)]
        for item in items:
            if item["kind"] != "exercise":
                blocks.append(item)
                continue
            if item["id"] not in ids or item["id"] in placed:
                continue
            sheet = exercise_sheet(item["id"])
            placed.add(item["id"])
            if item["then"]:
                later.append({"id": item["id"], "items": item["then"]})
                sheet["then"] = item["then"]
            blocks.append({"kind": "exercise", "exercise": sheet})
    rest = [i for i in ids if i not in placed]
    if rest:
        blocks.append({"kind": "heading", "level": 2, "text": "More exercises"})
        blocks += [{"kind": "exercise", "exercise": exercise_sheet(i)} for i in rest]
    blocks = _tidy(blocks)
    return {
        "lesson": lesson,
        **header,
        "title": header["title"] or f"Lesson {lesson}",
        "blocks": blocks,
        "later": later,
        "exercises": [b["exercise"] for b in blocks if b["kind"] == "exercise"],
    }


def _inline(text: str) -> str:
    from lessons.checks import markdown_html

    return markdown_html(text)


def _tidy(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold "Exercise 04.2 — …" headings into their exercise; drop headings with nothing under."""
    out: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        if block["kind"] == "heading":
            plain = re.sub(r"<[^>]+>", "", block["text"])
            named = EXERCISE_HEADING.match(html.unescape(plain))
            nxt = next((b for b in blocks[i + 1 :] if b["kind"] != "heading"), None)
            same = (
                named is not None
                and nxt is not None
                and nxt["kind"] == "exercise"
                and nxt["exercise"]["id"].lstrip("0") == named.group(1).lstrip("0")
            )
            if same:
                nxt["exercise"]["title"] = html.escape(named.group(2))
                nxt["level"] = block["level"]  # it ends the section above, as a heading
                continue
        out.append(block)
    kept: list[dict[str, Any]] = []
    for i, block in enumerate(out):
        if block["kind"] == "heading":
            following = out[i + 1] if i + 1 < len(out) else None
            empty = following is None or (
                following["kind"] in ("heading", "exercise")
                and following.get("level", 9) <= block["level"]
            )
            if empty:
                continue
        kept.append(block)
    return kept


if __name__ == "__main__":  # the child process of `lesson_outputs`
    found = _run_notebook(Path(sys.argv[1]))
    sys.stdout.write(json.dumps(found) + "\n")
