"""The one reader (lessons.reader): line numbers, checks on distinct values, codes, typed columns.

The messages themselves are pinned by test_bad_input.py (one bad file per rule) and
test_reader_snapshot.py (every fixture read as every table); here: the reader's own contract.
Files with random bytes spliced into a valid one always give a frame or a DataError whose
problems name the file, a row of it and a known code; never another exception.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import DataError, data
from lessons.errors import CODES, Problem
from lessons.reader import MAX_SHOWN_PER_RULE, Table, read

ROOT = Path(__file__).resolve().parents[1]
EVENTS_SCHEMA = data.resource("events")["schema"]
VALID = (ROOT / "tests/fixtures/bad/valid_events.csv").read_bytes()
SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "x", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "ok", "type": "boolean"},
        {"name": "tags", "type": "string", "listDelimiter": ";"},
        {"name": "month", "type": "yearmonth"},
    ]
}


def write(tmp_path: Path, content: str | bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_records_keep_the_line_they_start_on(tmp_path: Path) -> None:
    path = write(tmp_path, 'id,n\na,1\n\n"b\nc",2\nd,3\n')
    table = read(path, SCHEMA)
    assert isinstance(table, Table)
    assert table.rows == [2, 4, 6]  # a blank line is skipped; a quoted line break spans lines
    assert table.frame["id"].tolist() == ["a", "b\nc", "d"]


def test_a_lone_carriage_return_ends_a_line(tmp_path: Path) -> None:
    table = read(write(tmp_path, b"id,n\r\n1,2\r3,4\r\n"), SCHEMA)
    assert table.frame["n"].tolist() == [2, 4]
    assert table.rows == [2, 3]


def test_header_only_names_the_first_data_row(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read(write(tmp_path, "id,n\n"), SCHEMA)
    assert (info.value.row, info.value.code) == (2, "format-error")


def test_columns_are_typed_in_schema_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tags,id,n,x,day,ok,extra\n b ; c;; ,a, 7 ,-0,2020-02-29,true, kept as is \n,b,,,,,\n",
    )
    frame = read(path, SCHEMA).frame
    assert list(frame.columns) == [f["name"] for f in SCHEMA["fields"]] + ["extra"]
    assert frame["id"].dtype == pd.Series([], dtype="str").dtype
    assert str(frame["n"].dtype) == "Int64" and frame["n"].tolist()[0] == 7
    assert pd.isna(frame.at[1, "n"])
    assert frame["x"].dtype == "float64" and frame.at[0, "x"] == 0.0
    assert str(frame["day"].dtype) == "datetime64[ns]"
    assert frame.at[0, "day"] == pd.Timestamp("2020-02-29") and pd.isna(frame.at[1, "day"])
    assert str(frame["ok"].dtype) == "boolean" and frame.at[0, "ok"]
    assert frame["tags"].tolist() == [["b", "c"], []]
    assert frame["month"].isna().all()  # optional, absent from the file
    assert frame.at[0, "extra"] == " kept as is "  # a column the schema does not know


def test_each_row_gets_its_own_list(tmp_path: Path) -> None:
    frame = read(write(tmp_path, "id,tags\na,x;y\nb,x;y\n"), SCHEMA).frame
    frame.at[0, "tags"].append("z")
    assert frame.at[1, "tags"] == ["x", "y"]


def test_a_bad_value_names_every_row_it_is_on(tmp_path: Path) -> None:
    lines = [f"r{i},{'-1' if i % 3 == 0 else i}" for i in range(200)]
    path = write(tmp_path, "id,n\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read(path, SCHEMA)
    problems = info.value.problems
    wanted = [i + 2 for i in range(200) if i % 3 == 0][:MAX_SHOWN_PER_RULE]
    assert [p.row for p in problems] == wanted
    assert {(p.column, p.value, p.code) for p in problems} == {("n", "-1", "constraint-error")}
    assert "… and 40 more problem(s)" in str(info.value)


def test_every_rule_of_every_column_is_reported_in_order(tmp_path: Path) -> None:
    path = write(tmp_path, "id,n,x,day,ok,month\n,1.5,abc,2019-02-30,yes,2020-13\n")
    with pytest.raises(DataError) as info:
        read(path, SCHEMA)
    got = [(p.column, p.code) for p in info.value.problems]
    assert got == [
        ("id", "missing-value"),
        ("n", "type-error"),
        ("x", "type-error"),
        ("day", "type-error"),
        ("ok", "type-error"),
        ("month", "type-error"),
    ]


def test_a_duplicate_key_is_a_unique_error(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read(write(tmp_path, "id,n\na,1\nb,2\na,3\n"), SCHEMA)
    assert (info.value.row, info.value.column, info.value.code) == (4, "id", "unique-error")


def test_missing_values_are_shown_empty_and_read_as_missing(tmp_path: Path) -> None:
    schema = {**SCHEMA, "missingValues": ["", "NA"]}
    frame = read(write(tmp_path, "id,n,x\na,NA, NA \n"), schema).frame
    assert pd.isna(frame.at[0, "n"]) and pd.isna(frame.at[0, "x"])
    with pytest.raises(DataError) as info:
        read(write(tmp_path, "id,n\nNA,1\n"), schema)
    assert (info.value.value, info.value.code) == ("", "missing-value")


def test_problem_codes_are_known() -> None:
    assert DataError.single("f.csv", "file not found").code == "source-error"
    with pytest.raises(ValueError, match="unknown problem code"):
        Problem("f.csv", 2, "n", "x", "not a whole number", "no-such-code")


def test_no_private_pandas_entry_points_in_the_library() -> None:
    private = re.compile(r"\._(from_arrays|simple_new|get_column_array|from_sequence|mgr)\b")
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted((ROOT / "src/lessons").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if private.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("module", ["reader.py", "data.py", "errors.py"])
def test_the_data_layer_plays_no_collector_games_and_catches_nothing_broadly(module: str) -> None:
    text = (ROOT / "src/lessons" / module).read_text(encoding="utf-8")
    assert not re.search(
        r"\bimport gc\b|\bgc\.|except Exception|except BaseException|except:", text
    )


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
def test_spliced_files_give_a_frame_or_a_coded_data_error(
    tmp_path: Path, edits: list[tuple[int, int, bytes]]
) -> None:
    content = VALID
    for at, cut, insert in edits:
        at = min(at, len(content))
        content = content[:at] + insert + content[at + cut :]
    path = write(tmp_path, content, "events.csv")
    lines = content.count(b"\n") + content.count(b"\r") + 1
    try:
        table = read(path, EVENTS_SCHEMA)
    except DataError as err:
        assert err.problems and str(path) in str(err)
        for problem in err.problems:
            assert problem.code in CODES
            assert problem.row is None or 1 <= problem.row <= lines
        return
    assert len(table.rows) == len(table.frame)
    assert table.rows == sorted(set(table.rows)) and table.rows[0] >= 2
    if not content.startswith(b"\xef\xbb\xbf"):  # a byte-order mark changes nothing
        with_bom = read(write(tmp_path, b"\xef\xbb\xbf" + content, "bom.csv"), EVENTS_SCHEMA)
        pd.testing.assert_frame_equal(with_bom.frame, table.frame)
        assert with_bom.rows == table.rows
