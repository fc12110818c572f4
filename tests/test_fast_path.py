"""The fast path of read_table (lessons.fastcheck) agrees with the careful cell-by-cell reader.

The fast path may decline any file (it then returns None and the careful reader runs); when it
does return a frame, that frame must be exactly the careful reader's, and the careful reader
must have accepted the file. Checked on every bundled table, on every bad-input fixture read
as every table, and on files with random bytes spliced into a valid one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import DataError, data, schema
from lessons.fastcheck import read_valid
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


def careful(path: Path, table_schema: dict, delimiter: str) -> pd.DataFrame | None:
    try:
        return schema.read_cell_by_cell(path, table_schema, delimiter=delimiter)
    except DataError:
        return None


def assert_agree(path: Path, table_schema: dict, delimiter: str) -> bool:
    """True if the fast path took the file; fails if it disagrees with the careful reader."""
    fast = read_valid(path, table_schema, delimiter)
    if fast is None:
        return False
    slow = careful(path, table_schema, delimiter)
    assert slow is not None, f"fast path accepted {path.name}, the careful reader rejects it"
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.attrs == slow.attrs
    return True


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_bundled_tables_take_the_fast_path(name: str) -> None:
    if name == "icews_raw":
        path = ROOT / "tests/fixtures/icews/events.2018.sample.tab"
    else:
        path = data.resource_path(name)
    assert assert_agree(path, *SCHEMAS[name]), f"{name} fell back to the careful reader"


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
