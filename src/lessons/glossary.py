"""Look a word up while reading a lesson: `lessons.glossary("HTS")`, `lessons.who("Erdogan")`.

Why a module of its own: a learner meets an acronym in the middle of a lesson and needs its
meaning there and then, in one short call, without leaving the notebook. Both look-ups read
the bundled tables (`data/glossary.csv`, `data/actors.csv`), find a name whatever its case or
accents ("botas" finds BOTAŞ, "erdogan" finds Erdoğan, "Hifter" finds Haftar) and answer
with a small card that Jupyter shows as HTML and a terminal shows as plain text. An unknown
name is never an error: the answer says so and offers the closest names instead.

>>> glossary("hayat tahrir al-sham").term
'HTS'
>>> who("hifter").name
'Khalifa Haftar'
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

import pandas as pd

from lessons.data import load_actors, load_glossary

LESSONS = {
    "00": "Start here",
    "01": "Reading the 3 March 2020 report",
    "02": "The long view, 1992–2026",
    "03": "Foundations, 1992–2014",
    "04": "Crisis and reconciliation, 2015–2016",
    "05": "Syria and Idlib",
    "06": "Arms and energy",
    "07": "Libya and the sea",
    "08": "Measuring a relationship",
    "09": "After 2020",
    "10": "Capstone",
}
KINDS = {
    "actor": "Actors and groups",
    "place": "Places",
    "agreement": "Agreements and institutions",
    "military": "Military terms and operations",
    "energy": "Energy",
    "event-data": "Event data and measurement",
    "source": "Sources and evidence",
    "idea": "Ideas for analysis",
}
TYPES = {
    "person": "People",
    "state": "States",
    "armed group": "Armed groups",
    "organisation": "Organisations",
    "company": "Companies",
}
MAX_EVENTS_SHOWN = 8

_STYLE = (
    "<style>"
    ".lg-card,.lg-page{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
    "font-size:16px;line-height:1.5;color:#1f2328;background:#fff;max-width:46em}"
    ".lg-page{padding:0.5em 1em}"
    ".lg-card{border:1px solid #d0d7de;border-left:6px solid #0969da;border-radius:6px;"
    "padding:0.7em 1em;margin:0.4em 0;background:#fff}"
    ".lg-card h3,.lg-page h2,.lg-page h3{margin:0.2em 0;font-size:1.15em}"
    ".lg-page h2{font-size:1.35em}.lg-page h3{margin-top:1.2em;border-bottom:1px solid #d0d7de}"
    ".lg-kind{font-size:14px;color:#57606a;font-weight:normal}"
    ".lg-meta{font-size:14px;color:#57606a;margin:0.3em 0 0}"
    ".lg-page dt{font-weight:bold;margin-top:0.7em}.lg-page dd{margin:0.1em 0 0 1em}"
    ".lg-card code,.lg-page code{font-size:14px}"
    "</style>"
)


def fold(text: Any) -> str:
    """A name reduced for matching: no accents, no case, no punctuation, single spaces.

    >>> fold("  Boru Hatları ile Petrol Taşıma ")
    'boru hatlari ile petrol tasima'
    >>> fold("Çavuşoğlu") == fold("cavusoglu")
    True
    """
    text = str(text).replace("ı", "i").replace("İ", "I")  # Turkish dotless/dotted i
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[’'`]", "", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


class Card:
    """A look-up answer: HTML in Jupyter, plain text in a terminal or `print`.

    `found` tells whether the name was known; `term` (glossary) or `name` (who's who) holds
    the entry's own name, or None.
    """

    def __init__(self, html_text: str, text: str, *, found: bool, **fields: Any) -> None:
        self.html = html_text
        self.text = text
        self.found = found
        self.term = fields.get("term")
        self.name = fields.get("name")

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


@cache
def _glossary() -> pd.DataFrame:
    return load_glossary()


@cache
def _actors() -> pd.DataFrame:
    return load_actors()


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _names(row: pd.Series, name_col: str) -> list[str]:
    aliases = [a.strip() for a in _text(row.get("aliases")).split(";") if a.strip()]
    return [_text(row[name_col]), *aliases]


@cache
def _index(which: str) -> dict[str, int]:
    """Folded name or alias -> row position; the entry's own name wins over any alias."""
    frame, col = (_glossary(), "term") if which == "glossary" else (_actors(), "name")
    index: dict[str, int] = {}
    for pos, (_, row) in enumerate(frame.iterrows()):
        for n, name in enumerate(_names(row, col)):
            key = fold(name)
            if key and (n == 0 or key not in index):
                index[key] = pos
    for pos, (_, row) in enumerate(frame.iterrows()):  # own names override earlier aliases
        index[fold(row[col])] = pos
    return index


def _find(which: str, query: Any) -> int | None:
    return _index(which).get(fold(query))


def _closest(which: str, query: Any, n: int = 3) -> list[str]:
    """Up to `n` entry names that look like `query`: similar spelling first, then containment."""
    frame, col = (_glossary(), "term") if which == "glossary" else (_actors(), "name")
    index, key = _index(which), fold(query)
    names: list[str] = []
    for hit in difflib.get_close_matches(key, list(index), n=10, cutoff=0.75):
        names.append(str(frame.iloc[index[hit]][col]))
    if key:
        for k, pos in index.items():
            if len(key) >= 3 and (key in k.split() or (len(key) >= 4 and key in k)):
                names.append(str(frame.iloc[pos][col]))
    return list(dict.fromkeys(names))[:n]


def _lesson(code: str) -> str:
    return f"lesson {code} ({LESSONS.get(code, 'see the lesson list')})"


def _events_html(ids: str) -> str:
    items = [i for i in _text(ids).split(";") if i]
    if not items:
        return ""
    shown = ", ".join(f"<code>{html.escape(i)}</code>" for i in items[:MAX_EVENTS_SHOWN])
    more = len(items) - MAX_EVENTS_SHOWN
    if more > 0:
        shown += f" and {more} more"
    return f'<p class="lg-meta">In the record: {shown}</p>'


def _events_text(ids: str) -> str:
    items = [i for i in _text(ids).split(";") if i]
    if not items:
        return ""
    more = len(items) - MAX_EVENTS_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    return "\nIn the record: " + ", ".join(items[:MAX_EVENTS_SHOWN]) + tail


def _term_card(row: pd.Series) -> Card:
    term, kind = _text(row["term"]), _text(row["kind"])
    aliases = [a for a in _names(row, "term")[1:]]
    also = (
        f'<p class="lg-meta">Also written: {html.escape("; ".join(aliases))}</p>' if aliases else ""
    )
    url = _text(row["source_url"])
    check = (
        f'<p class="lg-meta">Check it: <a href="{html.escape(url, quote=True)}" '
        f'target="_blank" rel="noopener">{html.escape(url)}</a></p>'
        if url
        else ""
    )
    body = (
        f'<div class="lg-card"><h3>{html.escape(term)} '
        f'<span class="lg-kind">· {html.escape(KINDS.get(kind, kind))}</span></h3>'
        f"<p>{html.escape(_text(row['definition']))}</p>{also}"
        f'<p class="lg-meta">First met in {html.escape(_lesson(_text(row["first_lesson"])))}</p>'
        f"{_events_html(row['event_ids'])}{check}</div>"
    )
    text = (
        f"{term} ({KINDS.get(kind, kind)})\n{_text(row['definition'])}"
        + (f"\nAlso written: {'; '.join(aliases)}" if aliases else "")
        + f"\nFirst met in {_lesson(_text(row['first_lesson']))}"
        + _events_text(row["event_ids"])
        + (f"\nCheck it: {url}" if url else "")
    )
    return Card(_STYLE + body, text, found=True, term=term)


def _actor_card(row: pd.Series) -> Card:
    name = _text(row["name"])
    kind = f"{_text(row['type'])} · {_text(row['country'])}"
    aliases = _names(row, "name")[1:]
    also = (
        f'<p class="lg-meta">Also written: {html.escape("; ".join(aliases))}</p>' if aliases else ""
    )
    body = (
        f'<div class="lg-card"><h3>{html.escape(name)} '
        f'<span class="lg-kind">· {html.escape(kind)}</span></h3>'
        f"<p><b>Role:</b> {html.escape(_text(row['role']))}</p>"
        f"<p><b>Stated position:</b> {html.escape(_text(row['stance']))}</p>{also}"
        f"{_events_html(row['event_ids'])}</div>"
    )
    text = (
        f"{name} ({kind})\nRole: {_text(row['role'])}\nStated position: {_text(row['stance'])}"
        + (f"\nAlso written: {'; '.join(aliases)}" if aliases else "")
        + _events_text(row["event_ids"])
    )
    return Card(_STYLE + body, text, found=True, name=name)


def _not_found(which: str, query: Any) -> Card:
    shown = str(query)
    suggestions = _closest(which, query)
    other = "who" if which == "glossary" else "glossary"
    elsewhere = _find(other, query)
    if which == "glossary":
        line = f"No glossary entry for {shown!r}."
    else:
        line = f"No one called {shown!r} in the who's who."
    if suggestions:
        line += " Did you mean: " + ", ".join(suggestions) + "?"
    if elsewhere is not None:
        line += f" Try lessons.{other}({shown!r}): it is listed there."
    if not suggestions and elsewhere is None:
        line += f" Call lessons.{which}() with no name to see the whole list."
    body = (
        f'<div class="lg-card" style="border-left-color:#9a6700"><p>{html.escape(line)}</p></div>'
    )
    return Card(_STYLE + body, line, found=False)


def _grouped(
    frame: pd.DataFrame,
    column: str,
    headings: dict[str, str],
    entry: Callable[[pd.Series], tuple[str, str, str]],
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Rows under their heading (in the order of `headings`), each group A to Z by its name."""
    return [
        (
            heading,
            sorted(
                (entry(row) for _, row in frame[frame[column] == key].iterrows()),
                key=lambda e: _sort_key(e[0]),
            ),
        )
        for key, heading in headings.items()
    ]


def _page(title: str, intro: str, groups: list[tuple[str, list[tuple[str, str, str]]]]) -> Card:
    """A whole list as one self-contained page: a heading per group, entries A to Z."""
    parts = [f'<div class="lg-page"><h2>{html.escape(title)}</h2><p>{html.escape(intro)}</p>']
    lines = [title, intro]
    for heading, entries in groups:
        if not entries:
            continue
        parts.append(f"<h3>{html.escape(heading)} ({len(entries)})</h3><dl>")
        lines.append(f"\n{heading} ({len(entries)})")
        for name, text, meta in entries:
            parts.append(
                f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}"
                f'<div class="lg-meta">{html.escape(meta)}</div></dd>'
            )
            lines.append(f"  {name}: {meta}")
        parts.append("</dl>")
    parts.append("</div>")
    return Card(_STYLE + "".join(parts), "\n".join(lines), found=True)


def _sort_key(name: str) -> str:
    return fold(name)


def glossary(term: Any = None) -> Card:
    """A term's definition as a small card, or the whole glossary with no argument.

    The term is found by its name or any alias, whatever the case or accents; an unknown
    term gives a friendly line with the closest names, never an error.

    >>> card = glossary("botas")
    >>> card.term, card.found
    ('BOTAŞ', True)
    >>> print(glossary("Idlibb"))
    No glossary entry for 'Idlibb'. Did you mean: Idlib?
    >>> "<h3>" in glossary()._repr_html_()
    True
    """
    try:
        frame = _glossary()
        if term is None:
            groups = _grouped(
                frame,
                "kind",
                KINDS,
                lambda r: (
                    _text(r["term"]),
                    _text(r["definition"]),
                    f"First met in {_lesson(_text(r['first_lesson']))}",
                ),
            )
            intro = (
                f"{len(frame)} terms, grouped by kind and listed A to Z. "
                'Look one up on its own with lessons.glossary("HTS").'
            )
            return _page("Glossary", intro, groups)
        pos = _find("glossary", term)
        if pos is None:
            return _not_found("glossary", term)
        return _term_card(frame.iloc[pos])
    except Exception as err:  # a look-up must never stop a lesson
        line = f"The glossary could not be shown ({type(err).__name__}: {err})."
        return Card(f"<p>{html.escape(line)}</p>", line, found=False)


def who(name: Any = None) -> Card:
    """Who someone (or a state, group, organisation or company) is: role and stated position.

    With no argument: the whole who's who, grouped by type. Found by name or alias, whatever
    the case or accents; an unknown name gives the closest names, never an error.

    >>> who("erdogan").name
    'Recep Tayyip Erdoğan'
    >>> who("Cavusoglu").found
    True
    >>> print(who("Putinn"))
    No one called 'Putinn' in the who's who. Did you mean: Vladimir Putin?
    """
    try:
        frame = _actors()
        if name is None:
            groups = _grouped(
                frame,
                "type",
                TYPES,
                lambda r: (_text(r["name"]), _text(r["role"]), _text(r["country"])),
            )
            intro = (
                f"{len(frame)} entries, grouped by type and listed A to Z. "
                'Look one up on its own with lessons.who("Erdogan").'
            )
            return _page("Who's who", intro, groups)
        pos = _find("who", name)
        if pos is None:
            return _not_found("who", name)
        return _actor_card(frame.iloc[pos])
    except Exception as err:  # a look-up must never stop a lesson
        line = f"The who's who could not be shown ({type(err).__name__}: {err})."
        return Card(f"<p>{html.escape(line)}</p>", line, found=False)
