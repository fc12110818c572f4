"""Property tests of the events loader: valid rows always load, garbage never crashes.

(a) Rows generated from the schema in datapackage.json (dates in range, allowed categories,
    CAMEO roots with a Goldstein weight and QuadClass taken from data/cameo_codebook.csv)
    must load and come back with the values written.
(b) One cell of a valid file replaced by garbage must either load or raise a DataError that
    names the row of that cell: never another exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lessons
from lessons import DataError
from lessons.data import resource

BASE = Path(__file__).resolve().parent / "fixtures" / "bad" / "valid_events.csv"
SCHEMA = resource("events")["schema"]
FIELDS = {f["name"]: f for f in SCHEMA["fields"]}
HEADER = [f["name"] for f in SCHEMA["fields"]]
MIN_DATE = dt.date.fromisoformat(FIELDS["date"]["constraints"]["minimum"])
MAX_DATE = dt.date.fromisoformat(FIELDS["date"]["constraints"]["maximum"])

FAST = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def codebook() -> dict[str, tuple[list[float], int]]:
    """CAMEO root -> (Goldstein weights of its codes, QuadClass), from the bundled codebook."""
    cameo = lessons.load_cameo()
    out = {}
    for root, group in cameo.groupby("root_code"):
        weights = sorted(set(group["goldstein_gdelt"].dropna().round(1)))
        out[root] = (weights, int(group["quad_class"].iloc[0]))
    return out


@cache
def place_ids() -> list[str]:
    return sorted(lessons.load_places()["place_id"])


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


# --- strategies --------------------------------------------------------------------------

# Text a loader keeps as is: no surrogates or NUL, and nothing str.strip() would remove.
TEXT_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(TEXT_CHARS, min_size=1, max_size=max_size).filter(
        lambda s: s == s.strip() and s != ""
    )


dates = st.dates(min_value=MIN_DATE, max_value=MAX_DATE)
slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
actor = text(15).filter(lambda s: ";" not in s)


@st.composite
def event_rows(draw: st.DrawFn, index: int) -> dict[str, object]:
    root = draw(st.sampled_from(sorted(codebook())))
    weights, quad = codebook()[root]
    date = draw(dates)
    end = draw(st.none() | st.dates(min_value=date, max_value=MAX_DATE))
    optional = st.none
    return {
        "event_id": f"e{index}-{draw(slugs)}",
        "date": date,
        "date_precision": draw(st.sampled_from(FIELDS["date_precision"]["constraints"]["enum"])),
        "end_date": end,
        "title": draw(text(FIELDS["title"]["constraints"]["maxLength"])),
        "summary": draw(text(60)),
        "category": draw(st.sampled_from(FIELDS["category"]["constraints"]["enum"])),
        "place_id": draw(optional() | st.sampled_from(place_ids())),
        "actors": draw(st.lists(actor, min_size=1, max_size=3)),
        "cameo_root": root,
        "goldstein": draw(st.sampled_from(weights)),
        "quad_class": quad,
        "fatalities": draw(optional() | st.integers(0, 10**6)),
        "key_numbers": draw(optional() | text(30)),
        "in_report": draw(st.booleans()),
        "source_publisher": draw(text(30)),
        "source_title": draw(text(30)),
        "source_date": draw(optional() | dates),
        "source_url": "https://" + draw(st.from_regex(r"[a-z0-9.\-/]{1,30}", fullmatch=True)),
        "note": draw(optional() | text(40)),
        "source_kind": draw(st.sampled_from(FIELDS["source_kind"]["constraints"]["enum"])),
        "source_voice": draw(text(FIELDS["source_voice"]["constraints"]["maxLength"])),
    }


def as_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def as_loaded(value: object) -> object:
    """What the loader should give back for a generated value."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    return value


def same(got: object, want: object) -> bool:
    if want is None:
        return got is None or bool(pd.isna(got))
    if isinstance(want, list):
        return list(got) == want
    return got == want


# --- (a) valid rows load and round-trip --------------------------------------------------


@FAST
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(*(event_rows(i) for i in range(n)))))
def test_generated_valid_rows_load_and_round_trip(rows: tuple[dict[str, object], ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        write_csv(path, HEADER, [[as_cell(r[c]) for c in HEADER] for r in rows])
        frame = lessons.load_events(path)
    assert len(frame) == len(rows)
    by_id = frame.set_index("event_id")
    for row in rows:
        loaded = by_id.loc[row["event_id"]]
        for column in HEADER[1:]:
            got, want = loaded[column], as_loaded(row[column])
            assert same(got, want), (column, got, want)


# --- (b) one garbage cell: loads or names its row ----------------------------------------

with open(BASE, encoding="utf-8", newline="") as _handle:
    _BASE = list(csv.reader(_handle))
BASE_HEADER, BASE_ROWS = _BASE[0], _BASE[1:]

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "NaN",
        "nan",
        "NA",
        "null",
        "inf",
        "-Infinity",
        "1e400",
        "-0",
        "99999999999999999999",
        "٣",
        "１２",
        "2019-02-30",
        "9999-12-31",
        "0000-01-01",
        "1890-01-01",
        "2026-12-31",
        "05",
        "5",
        "20",
        "true",
        "TRUE",
        '"',
        ",",
        ";",
        "\n",
        "\r",
        "\r\n",
        "\x00",
        "\ufeff",
        "=1+1",
        "<script>alert(1)</script>",
        "x" * 5000,
    ]
)
GARBAGE = HOSTILE | st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@FAST
@given(
    row=st.integers(0, len(BASE_ROWS) - 1),
    column=st.sampled_from(BASE_HEADER),
    garbage=GARBAGE,
)
def test_one_garbage_cell_loads_or_names_its_row(row: int, column: str, garbage: str) -> None:
    rows = [list(r) for r in BASE_ROWS]
    rows[row][BASE_HEADER.index(column)] = garbage
    line = row + 2  # spreadsheet numbering; the base rows hold no line breaks
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        write_csv(path, BASE_HEADER, rows)
        try:
            lessons.load_events(path)
        except DataError as err:
            # A NUL byte is reported on its own line, which a quoted line break can move.
            nul_line = line + garbage[: garbage.find("\x00")].count("\n")
            assert err.row in (line, nul_line), str(err)
            assert {p.row for p in err.problems} <= {line, nul_line}, str(err)
            # A new CAMEO root can disagree with the row's Goldstein weight and QuadClass.
            follows = {"cameo_root": {"goldstein", "quad_class"}}.get(column, set())
            assert err.column in {column, None} | follows, str(err)
            assert path.name in str(err)
