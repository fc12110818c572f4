"""A registry of the named, bundled datasets, described by `data/datapackage.json`.

Why a registry: metadata (title, source, licence, schema) lives in one JSON file beside the
data, so a loader, its help text and the checksum test can never disagree. Every loader takes
an optional `path=` so a teacher can load an extended copy that follows the same schema, and
every frame carries its provenance in `df.attrs` so a chart can always cite where it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Set as AbstractSet
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_object_dtype

from lessons.errors import DataError, Problem
from lessons.schema import read_table

SHAPES = {
    "world": "world_countries_110m",
    "syria": "syria_admin1",
    "libya": "libya_admin1",
    "turkey": "turkey_admin1",
}


@cache
def data_dir() -> Path:
    """Where the bundled data lives: inside the installed wheel, or `data/` of a checkout.

    Cached: where the package is installed does not change while Python runs.
    """
    packaged = resources.files("lessons") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data"


@cache
def datapackage() -> dict[str, Any]:
    """The parsed `datapackage.json` (cached: it never changes while a kernel runs)."""
    return json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))


def resource(name: str) -> dict[str, Any]:
    """The datapackage entry for one dataset, or a helpful error listing the real names."""
    for res in datapackage()["resources"]:
        if res["name"] == name:
            return res
    names = ", ".join(r["name"] for r in datapackage()["resources"])
    raise KeyError(f"no dataset named {name!r}; the datasets are: {names}")


def resource_path(name: str) -> Path:
    """The bundled file of a dataset."""
    return data_dir() / resource(name)["path"]


def list_datasets() -> pd.DataFrame:
    """One row per bundled dataset: what it is, its file, source and licence."""
    rows = []
    for res in datapackage()["resources"]:
        rows.append(
            {
                "name": res["name"],
                "title": res["title"],
                "file": res["path"],
                "format": res["format"],
                "source": "; ".join(s["title"] for s in res.get("sources", [])),
                "licence": "; ".join(lic["name"] for lic in res.get("licenses", [])),
            }
        )
    return pd.DataFrame(rows)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, as datapackage.json records it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_table(name: str, path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate a tabular dataset by name (or a copy of it at `path`)."""
    res = resource(name)
    if res.get("format") not in ("csv", "tsv"):
        raise ValueError(f"{name!r} is not a table; use load_shapes() for map shapes")
    file = Path(path) if path is not None else data_dir() / res["path"]
    delimiter = res.get("dialect", {}).get("delimiter", ",")
    frame = read_table(file, res["schema"], delimiter=delimiter)
    rows = frame.attrs["rows"]
    # The checks take columns one by one, and pandas deep-copies `attrs` into each column
    # taken: they run on a frame without attrs, which get their final form below.
    frame.attrs = {}
    _check_foreign_keys(name, file, frame, res["schema"], rows)
    for check in _ROW_CHECKS.get(name, ()):
        check(file, frame, rows)
    return _with_provenance(frame, res, file, rows)


def _with_provenance(
    frame: pd.DataFrame, res: dict[str, Any], file: Path, rows: list[int]
) -> pd.DataFrame:
    frame.attrs = {
        "name": res["name"],
        "title": res["title"],
        "path": str(file),
        "source": "; ".join(s["title"] for s in res.get("sources", [])),
        "licence": "; ".join(lic["name"] for lic in res.get("licenses", [])),
        "citation": res.get("citation", ""),
        "rows": rows,
    }
    return frame


def _values(frame: pd.DataFrame, name: str) -> Any:
    """One column's array, without making a Series of it.

    Why: the checks below run on every load and take seven columns; each Series costs
    ~15 us (a tenth of `read_csv` on the events file, all seven together). The accessor
    is pandas-internal: where it is missing the public route is taken.
    """
    loc = frame.columns.get_loc(name)
    if isinstance(loc, int) and hasattr(frame, "_get_column_array"):
        return frame._get_column_array(loc)
    return frame[name].array


def _check_foreign_keys(
    name: str, file: Path, frame: pd.DataFrame, schema: dict[str, Any], rows: list[int]
) -> None:
    """Every reference must name a key of its target; checked on the distinct values first."""
    for fk in schema.get("foreignKeys", []):
        known = _known_keys(name, frame, fk)
        column = _values(frame, fk["fields"])
        cells = column.tolist()
        if is_object_dtype(column.dtype):  # maybe a list column: its items are the references
            used = set()
            for cell in cells:
                if isinstance(cell, list):
                    used.update(cell)
                elif not pd.isna(cell):
                    used.add(cell)
        else:  # text: each distinct value once
            used = {cell for cell in set(cells) if not pd.isna(cell)}
        if not used <= known:
            _explain_foreign_keys(name, file, frame, schema, rows)


