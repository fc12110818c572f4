"""Worksheets and the answer key (`lessons worksheet`, `lessons answers`; lessons.handouts).

The worksheet must carry every exercise of its lesson and nothing a learner is meant to find
out (no hint, feedback, explanation, model answer or looked-up answer) and no code; the answer
key must carry all of it, with the answers the data holds computed as the self-checks compute
them; a folder with some of the lessons gets handouts of those lessons only, written only
into the output folder. PDFs are tested in tests/browser/test_handouts_pdf.py.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lessons import _grading, answer_key, checks, handouts, worksheet
from lessons.cli import main

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted({i.partition(".")[0] for i in checks.exercise_ids()})


def text_of(page: str) -> str:
    """The words a reader sees: tags and the embedded pictures gone, entities decoded."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    words = " ".join(html.unescape(page).split())
    return re.sub(r"\s+(?=[.,;:!?)’”])|(?<=[(‘“])\s+", "", words)  # "<b>title</b>." → "title."


def plain(markdown: str) -> str:
    return text_of(checks.markdown_html(markdown))


def code_lines(notebook: Path) -> list[str]:
    """Lines of the lesson's code cells long enough to be unmistakably code."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            for line in "".join(cell["source"]).splitlines():
                line = line.strip()
                if len(line) > 12 and not line.startswith("#"):
                    lines.append(line)
    return lines


def secrets_of(exercise_id: str) -> list[str]:
    """What a worksheet must not print anywhere: hints, feedback, explanation, model answer."""
    ex = checks.exercise(exercise_id)
    found = [plain(h) for h in ex.get("hints", [])]
    found += [plain(f["say"]) for f in ex.get("feedback", [])]
    found += [plain(ex[k]) for k in ("explanation", "model_answer") if ex.get(k)]
    return [s for s in found if s]


def assert_no_answer(page: str, text: str, exercise_id: str) -> None:
    """No secret anywhere; the answer itself not in the exercise's box (other exercises and
    the lesson's evidence may name the same number among others, as the lesson does)."""
    for secret in secrets_of(exercise_id):
        assert secret not in text, (exercise_id, secret[:60])
    ex = checks.exercise(exercise_id)
    if ex["input"] in ("number", "date", "text"):
        answer = checks.expected_answer(exercise_id)
        box = page[page.index(f'id="ex-{exercise_id}"') :]
        box = text_of(box[: box.index("</section>")])
        for shown in {_grading.format_answer(ex, answer), str(answer)}:
            assert not re.search(rf"(?<![\w.-]){re.escape(shown)}(?![\w-])", box), exercise_id


def notebook_of(lesson: str) -> Path:
    return next((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))


# --- the worksheet -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_sheets() -> dict[str, str]:
    """Every lesson's worksheet, built without running the cells (prompts and sections only)."""
    found = {lesson.number: lesson for lesson in handouts.find_lessons(ROOT)}
    return {n: handouts.worksheet_html(found[n], run_cells=False)[0] for n in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_worksheet_has_every_prompt_and_no_answer_or_code(quick_sheets, lesson):
    page = quick_sheets[lesson]
    text = text_of(page)
    for exercise_id in checks.exercise_ids(lesson):
        ex = checks.exercise(exercise_id)
        assert f"Exercise {exercise_id}" in text
        assert plain(ex["prompt"]) in text, exercise_id
        for option in ex.get("options", []):
            assert text_of(option) in text, (exercise_id, option)
        for item in ex.get("items", []):
            assert plain(item["text"]) in text, (exercise_id, item["key"])
        assert_no_answer(page, text, exercise_id)
    for line in code_lines(notebook_of(lesson)):
        assert line not in text, line
    assert "checks.ask" not in page and "import " not in text


def test_worksheet_follows_the_notebook_sections(quick_sheets):
    text = text_of(quick_sheets["04"])
    order = [
        text.index("2. One day, two accounts"),
        text.index("Exercise 04.1 — weigh two sources"),
        text.index("3. Sanctions"),
        text.index("Exercise 04.2"),
        text.index("5. The way back"),
        text.index("Exercise 04.6"),
    ]
    assert order == sorted(order)
    # headings with nothing of the worksheet under them are left out (here: not run, no tables)
    assert "Key points" not in text and "1. Collision course" not in text
    assert "how did Russia and Turkey go from a shot-down warplane" in text
    assert "Time: 90 minutes" in text


def test_essays_get_more_lines_than_short_answers():
    essay = worksheet.exercise_sheet("04.6")  # "about 150–200 words"
    date = worksheet.exercise_sheet("04.2")
    assert essay["lines"] >= 18 > 1 == date["lines"]


@pytest.fixture(scope="module")
def lesson_04_with_charts() -> tuple[str, list[str]]:
    lesson = next(x for x in handouts.find_lessons(ROOT, ["04"]))
    return handouts.worksheet_html(lesson)


def svg_texts(page: str) -> list[str]:
    found = []
    for data in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page):
        svg = base64.b64decode(data).decode()
        found += re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return found


