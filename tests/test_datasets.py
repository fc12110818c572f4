"""Every dataset in the registry loads, validates and matches its recorded checksum."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

import lessons
from lessons import data

RESOURCES = [r["name"] for r in data.datapackage()["resources"]]
TABLES = [r["name"] for r in data.datapackage()["resources"] if r["format"] == "csv"]


@pytest.mark.parametrize("name", RESOURCES)
def test_checksum_and_size_match_datapackage(name: str) -> None:
    res = data.resource(name)
    path = data.resource_path(name)
    assert res["hash"] == "sha256:" + data.sha256_of(path), (
        f"run tools/refresh_checksums.py? {name}"
    )
    assert res["bytes"] == path.stat().st_size


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_with_provenance(name: str) -> None:
    frame = data.load_table(name)
    assert len(frame) > 0
    assert frame.attrs["name"] == name
    assert frame.attrs["licence"]
    assert frame.attrs["source"]
    schema_cols = [f["name"] for f in data.resource(name)["schema"]["fields"]]
    assert list(frame.columns[: len(schema_cols)]) == schema_cols


@pytest.mark.parametrize("name", TABLES)
def test_every_field_is_described_with_a_type(name: str) -> None:
    for field in data.resource(name)["schema"]["fields"]:
        assert field["type"] in {
            "string",
            "integer",
            "number",
            "boolean",
            "date",
            "yearmonth",
        }  # no "list": frictionless-py 5.18 rejects it; see listDelimiter


@pytest.mark.parametrize("shape", sorted(data.SHAPES))
def test_shapes_are_topologies(shape: str) -> None:
    topo = lessons.load_shapes(shape)
    assert topo["type"] == "Topology"
    assert topo["objects"]


def test_every_data_file_is_described() -> None:
    described = {r["path"] for r in data.datapackage()["resources"]}
    on_disk = {
        p.name
        for p in data.data_dir().iterdir()
        if p.is_file() and p.name not in {"datapackage.json", "SOURCES.md"}
    }
    assert on_disk == described


def test_datapackage_is_valid_json_with_licences() -> None:
    package = json.loads((data.data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        assert res.get("licenses"), res["name"]
        assert res.get("sources"), res["name"]


def test_cameo_codes_stay_text() -> None:
    cameo = lessons.load_cameo()
    assert "013" in set(cameo["cameo_code"])
    coded = lessons.load_coded_events()
    assert coded["cameo_code"].str.len().min() >= 3
    assert coded["cameo_root"].str.len().eq(2).all()


def test_unknown_dataset_name_lists_the_real_ones() -> None:
    with pytest.raises(KeyError, match="events"):
        data.resource("no-such-thing")
    with pytest.raises(KeyError, match="syria"):
        lessons.load_shapes("mars")


def test_list_datasets_has_sources_and_licences() -> None:
    listing = lessons.list_datasets()
    assert set(TABLES) <= set(listing["name"])
    assert listing["licence"].str.len().gt(0).all()


def test_loader_accepts_a_teachers_copy(tmp_path) -> None:
    copy = tmp_path / "my_events.csv"
    copy.write_bytes(data.resource_path("events").read_bytes())
    frame = lessons.load_events(path=copy)
    assert frame.attrs["path"] == str(copy)
    assert len(frame) == len(lessons.load_events())


def test_raw_icews_sample_matches_its_dyad_extract(root) -> None:
    raw = lessons.load_icews_raw(root / "tests/fixtures/icews/events.2018.sample.tab")
    assert len(raw) == 3705
    dyad = lessons.load_icews_raw(root / "tests/fixtures/icews/events.2018.sample.rus_tur.tsv")
    assert len(dyad) == 15
    pair = {"Russian Federation", "Turkey"}
    both = raw["Source Country"].isin(pair) & raw["Target Country"].isin(pair)
    both &= raw["Source Country"] != raw["Target Country"]
    assert int(both.sum()) == 15
    assert raw["CAMEO Code"].str.fullmatch(r"\d{2,4}").all()
    assert pd.isna(raw.loc[0, "Source Sectors"]) or isinstance(raw.loc[0, "Source Sectors"], str)


def test_raw_icews_to_coded_events(root) -> None:
    from lessons.icews import raw_to_coded

    raw = lessons.load_icews_raw(root / "tests/fixtures/icews/events.2018.sample.rus_tur.tsv")
    coded = raw_to_coded(raw, lessons.load_cameo())
    assert len(coded) == 15
    assert set(coded["source_country"]) == {"RUS", "TUR"}
    assert coded["quad_class"].between(1, 4).all()


def test_load_events_follows_the_teachers_file(tmp_path, monkeypatch) -> None:
    """With `LESSONS_EVENTS` set, `load_events()` reads that file, checked like any other."""
    bundled = lessons.load_events()
    mine = tmp_path / "my_events.csv"
    with open(data.resource_path("events"), encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    with open(mine, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records[:11])  # header, ten events
    monkeypatch.setenv("LESSONS_EVENTS", str(mine))
    frame = lessons.load_events()
    assert frame.attrs["path"] == str(mine)
    assert len(frame) == 10
    pd.testing.assert_frame_equal(frame, bundled.iloc[:10], check_like=False)
    assert len(lessons.load_events(data.resource_path("events"))) == len(bundled)  # path wins
    records[1][records[0].index("category")] = "sports"
    with open(mine, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records[:2])
    with pytest.raises(lessons.DataError) as info:
        lessons.load_events()
    assert (info.value.path, info.value.row, info.value.column) == (str(mine), 2, "category")
    assert info.value.code == "constraint-error"


def test_claims_get_their_events_from_the_link_table() -> None:
    claims = lessons.load_report_claims()
    links = data.load_table("claim_events")
    assert claims.columns.get_loc("event_ids") == claims.columns.get_loc("resolved_end") + 1
    assert sum(map(len, claims["event_ids"])) == len(links)
    for claim_id, event_ids in zip(claims["claim_id"], claims["event_ids"], strict=True):
        assert event_ids == links.loc[links["claim_id"] == claim_id, "event_id"].tolist()
    assert set(links["event_id"]) <= set(lessons.load_events()["event_id"])


def test_a_link_to_a_claim_not_in_the_claims_file_is_named(tmp_path) -> None:
    claims = tmp_path / "claims.csv"
    text = data.resource_path("report_claims").read_text(encoding="utf-8").splitlines(True)
    claims.write_text("".join(text[:3]), encoding="utf-8")  # c01 and c02 only
    links = tmp_path / "links.csv"
    links.write_text("claim_id,event_id\nc01,2019-12-19-idlib-ground-offensive\n", "utf-8")
    frame = lessons.load_report_claims(claims, links=links)
    assert frame["event_ids"].tolist() == [["2019-12-19-idlib-ground-offensive"], []]
    with pytest.raises(lessons.DataError) as info:
        lessons.load_report_claims(claims)  # the bundled links name claims c03 ... c23
    err = info.value
    assert (err.path, err.column, err.value) == (
        str(data.resource_path("claim_events")),
        "claim_id",
        "c03",
    )
    assert err.code == "foreign-key-error"
    assert "unknown claim_id in dataset 'report_claims'" in str(err)