def _known_keys(name: str, frame: pd.DataFrame, fk: dict[str, Any]) -> AbstractSet[Any]:
    target = fk["reference"]["resource"]
    target_col = fk["reference"]["fields"]
    if target == name:
        return set(frame[target_col].dropna())
    return _reference_keys(target, target_col)


def _explain_foreign_keys(
    name: str, file: Path, frame: pd.DataFrame, schema: dict[str, Any], rows: list[int]
) -> None:
    """Row by row: raise a DataError naming every reference to an unknown key."""
    problems: list[Problem] = []
    for fk in schema.get("foreignKeys", []):
        column = fk["fields"]
        target = fk["reference"]["resource"]
        target_col = fk["reference"]["fields"]
        known = _known_keys(name, frame, fk)
        for i, cell in frame[column].items():
            items = cell if isinstance(cell, list) else ([] if pd.isna(cell) else [cell])
            for item in items:
                if item not in known:
                    problems.append(
                        Problem(
                            str(file),
                            rows[i],
                            column,
                            str(item),
                            f"refers to an unknown {target_col} in dataset {target!r}",
                        )
                    )
    if problems:
        raise DataError(problems)


@cache
def _reference_keys(target: str, column: str) -> frozenset[str]:
    """Keys of a bundled dataset other files refer to (cached: bundled files are fixed)."""
    return frozenset(load_table(target)[column].dropna())


def _check_event_codes(file: Path, frame: pd.DataFrame, rows: list[int]) -> None:
    """Goldstein and QuadClass must agree with the CAMEO root the row was coded with.

    Each distinct (root, Goldstein, QuadClass) combination is checked once, at first against
    every combination the codebook allows; only if one breaks the rule are the rows walked
    one by one to name every bad cell.
    """
    columns = (_values(frame, c).tolist() for c in ("cameo_root", "goldstein", "quad_class"))
    combos = set(zip(*columns, strict=True))
    if combos <= _cameo_combinations():
        return
    allowed, quad = _cameo_rules()
    for root, score, q in combos:
        if (
            root not in allowed
            or round(float(score), 1) not in allowed[root]
            or int(q) != int(quad[root])
        ):
            _explain_event_codes(file, frame, rows)


@cache
def _cameo_combinations() -> frozenset[tuple[str, float, int]]:
    """Every (root, Goldstein weight, QuadClass) the codebook allows (cached: it is fixed)."""
    allowed, quad = _cameo_rules()
    return frozenset(
        (root, weight, int(quad[root])) for root, weights in allowed.items() for weight in weights
    )


@cache
def _cameo_rules() -> tuple[dict[str, set[float]], dict[str, Any]]:
    """Per CAMEO root: the Goldstein weights of its codes, and its QuadClass (cached)."""
    cameo = _cameo_table()
    roots = cameo.groupby("root_code")
    allowed = {root: set(g["goldstein_gdelt"].round(1)) for root, g in roots}
    quad = dict(zip(cameo["root_code"], cameo["quad_class"], strict=False))
    return allowed, quad


def _explain_event_codes(file: Path, frame: pd.DataFrame, rows: list[int]) -> None:
    """Row by row: raise a DataError naming every CAMEO root, weight or QuadClass that is off."""
    allowed, quad = _cameo_rules()
    problems = []
    for i, root, score, q in zip(
        frame.index, frame["cameo_root"], frame["goldstein"], frame["quad_class"], strict=True
    ):
        if root not in allowed:
            problems.append(Problem(str(file), rows[i], "cameo_root", root, "unknown CAMEO root"))
            continue
        if round(float(score), 1) not in allowed[root]:
            problems.append(
                Problem(
                    str(file),
                    rows[i],
                    "goldstein",
                    str(score),
                    f"no CAMEO code under root {root} has this Goldstein weight "
                    f"(allowed: {sorted(allowed[root])})",
                )
            )
        if int(q) != int(quad[root]):
            problems.append(
                Problem(
                    str(file),
                    rows[i],
                    "quad_class",
                    str(q),
                    f"CAMEO root {root} belongs to QuadClass {quad[root]}",
                )
            )
    if problems:
        raise DataError(problems)


def _check_date_order(file: Path, frame: pd.DataFrame, rows: list[int]) -> None:
    """An event cannot end before it starts."""
    end, start = np.asarray(_values(frame, "end_date")), np.asarray(_values(frame, "date"))
    if not (end < start).any():  # NaT compares False: a missing end_date is never early
        return
    bad = frame["end_date"].notna() & (frame["end_date"] < frame["date"])
    problems = [
        Problem(
            str(file),
            rows[i],
            "end_date",
            frame.at[i, "end_date"].date().isoformat(),
            "end_date is before date",
        )
        for i in bad[bad].index
    ]
    if problems:
        raise DataError(problems)


