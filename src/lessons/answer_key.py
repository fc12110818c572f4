"""The printable answer key: every answer, hint, targeted feedback and model answer of a lesson.

Why: a teacher marking on paper, or preparing a class, needs in one place what the widgets
reveal one step at a time. Everything comes from the exercise files (`exercises/NN.json`);
answers that live in the data (`answer_from`) are computed by `checks.expected_answer`, never
typed here, so a teacher's extended record gives a key that matches the self-checks. The
guide's discussion prompts, rubric and exit ticket come from `docs/lessons/NN_*.md`
(`guide_sections`), so the key and the guide never disagree.

>>> key = exercise_key("04.2")
>>> key["answer"]
'3 December 2015 (2015-12-03)'
>>> key["computed"], [f["when"] for f in key["feedback"]][:2]
(True, ['2016-06-27', '2015-11-24'])
>>> guide = "## Rubric for 04.6\\n| | 1 |\\n|---|---|\\n| a | b |\\n## Exit ticket\\nOne line."
>>> parts = guide_sections(guide)
>>> parts["exit_ticket"], parts["rubric"][:32], parts["discussion"]
('<p>One line.</p>\\n', '<h3>Rubric for 04.6</h3>\\n<table>', '')
"""

from __future__ import annotations

import html
import re
from typing import Any

# Which guide headings feed which part of the key (matched without case, anywhere in the title).
GUIDE_PARTS = {
    "discussion": re.compile(r"^discussion", re.I),
    "rubric": re.compile(r"\brubric\b", re.I),
    "exit_ticket": re.compile(r"^exit ticket", re.I),
}
LETTERS = "abcdefghijklmnopqrstuvwxyz"  # how a choice is named on paper, as in the widget
_SECTION = re.compile(r"^(#{2,3})\s+(.+?)\s*$", re.M)


def render_markdown(text: str) -> str:
    """Markdown (with tables) as HTML; raw HTML in the source is escaped, never passed on.

    >>> render_markdown("**Bold** and a [link](../x.md)")
    '<p><strong>Bold</strong> and a link</p>\\n'
    """
    import mistune

    markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    out = str(markdown(text))
    return re.sub(r"<a [^>]*>(.*?)</a>", r"\1", out, flags=re.S)  # links lead nowhere on paper


def guide_sections(text: str) -> dict[str, str]:
    """The discussion prompts, rubric(s) and exit ticket of a guide, each as HTML ('' if absent).

    A part is every `##`/`###` section whose title matches (a rubric section keeps its title,
    since a lesson may have one per essay); it runs to the next heading of the same or a
    higher level.
    """
    heads = list(_SECTION.finditer(text))
    found: dict[str, list[str]] = {part: [] for part in GUIDE_PARTS}
    for i, head in enumerate(heads):
        level = len(head.group(1))
        end = next((h.start() for h in heads[i + 1 :] if len(h.group(1)) <= level), len(text))
        body = text[head.end() : end].strip()
        body = re.sub(r"\n\[Back to the instructor guide\]\([^)]*\)\s*$", "", body).strip()
        title = head.group(2)
        for part, pattern in GUIDE_PARTS.items():
            if pattern.search(title):
                shown = f"### {title}\n\n{body}" if part == "rubric" else body
                found[part].append(render_markdown(shown))
    return {part: "".join(chunks) for part, chunks in found.items()}


def _when(value: Any) -> str:
    if isinstance(value, list):
        return " / ".join(str(v) for v in value)
    return str(value)


def _feedback(ex: dict[str, Any]) -> list[dict[str, str]]:
    """Each targeted message with the wrong answer that triggers it, in words."""
    from lessons._grading import short
    from lessons.checks import markdown_html

    keys = [item["key"] for item in ex.get("items", [])]
    texts = {item["key"]: item.get("text", item["key"]) for item in ex.get("items", [])}
    out = []
    for entry in ex.get("feedback", []):
        if "when_item" in entry:
            item = entry["when_item"]
            number = f"{keys.index(item) + 1}. " if item in keys else ""
            shown = short(texts.get(item, item), 60).replace("“", "").replace("”", "")
            when = f"{number}“{shown}” labelled {entry.get('is', '?')}"
        elif "when_includes" in entry:
            verb = "put in the wrong place" if ex["input"] == "order" else "included"
            when = f"“{entry['when_includes']}” {verb}"
        else:
            when = _when(entry.get("when"))
            options = ex.get("options") or []
            if ex["input"] == "choice" and entry.get("when") in options:
                when = f"({LETTERS[options.index(entry['when'])]}) {when}"
        out.append({"when": when, "say": markdown_html(entry["say"])})
    return out


def _answer(ex: dict[str, Any], answer: Any) -> tuple[str, list[str], list[tuple[str, str]]]:
    """(the answer in one line, the answer as a list, the answer as item → category rows)."""
    from lessons import _grading

    kind = ex["input"]
    if kind == "classify":
        texts = {item["key"]: item.get("text", item["key"]) for item in ex.get("items", [])}
        keys = [k for k in texts if k in answer] + [k for k in answer if k not in texts]
        rows = [(texts.get(k, k), str(answer[k])) for k in keys]  # numbered as on the worksheet
        return "", [], rows
    if kind == "order":
        return "", [str(a) for a in answer], []
    if kind == "multi":
        return "", [str(a) for a in answer], []
    if kind == "choice" and ex.get("options") and answer in ex["options"]:
        letter = LETTERS[ex["options"].index(answer)]
        return f"({letter}) {answer}", [], []
    return _grading.format_answer(ex, answer), [], []


def exercise_key(exercise_id: str) -> dict[str, Any]:
    """Everything a teacher needs about one exercise, ready for the template."""
    from lessons import checks

    ex = checks.exercise(exercise_id)
    essay = ex["input"] == "essay"
    answer = None if essay else checks.expected_answer(exercise_id)
    line, listed, rows = ("", [], []) if essay else _answer(ex, answer)
    tolerance = ex.get("tolerance")
    if tolerance and line:
        line = f"{line} (± {tolerance:g} counts as right)"
    return {
        "id": ex["id"],
        "level": ex["level"],
        "input": ex["input"],
        "prompt": checks.markdown_html(ex["prompt"]),
        "options": list(ex.get("options", [])),
        "answer": line,
        "answer_list": listed,
        "ordered": ex["input"] == "order",
        "answer_rows": rows,
        "raw_answer": answer,
        "computed": "answer_from" in ex,
        "accept": [str(a) for a in ex.get("accept", [])],
        "hints": [checks.markdown_html(h) for h in ex.get("hints", [])],
        "feedback": _feedback(ex),
        "explanation": checks.markdown_html(ex.get("explanation", "")),
        "model_answer": checks.markdown_html(ex.get("model_answer", "")),
        "min_words": ex.get("min_words", 25) if essay else None,
        "checklist": [checks.markdown_html(c) for c in ex.get("checklist", [])],
    }


def build_answer_key(lesson: str, guide_text: str | None = None) -> dict[str, Any]:
    """One lesson's part of the key: its exercises and the guide's parts (None: no guide)."""
    from lessons import checks

    parts = guide_sections(guide_text) if guide_text else dict.fromkeys(GUIDE_PARTS, "")
    return {
        "lesson": lesson,
        "exercises": [exercise_key(i) for i in checks.exercise_ids(lesson)],
        "has_guide": guide_text is not None,
        **parts,
    }


def plain(html_text: str) -> str:
    """Text of a small HTML fragment (for tests and one-line summaries).

    >>> plain("<p>A <strong>bold</strong> &amp; fair</p>")
    'A bold & fair'
    """
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()
