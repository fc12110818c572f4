"""The glossary and the who's who: complete, linked to the record, and easy to look things up in."""

from __future__ import annotations

import doctest
import re
import sys
from pathlib import Path

import pytest

import lessons
from lessons import data
from lessons.errors import DataError

GLOSSARY = lessons.load_glossary()
ACTORS = lessons.load_actors()
EVENT_IDS = set(lessons.load_events()["event_id"])

# `lessons.glossary` is the look-up function; the module behind it is reached this way.
GLOSSARY_MODULE = sys.modules["lessons.glossary"]

REQUIRED_TERMS = {
    "HTS", "SNA", "FSA", "YPG", "SDF", "PKK", "PYD", "GNA", "LNA", "Wagner Group", "BOTAŞ",
    "Gazprom", "Rosatom", "Idlib", "M4 highway", "M5 highway", "Hmeimim", "Tartus",
    "Turkish Straits", "Astana process", "Sochi memorandum 2018", "Sochi memorandum 2019",
    "Moscow additional protocol 2020", "Montreux Convention", "Black Sea Grain Initiative",
    "S-400", "CAATSA", "F-35 programme", "TurkStream", "Blue Stream", "Akkuyu", "NATO Article 4",
    "NATO Article 5", "CAMEO", "Goldstein scale", "QuadClass", "dyad", "machine coding", "ICEWS",
    "POLECAT", "PLOVER", "GDELT", "primary source", "secondary source", "state media",
    "corroboration", "hedging", "balancing", "compartmentalisation", "interdependence",
    "alliance obligations", "buffer zone", "de-escalation zone", "observation post", "proxy",
    "ceasefire", "memorandum of understanding", "exclusive economic zone", "Nagorno-Karabakh",
    "High-Level Cooperation Council", "shuttle trade", "bcm", "Operation Spring Shield",
    "Operation Peace Spring", "Operation Olive Branch", "Operation Euphrates Shield",
    "Su-24 shoot-down", "2016 coup attempt", "Öcalan",
}  # fmt: skip


def _ids(cell) -> list[str]:
    return [i for i in str(cell).split(";") if i] if isinstance(cell, str) else []


def test_at_least_70_unique_terms_with_the_required_ones() -> None:
    assert len(GLOSSARY) >= 70
    assert GLOSSARY["term"].is_unique
    folded = GLOSSARY["term"].map(GLOSSARY_MODULE.fold)
    assert folded.is_unique, GLOSSARY["term"][folded.duplicated()].tolist()
    assert set(GLOSSARY["term"]) >= REQUIRED_TERMS, REQUIRED_TERMS - set(GLOSSARY["term"])


def test_no_alias_points_to_two_entries() -> None:
    for frame, col in ((GLOSSARY, "term"), (ACTORS, "name")):
        owner: dict[str, str] = {}
        for _, row in frame.iterrows():
            names = {row[col], *(_ids(row["aliases"]))}
            for name in {GLOSSARY_MODULE.fold(n) for n in names}:
                assert owner.setdefault(name, row[col]) == row[col], (name, owner[name], row[col])


@pytest.mark.parametrize("frame", [GLOSSARY, ACTORS], ids=["glossary", "actors"])
def test_every_event_id_exists_in_the_record(frame) -> None:
    unknown = {i for cell in frame["event_ids"] for i in _ids(cell)} - EVENT_IDS
    assert not unknown


def test_definitions_are_short_and_lessons_are_real() -> None:
    assert GLOSSARY["definition"].str.len().le(400).all()
    assert set(GLOSSARY["first_lesson"]) <= set(GLOSSARY_MODULE.LESSONS)
    assert set(GLOSSARY["kind"]) == set(GLOSSARY_MODULE.KINDS)
    assert GLOSSARY["source_url"].str.match(r"^https?://").all()


def test_whos_who_has_40_entries_of_every_type() -> None:
    assert len(ACTORS) >= 40
    assert ACTORS["actor_id"].is_unique
    assert set(ACTORS["type"]) == set(GLOSSARY_MODULE.TYPES)
    names = " ".join(ACTORS["name"])
    for person in ("Putin", "Erdoğan", "Assad", "Haftar", "Sarraj", "Lavrov", "Çavuşoğlu", "Fidan"):
        assert person in names


def test_lookup_by_alias_without_diacritics_and_any_case() -> None:
    assert lessons.glossary("botas").term == "BOTAŞ"
    assert lessons.glossary("hayat tahrir al-sham").term == "HTS"
    assert lessons.glossary("BOSPHORUS").term == "Turkish Straits"
    assert lessons.glossary("Ocalan").term == "Öcalan"
    assert lessons.who("cavusoglu").name == "Mevlüt Çavuşoğlu"
    assert lessons.who("Hifter").name == "Khalifa Haftar"
    assert lessons.who("ibrahim kalin").name == "İbrahim Kalın"


def test_card_is_displayable_and_escaped() -> None:
    card = lessons.glossary("HTS")
    page = card._repr_html_()
    assert "Hayat Tahrir al-Sham" in page
    assert "&#x27;Organisation for the Liberation of the Levant&#x27;" in page  # escaped quotes
    assert "font-size:16px" in page
    assert repr(card).startswith("HTS (")
    whole = lessons.glossary()
    assert whole.found and whole._repr_html_().count("<dt>") == len(GLOSSARY)
    assert lessons.who()._repr_html_().count("<dt>") == len(ACTORS)


