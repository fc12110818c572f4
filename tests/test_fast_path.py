"""The fast path of read_table (lessons.fastcheck) agrees with the careful cell-by-cell reader.

The fast path may decline any file (it then returns None and the careful reader runs); when it
does return a frame, that frame must be exactly the careful reader's, and the careful reader
must have accepted the file. Checked with both splitters (the csv module, used below 1 MB, and
pandas' C reader, used above) on every bundled table, on every bad-input fixture read as every
table, and on files with random bytes spliced into a valid one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import DataError, data, schema
from lessons.fastcheck import read_valid
from lessons.fastparse import PANDAS_FROM_BYTES, Unsure, _split_plain_text, split_columns
from lessons.icews import RAW_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests/fixtures/bad").glob("*.csv")) + sorted(
    (ROOT / "tests/fixtures/icews").glob("*.t*")
)
SCHEMAS = {
    res["name"]: (res["schema"], res.get("dialect", {}).get("delimiter", ","))
    for res in data.datapackage()["resources"]
    if res.get("format") in ("csv", "tsv")
}
SCHEMAS["icews_raw"] = (RAW_SCHEMA, "\t")
EVENTS_SCHEMA = SCHEMAS["events"][0]
VALID = (ROOT / "tests/fixtures/bad/valid_events.csv").read_bytes()
PARSERS = ("csv", "pandas")


def careful(path: Path, table_schema: dict, delimiter: str) -> pd.DataFrame | None:
    try:
        return schema.read_cell_by_cell(path, table_schema, delimiter=delimiter)
    except DataError:
        return None


def assert_agree(path: Path, table_schema: dict, delimiter: str) -> bool:
    """True if both splitters took the file; fails if either disagrees with the careful reader.

    Either splitter may decline a file the other takes (pandas' needs the stricter layout).
    """
    slow = careful(path, table_schema, delimiter)
    taken = []
    for parser in PARSERS:
        fast = read_valid(path, table_schema, delimiter, parser=parser)
        taken.append(fast is not None)
        if fast is None:
            continue
        assert slow is not None, (
            f"{parser} path accepted {path.name}, the careful reader rejects it"
        )
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
        assert fast.attrs == slow.attrs
    return all(taken)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_bundled_tables_take_the_fast_path(name: str) -> None:
    if name == "icews_raw":
        path = ROOT / "tests/fixtures/icews/events.2018.sample.tab"
    else:
        path = data.resource_path(name)
    assert assert_agree(path, *SCHEMAS[name]), f"{name} fell back to the careful reader"
    assert read_valid(path, *SCHEMAS[name]) is not None  # the automatic choice takes it too


def test_the_splitter_is_chosen_by_size(tmp_path: Path) -> None:
    assert split_columns(b"a,b\n1,2\n", ",") == (["a", "b"], [["1"], ["2"]])
    big = b"a,b\n" + b"1,2\n" * (PANDAS_FROM_BYTES // 4)
    header, columns = split_columns(big, ",")
    assert header == ["a", "b"] and len(columns[0]) == PANDAS_FROM_BYTES // 4
    with pytest.raises(ValueError, match="unknown parser"):
        split_columns(b"a,b\n1,2\n", ",", parser="arrow")


@pytest.mark.parametrize(
    "content",
    [
        b"a,b\n1,2\n\n3,4\n",  # a blank line: the careful reader skips it and counts lines
        b'a,b\n"1\n2",3\n',  # a line break inside a field
        b"a,b\n",  # no data rows
    ],
    ids=["blank-line", "multi-line-field", "header-only"],
)
def test_both_splitters_decline_layouts_whose_lines_are_not_records(content: bytes) -> None:
    for parser in PARSERS:
        with pytest.raises(Unsure):
            split_columns(content, ",", parser=parser)


def test_a_lone_carriage_return_ends_a_line_as_for_the_careful_reader() -> None:
    content = b"a,b\r\n1,2\r3,4\r\n"
    assert split_columns(content, ",", parser="csv") == (["a", "b"], [["1", "3"], ["2", "4"]])
    with pytest.raises(Unsure):  # pandas' reader would not split there: it is not used
        split_columns(content, ",", parser="pandas")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_agree_under_every_schema(path: Path) -> None:
    for table_schema, delimiter in SCHEMAS.values():
        assert_agree(path, table_schema, delimiter)


SPLICE = st.sampled_from(
    [
        b'"',
        b'""',
        b",",
        b";",
        b"\t",
        b" ",
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"\xef\xbb\xbf",
        b"\xa0",
        b"\xc2\xa0",
        b"\xe2\x80\xa8",
        b"\xff",
        b"\x00",
        b"NA",
        b"nan",
        b"1e400",
        b"-0",
        b"+5",
        b"05",
        b"2019-02-30",
        b"0001-01-01",
        b"true",
        b"x" * 130,
    ]
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 3), SPLICE | st.binary(max_size=4)),
        min_size=1,
        max_size=3,
    )
)
def test_spliced_files_agree(tmp_path: Path, edits: list[tuple[int, int, bytes]]) -> None:
    content = VALID
    for at, cut, insert in edits:
        at = min(at, len(content))
        content = content[:at] + insert + content[at + cut :]
    path = tmp_path / "events.csv"
    path.write_bytes(content)
    assert_agree(path, EVENTS_SCHEMA, ",")


LINE_PIECES = st.sampled_from(['"', '""', ",", "a", "b", " ", ";", "\t", "\x0b", "\u2028", "é"])


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(
    lines=st.lists(st.lists(LINE_PIECES, max_size=8).map("".join), min_size=1, max_size=4),
    ends_with_line_end=st.booleans(),
)
def test_plain_text_splits_as_the_csv_module_splits_it(
    lines: list[str], ends_with_line_end: bool
) -> None:
    """Whatever the str.split splitter takes, the csv module reads the same, one line a record."""
    text = "\n".join(lines) + ("\n" if ends_with_line_end else "")
    got = _split_plain_text(text.encode(), ",")
    if got is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = list(reader)
    header, columns = got
    assert records == [header, *map(list, zip(*columns, strict=True))]
    assert reader.line_num == len(records)