@cache
def _cameo_table() -> pd.DataFrame:
    return load_table("cameo_codebook")


def _check_event_refs(file: Path, frame: pd.DataFrame, rows: list[int]) -> None:
    """Every id in a `;`-separated `event_ids` text column must name an event of events.csv.

    Why text, not a list column: the glossary and the who's-who are read by people in a
    spreadsheet as much as by code; the check that a list type would give is done here.
    """
    cells = _values(frame, "event_ids").tolist()
    used = {
        i.strip() for cell in cells if isinstance(cell, str) for i in cell.split(";") if i.strip()
    }
    known = _reference_keys("events", "event_id")
    if used <= known:
        return
    problems = [
        Problem(
            str(file),
            rows[n],
            "event_ids",
            item,
            "refers to an unknown event_id in dataset 'events'",
        )
        for n, cell in enumerate(cells)
        if isinstance(cell, str)
        for item in (i.strip() for i in cell.split(";"))
        if item and item not in known
    ]
    raise DataError(problems)


_ROW_CHECKS = {
    "events": (_check_date_order, _check_event_codes),
    "glossary": (_check_event_refs,),
    "actors": (_check_event_refs,),
}


# --- the public, named loaders -------------------------------------------------------------


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """The curated record of Russia–Turkey events, 1992–2026, one verified source per row.

    >>> events = load_events()
    >>> events.attrs["licence"]
    'CC-BY-4.0'
    """
    events = load_table("events", path)
    dates = np.asarray(_values(events, "date"))
    if (dates[1:] >= dates[:-1]).all():  # already in order: a stable sort changes nothing
        return events
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def load_report_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The 3 March 2020 report's claims in our words, with their time phrases resolved."""
    return load_table("report_claims", path)


def load_glossary(path: str | Path | None = None) -> pd.DataFrame:
    """The glossary: every term the lessons use, defined in plain words, A to Z.

    >>> glossary = load_glossary()
    >>> bool(glossary["term"].is_unique)
    True
    """
    return load_table("glossary", path)


def load_actors(path: str | Path | None = None) -> pd.DataFrame:
    """Who's who: people, states, armed groups, organisations and companies, with role and stance.

    >>> actors = load_actors()
    >>> "putin" in set(actors["actor_id"])
    True
    """
    return load_table("actors", path)


def load_coded_events(path: str | Path | None = None, *, context: bool = False) -> pd.DataFrame:
    """Machine-coded ICEWS18 events between Russian and Turkish actors (Jan–Oct 2018).

    With `context=True`: the Russia/Turkey ↔ Syria/Libya events instead.
    """
    return load_table("icews18_rus_tur_syr_lby" if context else "icews18_rus_tur", path)


def load_coded_monthly(path: str | Path | None = None) -> pd.DataFrame:
    """The monthly Russia–Turkey table as shipped with the ICEWS18 extract."""
    return load_table("icews18_rus_tur_monthly", path)


def load_daily_totals(path: str | Path | None = None) -> pd.DataFrame:
    """How many events ICEWS18 holds per day for all actors: the denominator for volume."""
    return load_table("icews18_daily_totals", path)


def load_cameo(path: str | Path | None = None) -> pd.DataFrame:
    """The CAMEO codebook: every event code with its QuadClass and Goldstein weight."""
    return load_table("cameo_codebook", path)


def load_places(path: str | Path | None = None) -> pd.DataFrame:
    """Places the events refer to, with GeoNames coordinates."""
    return load_table("places", path)


def load_gas(path: str | Path | None = None) -> pd.DataFrame:
    """Turkey's monthly energy imports by partner country (Eurostat via CREA)."""
    return load_table("gas_imports_turkey", path)


def load_shapes(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """A TopoJSON topology for maps: 'world', 'syria', 'libya' or 'turkey'."""
    if name not in SHAPES:
        raise KeyError(f"no shapes named {name!r}; choose one of {sorted(SHAPES)}")
    res = resource(SHAPES[name])
    file = Path(path) if path is not None else data_dir() / res["path"]
    try:
        topo = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError.single(file, "file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError.single(file, f"not valid TopoJSON text: {err}") from None
    if topo.get("type") != "Topology" or not isinstance(topo.get("objects"), dict):
        raise DataError.single(file, "not a TopoJSON Topology (needs type and objects)")
    return topo


def load_phases(path: str | Path | None = None) -> pd.DataFrame:
    """The team's division of 1992–2026 into phases: an interpretation to argue with."""
    return load_table("phases", path).sort_values("start", ignore_index=True)


def load_toll_reports(path: str | Path | None = None) -> pd.DataFrame:
    """Every published death toll for two attacks, in publication order."""
    frame = load_table("toll_reports", path)
    return frame.sort_values(["event_id", "reported_date"], kind="stable", ignore_index=True)