def test_charts_are_drawn_as_pictures_and_predictions_come_first(lesson_04_with_charts):
    page, problems = lesson_04_with_charts
    assert problems == []
    pictures = re.findall(r'<img src="data:image/svg\+xml;base64,', page)
    assert len(pictures) == 2  # the explorer's timeline, and the gas chart 04.3 keeps back
    words = svg_texts(page)
    assert "Verbal cooperation" in words  # the explorer's legend, drawn
    assert not [w for w in words if re.search(r"click|drag", w, re.I)]  # no screen-only hints
    text = text_of(page)
    # predict, then see: the gas chart is on the last page, after every exercise
    assert text.index("After your prediction Look at these") > text.index("Exercise 04.6")
    later = svg_texts(page.split('class="later"')[1])
    assert [w for w in later if "gas imports from Russia" in w]
    assert "1. Collision course" in text  # its table makes the section worth printing
    # the evidence tables the prompts point at, in full
    assert "Russia had all the evidence needed to prove the Su-24 did not cross" in text
    for exercise_id in checks.exercise_ids("04"):
        assert_no_answer(page, text, exercise_id)
    for line in code_lines(notebook_of("04")):
        assert line not in text, line


def test_a_cell_that_fails_is_reported_not_raised(tmp_path):
    notebook = json.loads(notebook_of("04").read_text(encoding="utf-8"))
    broken = {"cell_type": "code", "metadata": {}, "outputs": [], "source": "1 / 0"}
    notebook["cells"].insert(2, {**broken, "execution_count": None})
    target = tmp_path / "04_crisis_and_reconciliation.ipynb"
    target.write_text(json.dumps(notebook), encoding="utf-8")
    found = worksheet.lesson_outputs(target)
    assert [p for p in found["problems"] if "ZeroDivisionError" in p and "cell 3" in p]
    assert any(i["kind"] == "exercise" for items in found["cells"].values() for i in items)


# --- the answer key ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_page() -> str:
    return handouts.answer_key_html(handouts.find_lessons(ROOT))


def test_the_key_has_every_answer_hint_feedback_and_model_answer(key_page):
    text = text_of(key_page)
    for exercise_id in checks.exercise_ids():
        ex = checks.exercise(exercise_id)
        assert f"Exercise {exercise_id}" in text
        for hint in ex["hints"]:
            assert plain(hint) in text, exercise_id
        for entry in ex.get("feedback", []):
            assert plain(entry["say"]) in text, exercise_id
        if ex["input"] == "essay":
            assert plain(ex["model_answer"]) in text, exercise_id
            for line in ex.get("checklist", []):
                assert plain(line) in text, exercise_id
            continue
        assert plain(ex["explanation"]) in text, exercise_id
        answer = checks.expected_answer(exercise_id)
        if ex["input"] in ("multi", "order"):
            for option in answer:
                assert text_of(option) in text, exercise_id
        elif ex["input"] == "classify":
            start = key_page.index(f'id="key-{exercise_id}"')
            box = key_page[start : key_page.index("</section>", start)]
            labels = [text_of(x) for x in re.findall(r'<td class="right">(.*?)</td>', box)]
            in_order = [answer[item["key"]] for item in ex["items"]]  # as numbered on paper
            assert labels == [text_of(c) for c in in_order], exercise_id
        else:
            assert _grading.format_answer(ex, answer) in text, exercise_id


def test_computed_answers_are_the_self_checks_answers(key_page):
    computed = [i for i in checks.exercise_ids() if "answer_from" in checks.exercise(i)]
    assert len(computed) >= 10
    for exercise_id in computed:
        key = answer_key.exercise_key(exercise_id)
        assert key["raw_answer"] == checks.expected_answer(exercise_id)
        assert key["computed"]
        assert checks.check(exercise_id, key["raw_answer"]).correct is True, exercise_id
    # an order answer computed from the dates is printed in that order
    order = next(i for i in computed if checks.exercise(i)["input"] == "order")
    start = key_page.index(f'id="key-{order}"')
    shown = key_page[key_page.index('<div class="answer">', start) :]
    shown = shown[: shown.index("</div>")]
    assert [text_of(li) for li in re.findall(r"<li>(.*?)</li>", shown)] == [
        text_of(o) for o in checks.expected_answer(order)
    ]