@pytest.mark.parametrize("query", ["no such thing", "", 42, None.__class__, "<script>"])
def test_unknown_term_is_friendly_never_an_error(query) -> None:
    card = lessons.glossary(query)
    assert not card.found
    assert repr(card).startswith("No glossary entry for")
    assert "<script>" not in card._repr_html_()
    assert not lessons.who(query).found


def test_unknown_term_suggests_the_closest_and_the_other_list() -> None:
    assert "Did you mean: Idlib?" in repr(lessons.glossary("Idlibb"))
    assert "lessons.who('Putin')" in repr(lessons.glossary("Putin"))


def test_a_bad_event_id_is_named_by_the_loader(tmp_path) -> None:
    copy = tmp_path / "glossary.csv"
    text = data.resource_path("glossary").read_text(encoding="utf-8")
    copy.write_text(
        text.replace("2018-09-17-sochi-idlib-memorandum", "2018-09-17-no-such-event", 1)
    )
    with pytest.raises(DataError, match="2018-09-17-no-such-event"):
        lessons.load_glossary(path=copy)


def test_doctests() -> None:
    result = doctest.testmod(GLOSSARY_MODULE, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
    for func in (data.load_glossary, data.load_actors):
        finder = doctest.DocTestFinder()
        runner = doctest.DocTestRunner()
        for test in finder.find(func, globs=vars(data)):
            assert runner.run(test).failed == 0


# --- Every term a lesson lists under "Glossary terms in this lesson" is in the glossary ---------

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
LESSON_NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def _split_outside_brackets(text: str, seps: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch in seps and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def listed_glossary_terms(markdown: str) -> list[str]:
    """The terms under a "Glossary terms…" heading, however the lesson writer laid them out.

    Terms may be separated by "·", ",", ";" or list bullets, grouped under labels such as
    "In the glossary:" or "Defined in this lesson's text:"; the sentence pointing to
    `lessons.glossary(...)` and anything after it is ignored.

    >>> listed_glossary_terms("## Glossary terms in this lesson\\nIn the glossary: HTS, SDF. "
    ...     "Explained here only: phase. Look any term up with `lessons.glossary(\\"HTS\\")`.")
    ['HTS', 'SDF', 'phase']
    >>> listed_glossary_terms("### Glossary terms\\n- dyad\\n- bcm (billion m3)\\n\\n## Next")
    ['dyad', 'bcm (billion m3)']
    """
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"#+ .*glossary terms", line, re.I))
    section = []
    for line in lines[start + 1 :]:
        if re.match(r"#+ ", line):
            break
        section.append(line)
    terms: list[str] = []
    for paragraph in re.split(r"\n\s*\n", "\n".join(section)):
        cut = paragraph.find("lessons.glossary")
        if cut >= 0:  # drop the sentence that points to the look-up, and stop there
            ends = [m.end() for m in re.finditer(r"[.!?:](\s|$)", paragraph[:cut])]
            paragraph = paragraph[: ends[-1]] if ends else ""
        for sentence in re.split(r"\.\s+", paragraph.strip()):
            items = []
            for line in sentence.splitlines():
                line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)  # list bullets
                line = re.sub(r"^\s*[^:·,;()]{0,60}:\s*", "", line)  # "In the glossary:" etc.
                items.extend(_split_outside_brackets(line, "·,;"))
            for item in items:
                item = re.sub(r"[*`]", "", item).strip().strip("_").rstrip(".").strip()
                if item:
                    terms.append(item)
        if cut >= 0:
            break
    return terms


def _found(term: str) -> bool:
    """Found as written, or without its bracketed gloss ("TJ (terajoule)" -> "TJ")."""
    forms = [term, re.sub(r"\s*\([^)]*\)", "", term)]
    return any(lessons.glossary(" ".join(f.split())).found for f in forms if f.strip())


def _lesson_glossary_cell(path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and re.search(r"^#+ .*glossary terms", c.source, re.I | re.M)
    ]
    assert len(cells) == 1, (
        f"{path.name}: expected one 'Glossary terms' section, found {len(cells)}"
    )
    return cells[0]


def test_parser_doctests() -> None:
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(
        listed_glossary_terms, globs={"listed_glossary_terms": listed_glossary_terms}
    ):
        assert runner.run(test).failed == 0


@pytest.mark.parametrize("path", LESSON_NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_term_a_lesson_lists_is_in_the_glossary(path) -> None:
    terms = listed_glossary_terms(_lesson_glossary_cell(path))
    assert len(terms) >= 5, f"{path.name}: the glossary list looks unparsed: {terms}"
    missing = [t for t in terms if not _found(t)]
    assert not missing, f"{path.name} lists terms the glossary does not know: {missing}"


def test_all_eleven_lessons_are_checked() -> None:
    assert [p.name[:2] for p in LESSON_NOTEBOOKS] == [f"{n:02d}" for n in range(11)]
