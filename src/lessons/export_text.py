"""The lesson text as a static page tells it: no "press Shift+Enter" where nothing runs.

Why at export time: the notebooks speak to a learner in JupyterLab ("run each cell with
Shift+Enter", "run the cell again"), and they must keep doing so. On an exported page
nothing runs, so each markdown cell is rewritten there, sentence by sentence:

- how-to-run instructions (Shift+Enter, Run All Cells, restarting, "run the first code
  cell") are dropped;
- invitations to change a line and run it again keep their content (what the change would
  show) but say where they work: they start with "*In JupyterLab:*".

Tables, code blocks and headings are left alone; the notebooks themselves are never touched.

>>> static_markdown("**How to work:** run each cell with **Shift+Enter**. Answer in the boxes.")
'Answer in the boxes.'
>>> static_markdown("### Gas\\nCheck it. (If the box is missing, run the first code cell.)")
'### Gas\\nCheck it.'
>>> static_markdown("Change `m3` to `TJ` and run the cell again: the table starts in 2008.")
'*In JupyterLab:* Change `m3` to `TJ` and run the cell again: the table starts in 2008.'
>>> static_markdown("A phase is a run of years. Change the phases and the story changes.")
'A phase is a run of years. Change the phases and the story changes.'
"""

from __future__ import annotations

import re

import nbformat

IN_LAB = "*In JupyterLab:* "
# An invitation to try something in a cell and run it: kept, and said to work in JupyterLab.
_TRY = re.compile(
    r"^\W*(?:change|try)\b.*\b(?:cell|run|line|quotes)\b|\brun (?:it|the cell|this cell) again\b"
    r"|\brun `",
    re.IGNORECASE,
)
# How to run cells in JupyterLab: meaningless on a page where nothing runs.
_HOW_TO_RUN = re.compile(
    r"shift\+enter|run all cells|\brestart|\brun it now\b|"
    r"\brun (?:all|the|each|this|every) (?:first )?(?:code )?cells?\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\)?\s+(?=[*_(\"“]*[A-Z(])")
_LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")


def _sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping a closing bracket with its sentence."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + (1 if text[match.start()] == ")" else 0)
        pieces.append(text[start:end].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def static_sentence(sentence: str) -> str | None:
    """The sentence for a static page: itself, reworded to say "In JupyterLab", or None."""
    if _TRY.search(sentence):
        return IN_LAB + sentence
    if _HOW_TO_RUN.search(sentence):
        return None
    return sentence


def _static_prose(text: str) -> str:
    sentences = _sentences(" ".join(text.split()))
    kept = [s for s in (static_sentence(s) for s in sentences) if s]
    if kept == sentences:
        return text
    return " ".join(kept)


def _plain_block(block: str) -> bool:
    first = block.lstrip()
    return not (first.startswith(("#", "|", "```", "~~~", "<", ">")) or first.startswith("    "))


def static_markdown(source: str) -> str:
    """One markdown cell for a static page (blocks without a run instruction are unchanged)."""
    blocks = re.split(r"(\n\s*\n)", source)
    out = []
    for block in blocks:
        heading = re.match(r"(?:#{1,6} [^\n]*\n)+", block)  # a heading with text right under
        if heading and block[heading.end() :].strip():
            out.append(heading.group(0))
            block = block[heading.end() :]
        if not block.strip() or not _plain_block(block):
            out.append(block)
            continue
        lines = block.split("\n")
        if any(_LIST_ITEM.match(line) for line in lines):
            new_lines = []
            for line in lines:
                item = _LIST_ITEM.match(line)
                if item:
                    text = _static_prose(item.group(2))
                    if text:
                        new_lines.append(item.group(1) + text)
                else:
                    new_lines.append(line)
            out.append("\n".join(new_lines))
        else:
            out.append(_static_prose(block))
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip("\n")


def make_text_static(notebook: nbformat.NotebookNode) -> int:
    """Rewrite every markdown cell for a static page; return how many cells changed."""
    changed = 0
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        new = static_markdown(cell.source)
        if new != cell.source.strip("\n"):
            cell.source = new
            changed += 1
    return changed