def test_the_key_has_each_guides_rubric_discussion_and_exit_ticket(key_page):
    for guide in sorted((ROOT / "docs" / "lessons").glob("[0-9][0-9]_*.md")):
        parts = answer_key.guide_sections(guide.read_text(encoding="utf-8"))
        for name, part in parts.items():
            assert answer_key.plain(part), f"{guide.name} has no {name} section"
            assert part in key_page
    assert "No teacher's guide" not in key_page and "Not in the teacher's guide" not in key_page


def test_guide_sections_are_found_by_heading():
    guide = (
        "# Lesson\n## Exercises and answers\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        "### Rubric for 1.5\n- one\n## Discussion prompts\n1. Why?\n## Exit ticket (3 minutes)\n"
        "Say one thing.\n\n[Back to the instructor guide](../instructor.md)\n"
    )
    parts = answer_key.guide_sections(guide)
    assert parts["rubric"] == "<h3>Rubric for 1.5</h3>\n<ul>\n<li>one</li>\n</ul>\n"
    assert answer_key.plain(parts["discussion"]) == "Why?"
    assert parts["exit_ticket"] == "<p>Say one thing.</p>\n"
    assert "<script>" not in answer_key.render_markdown("<script>alert(1)</script>")


# --- the command, in a folder with some of the lessons ---------------------------------------


@pytest.fixture
def two_lessons(tmp_path, monkeypatch) -> Path:
    """A teacher's folder with lessons 01 and 04 only (notebooks and guides), as the cwd."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "docs" / "lessons").mkdir(parents=True)
    for lesson in ("01", "04"):
        shutil.copy(notebook_of(lesson), tmp_path / "notebooks")
        shutil.copy(next((ROOT / "docs" / "lessons").glob(f"{lesson}_*.md")), tmp_path / GUIDES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LESSONS_CHROMIUM", str(tmp_path / "no-chromium-here"))
    return tmp_path


GUIDES = Path("docs") / "lessons"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_subset_folder_gets_handouts_of_its_lessons_only(two_lessons):
    before = snapshot(two_lessons)
    runner = CliRunner()
    made = runner.invoke(main, ["worksheet"])
    assert made.exit_code == 0, made.output
    assert "wrote HTML only" in made.output  # no Chromium: HTML, one line, exit 0
    keyed = runner.invoke(main, ["answers", "--no-pdf"])
    assert keyed.exit_code == 0, keyed.output
    after = snapshot(two_lessons)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else touched
    assert sorted(set(after) - set(before)) == [
        "handouts/answer_key.html",
        "handouts/worksheet_01_reading_the_report.html",
        "handouts/worksheet_04_crisis_and_reconciliation.html",
    ]
    key = (two_lessons / "handouts" / "answer_key.html").read_text(encoding="utf-8")
    assert 'id="key-01.1"' in key and 'id="key-04.6"' in key
    assert not re.search(r'id="key-(?!01|04)\d\d\.', key)
    assert key.count('class="lesson"') == 2  # each lesson starts on a new page


def test_chosen_lessons_and_clear_errors(two_lessons):
    runner = CliRunner()
    made = runner.invoke(main, ["answers", "--lesson", "4", "--no-pdf", "out"])
    assert made.exit_code == 0, made.output
    key = (two_lessons / "out" / "answer_key.html").read_text(encoding="utf-8")
    assert 'id="key-04.1"' in key and 'id="key-01.1"' not in key
    missing = runner.invoke(main, ["worksheet", "--lesson", "07", "--no-pdf"])
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines()[-1].startswith("Error: no lesson 07 in ")
    assert "Traceback" not in missing.output
    assert not (two_lessons / "handouts").exists()
    odd = runner.invoke(main, ["answers", "--lesson", "four", "--no-pdf"])
    assert odd.exit_code == 1 and "'four' is not a lesson number" in odd.output


def test_an_empty_folder_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["answers", "--no-pdf"])
    assert result.exit_code == 1
    assert "no lessons found in" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_lesson_without_a_guide_says_so(two_lessons):
    shutil.rmtree(two_lessons / "docs")
    page = handouts.answer_key_html(handouts.find_lessons(two_lessons, ["01"]))
    assert "No teacher's guide for lesson 01 in this folder" in text_of(page)
    assert "Exercise 01.1" in text_of(page)


def test_classify_rows_are_numbered_alike_on_the_sheet_and_in_the_key():
    """Feedback names a statement by its number: the worksheet's, the key's table's."""
    sheet = worksheet.exercise_sheet("00.1")
    key = answer_key.exercise_key("00.1")
    on_sheet = [text_of(item["text"]) for item in sheet["items"]]
    in_key = [text_of(text) for text, _label in key["answer_rows"]]
    assert on_sheet == in_key
    for entry in key["feedback"]:
        number, _, rest = entry["when"].partition(". “")
        assert on_sheet[int(number) - 1].startswith(rest.split("…")[0][:25]), entry["when"]
