"""Recompute the `first_lesson` column of data/glossary.csv from the lessons as they are now.

Run from the project folder after editing a lesson: `python tools/glossary_first_lessons.py`
(add `--check` to only report what would change, exiting 1 if anything would).

A term's first lesson is the earliest lesson (notebooks/NN_*.ipynb, by number) whose markdown
cells mention the term or one of its aliases as a whole word, ignoring case and accents.
One exception keeps short acronyms honest: a name written entirely in capitals with at most
four letters (IS, HoR is not one, MOU is) must match its capitals exactly, so the alias "IS"
(Islamic State) does not match the English word "is". A term no lesson mentions keeps the
value it has. Only that column is rewritten; the other columns and the row order are kept
byte for byte, and tools/refresh_checksums.py then records the file's new checksum.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "data" / "glossary.csv"
NOTEBOOKS = ROOT / "notebooks"


def plain(text: str) -> str:
    """Text without accents (Turkish dotless ı and İ included), dashes made plain hyphens."""
    text = text.replace("ı", "i").replace("İ", "I")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[‐‑‒–—]", "-", text).replace("’", "'")


def pattern(name: str) -> re.Pattern[str] | None:
    name = plain(name).strip()
    if not name:
        return None
    body = r"\s+".join(re.escape(part) for part in name.split())
    acronym = re.fullmatch(r"[A-Z]{1,4}", name) is not None
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if acronym else re.IGNORECASE)


def lesson_texts() -> list[tuple[str, str]]:
    """(lesson number, all its markdown) for every lesson, in lesson order."""
    lessons = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        lessons.append((path.name[:2], plain(text)))
    return lessons


def first_lesson(names: list[str], lessons: list[tuple[str, str]]) -> str | None:
    patterns = [p for p in map(pattern, names) if p is not None]
    for code, text in lessons:
        if any(p.search(text) for p in patterns):
            return code
    return None


def main(argv: list[str]) -> int:
    check = "--check" in argv
    raw = GLOSSARY.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(raw)))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    lessons = lesson_texts()
    changes = []
    for row in body:
        names = [row[col["term"]], *row[col["aliases"]].split(";")]
        found = first_lesson(names, lessons)
        if found is not None and found != row[col["first_lesson"]]:
            changes.append((row[col["term"]], row[col["first_lesson"]], found))
            row[col["first_lesson"]] = found
    for term, old, new in changes:
        print(f"{term}: {old} -> {new}")
    unmentioned = [
        r[col["term"]]
        for r in body
        if first_lesson([r[col["term"]], *r[col["aliases"]].split(";")], lessons) is None
    ]
    if unmentioned:
        print("not mentioned in any lesson (first_lesson kept):", "; ".join(unmentioned))
    print(f"{len(changes)} of {len(body)} terms changed")
    if check:
        return 1 if changes else 0
    if changes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        GLOSSARY.write_text(out.getvalue(), encoding="utf-8")
        subprocess.run([sys.executable, str(ROOT / "tools" / "refresh_checksums.py")], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
