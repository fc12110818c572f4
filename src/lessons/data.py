"""A registry of the named, bundled datasets, described by `data/datapackage.json`.

Why a registry: metadata (title, source, licence, schema) lives in one JSON file beside the
data, so a loader, its help text and the checksum test can never disagree. Every loader takes
an optional `path=` so a teacher can load an extended copy that follows the same schema, and
every frame carries its provenance in `df.attrs` so a chart can always cite where it came from.

Each file is read and checked by `lessons.reader`; the rules that span columns or files
(references, CAMEO consistency, date order) are one function each below, and name the row of
every break from the line numbers the reader returns.

>>> places = load_places()
>>> places.attrs["name"], places.attrs["licence"]
('places', 'CC-BY-4.0')
>>> "places" in set(list_datasets()["name"])
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from lessons import settings
from lessons.errors import DataError, Problem
from lessons.reader import Table, read

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
    return _load(name, path)


def _load(
    name: str,
    path: str | Path | None = None,
    *,
    targets: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """`load_table`, with the tables a reference may point to where they are not the bundled
    ones (`targets`: resource name -> frame just loaded, e.g. a teacher's claims)."""
    res = resource(name)
    if res.get("format") not in ("csv", "tsv"):
        raise ValueError(f"{name!r} is not a table; use load_shapes() for map shapes")
    file = Path(path) if path is not None else data_dir() / res["path"]
    delimiter = res.get("dialect", {}).get("delimiter", ",")
    table = read(file, res["schema"], delimiter=delimiter)
    check_foreign_keys(name, file, table, res["schema"], targets)
    for check in _ROW_CHECKS.get(name, ()):
        check(file, table)
    return _with_provenance(table.frame, res, file)


def _with_provenance(frame: pd.DataFrame, res: dict[str, Any], file: Path) -> pd.DataFrame:
    frame.attrs = {
        "name": res["name"],
        "title": res["title"],
        "path": str(file),
        "source": "; ".join(s["title"] for s in res.get("sources", [])),
        "licence": "; ".join(lic["name"] for lic in res.get("licenses", [])),
        "citation": res.get("citation", ""),
    }
    return frame


# --- rules across columns and files: one function each ------------------------------------
# Each checks the distinct values (or combinations) first and walks the rows only for one
# that fails, to name every row it is on.


def check_foreign_keys(
    name: str,
    file: Path,
    table: Table,
    schema: dict[str, Any],
    targets: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Every reference must name a key of its target table (the bundled one, by default)."""
    problems: list[Problem] = []
    for fk in schema.get("foreignKeys", []):
        column, target = fk["fields"], fk["reference"]["resource"]
        target_col = fk["reference"]["fields"]
        if target == name:
            known: AbstractSet[Any] = set(table.frame[target_col].dropna())
        elif targets and target in targets:
            known = set(targets[target][target_col].dropna())
        else:
            known = _reference_keys(target, target_col)
        cells = table.frame[column].tolist()
        unknown = {cell for cell in set(cells) if not pd.isna(cell)} - known
        if not unknown:
            continue
        problems += [
            Problem(
                str(file),
                row,
                column,
                str(cell),
                f"refers to an unknown {target_col} in dataset {target!r}",
                "foreign-key-error",
            )
            for cell, row in zip(cells, table.rows, strict=True)
            if cell in unknown
        ]
    if problems:
        raise DataError(problems)


@cache
def _reference_keys(target: str, column: str) -> frozenset[str]:
    """Keys of a bundled dataset other files refer to (cached: bundled files are fixed)."""
    return frozenset(load_table(target)[column].dropna())


def check_event_codes(file: Path, table: Table) -> None:
    """Goldstein and QuadClass must agree with the CAMEO root the row was coded with.

    Each distinct (root, Goldstein, QuadClass) combination is judged once against the
    codebook; rows are walked only if one breaks the rule, to name every bad cell.
    """
    frame = table.frame
    columns = (frame[name].tolist() for name in ("cameo_root", "goldstein", "quad_class"))
    combos = list(zip(*columns, strict=True))
    verdicts = {combo: _judge_event_code(*combo) for combo in set(combos)}
    if not any(verdicts.values()):
        return
    problems = [
        Problem(str(file), row, column, value, rule, code)
        for combo, row in zip(combos, table.rows, strict=True)
        for column, value, rule, code in verdicts[combo]
    ]
    raise DataError(problems)


def _judge_event_code(root: str, score: float, quad: int) -> list[tuple[str, str, str, str]]:
    """What is wrong with one (root, Goldstein, QuadClass): (column, value, rule, code)."""
    allowed, quads = _cameo_rules()
    if root not in allowed:
        return [("cameo_root", root, "unknown CAMEO root", "foreign-key-error")]
    wrong = []
    if round(float(score), 1) not in allowed[root]:
        rule = (
            f"no CAMEO code under root {root} has this Goldstein weight "
            f"(allowed: {sorted(allowed[root])})"
        )
        wrong.append(("goldstein", str(score), rule, "consistency-error"))
    if int(quad) != int(quads[root]):
        rule = f"CAMEO root {root} belongs to QuadClass {quads[root]}"
        wrong.append(("quad_class", str(quad), rule, "consistency-error"))
    return wrong


@cache
def _cameo_rules() -> tuple[dict[str, set[float]], dict[str, Any]]:
    """Per CAMEO root: the Goldstein weights of its codes, and its QuadClass (cached)."""
    cameo = load_table("cameo_codebook")
    roots = cameo.groupby("root_code")
    allowed = {root: set(g["goldstein_gdelt"].round(1)) for root, g in roots}
    quad = dict(zip(cameo["root_code"], cameo["quad_class"], strict=False))
    return allowed, quad


def check_date_order(file: Path, table: Table) -> None:
    """An event cannot end before it starts (a missing end_date is never early)."""
    frame = table.frame
    early = frame["end_date"] < frame["date"]  # NaT compares False
    if not early.any():
        return
    problems = [
        Problem(
            str(file),
            row,
            "end_date",
            end.date().isoformat(),
            "end_date is before date",
            "consistency-error",
        )
        for end, bad, row in zip(frame["end_date"], early, table.rows, strict=True)
        if bad
    ]
    raise DataError(problems)


def check_event_refs(file: Path, table: Table) -> None:
    """Every id in a `;`-separated `event_ids` text column must name an event of events.csv.

    Why text, not a list column: the glossary and the who's-who are read by people in a
    spreadsheet as much as by code; the check a foreign key would give is done here.
    """
    cells = table.frame["event_ids"].tolist()
    items = {cell: _split_ids(cell) for cell in set(cells) if isinstance(cell, str)}
    known = _reference_keys("events", "event_id")
    if all(set(ids) <= known for ids in items.values()):
        return
    problems = [
        Problem(
            str(file),
            row,
            "event_ids",
            item,
            "refers to an unknown event_id in dataset 'events'",
            "foreign-key-error",
        )
        for cell, row in zip(cells, table.rows, strict=True)
        for item in items.get(cell, ())
        if item not in known
    ]
    raise DataError(problems)


def _split_ids(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


_ROW_CHECKS: dict[str, tuple[Callable[[Path, Table], None], ...]] = {
    "events": (check_date_order, check_event_codes),
    "glossary": (check_event_refs,),
    "actors": (check_event_refs,),
}


# --- the public, named loaders -------------------------------------------------------------


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """The curated record of Russia–Turkey events, 1992–2026, one verified source per row.

    With no `path`: the teacher's own events file if one is set (`lessons.settings`:
    `LESSONS_EVENTS` or `lessons.toml`), checked like any other, else the bundled record.

    >>> events = load_events()
    >>> events.attrs["licence"]
    'CC-BY-4.0'
    >>> events.loc[0, "actors"]
    ['Turkey', 'Russia']
    """
    events = load_table("events", path if path is not None else settings.events_file())
    if events["date"].is_monotonic_increasing:  # already in order: a stable sort changes nothing
        return events
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def load_report_claims(
    path: str | Path | None = None, links: str | Path | None = None
) -> pd.DataFrame:
    """The 3 March 2020 report's claims in our words, with their time phrases resolved.

    The events each claim refers to are stored in their own table (`claim_events.csv`, a
    real foreign key to each side that the Frictionless tools check); they come back here
    as the list column `event_ids`, in the order the claim names them. `links` is a
    teacher's copy of that table; its claim ids must be claims of the file at `path`.

    >>> claims = load_report_claims()
    >>> claims.loc[0, "event_ids"]
    ['2015-09-30-russia-begins-syria-air-campaign', '2019-12-19-idlib-ground-offensive']
    """
    claims = load_table("report_claims", path)
    if "event_ids" in claims:
        raise DataError.single(
            claims.attrs["path"],
            "the claims' events now live in their own file, one row per claim and event "
            "(claim_id,event_id, like data/claim_events.csv): move them there and pass it "
            "as links=",
            row=1,
            column="event_ids",
            code="header-error",
        )
    pairs = _load("claim_events", links, targets={"report_claims": claims})
    events: dict[str, list[str]] = {}
    for claim_id, event_id in zip(pairs["claim_id"], pairs["event_id"], strict=True):
        events.setdefault(claim_id, []).append(event_id)
    lists = [list(events.get(claim_id, ())) for claim_id in claims["claim_id"]]
    at = claims.columns.get_loc("resolved_end") + 1  # where the column always stood
    claims.insert(at, "event_ids", pd.Series(lists, index=claims.index, dtype=object))
    return claims


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
