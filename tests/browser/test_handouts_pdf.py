"""Worksheet and answer-key PDFs, printed by headless Chromium (lessons.handouts).

Skipped, with the reason, where Chromium or Playwright is missing, unless
LESSONS_REQUIRE_BROWSER is set (conftest.py); `LESSONS_CHROMIUM` names another Chromium for
both the tests and the handouts.
"""

from __future__ import annotations

from pathlib import Path

from browser_helpers import CHROMIUM, ROOT

from lessons import handouts


def read_pdf(path: Path) -> tuple[bytes, int]:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), path
    assert data.rstrip().endswith(b"%%EOF"), path
    return data, handouts.pdf_pages(path)


def test_the_chromium_the_handouts_use_is_the_tests_one():
    assert handouts.find_chromium() == CHROMIUM


def test_worksheet_pdf_with_its_charts(tmp_path):
    said: list[str] = []
    written = handouts.write_worksheets(ROOT, tmp_path, ["04"], progress=said.append)
    pdfs = [w for w in written if w.path.suffix == ".pdf"]
    assert [p.path.name for p in pdfs] == ["worksheet_04_crisis_and_reconciliation.pdf"]
    data, pages = read_pdf(pdfs[0].path)
    assert pdfs[0].pages == pages
    # six exercises, four evidence tables, two charts, room to write: a few pages, not dozens
    assert 4 <= pages <= 16, pages
    bare = handouts.write_worksheets(ROOT, tmp_path / "bare", ["04"], run_cells=False)
    bare_data, bare_pages = read_pdf(bare[-1].path)
    # without running the cells: no charts or tables, so fewer pages and far fewer bytes
    assert bare_pages < pages and len(bare_data) + 30_000 < len(data)
    assert any(line.endswith(f"{pages} pages, {len(data) / 1000:.0f} kB") for line in said)


def test_answer_key_pdf_starts_each_lesson_on_a_new_page(tmp_path):
    one = handouts.write_answer_key(ROOT, tmp_path / "one", ["04"], paper="letter")
    two = handouts.write_answer_key(ROOT, tmp_path / "two", ["04", "08"], paper="letter")
    _, pages_one = read_pdf(one[-1].path)
    _, pages_two = read_pdf(two[-1].path)
    assert 3 <= pages_one <= 20, pages_one
    assert pages_two >= pages_one + 3, (pages_one, pages_two)  # lesson 08 has 7 exercises


def test_chromium_alone_prints_too(tmp_path):
    """Without Playwright (a learner's install), Chromium's own --print-to-pdf is used."""
    page = tmp_path / "answer_key.html"
    page.write_text(handouts.answer_key_html(handouts.find_lessons(ROOT, ["01"])), "utf-8")
    target = tmp_path / "answer_key.pdf"
    handouts._print_with_cli(page, target, CHROMIUM)
    _, pages = read_pdf(target)
    assert 3 <= pages <= 20, pages
