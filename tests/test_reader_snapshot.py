"""Every bundled table, public loader and bad-input fixture gives what it gave before the reader
was rewritten (issue 13): the same frame, dtypes included, or the same error message.

The snapshot (tests/fixtures/reader_snapshot.json) was first written by the old reader
(schema.py with its fast path) just before it was replaced; the new reader reproduced every
entry except the intended ones (the claim -> event links moved to claim_events.csv, so
`load_table("report_claims")` lost its list column, which `load_report_claims()` still
gives), and the file was then regenerated. A frame is pinned by its shape, column names,
dtypes and SHA-256 hashes of its CSV text and of every value's repr (so a missing value's kind,
a float's last digit or a list turned into text all show); an error by its first line and the
hashes of its whole message and of its problems (path, row, column, value, rule). Hashes are
cut to 16 hex digits (64 bits): plenty to notice a change. After a deliberate change to the
data or to a message, regenerate it and review the diff:

    .venv/bin/python tests/test_reader_snapshot.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "fixtures" / "reader_snapshot.json"
FIXTURES = sorted((ROOT / "tests/fixtures/bad").glob("*.csv")) + sorted(
    (ROOT / "tests/fixtures/icews").glob("*.t*")
)


def _relative(text: str) -> str:
    return text.replace(str(ROOT), "<root>")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def summary(frame: pd.DataFrame) -> dict[str, Any]:
    """What pins a frame: shape, names, dtypes, hashes of its text and of its values' reprs."""
    values = hashlib.sha256()
    for name in frame.columns:
        values.update(repr((name, frame[name].tolist())).encode())
    return {
        "shape": list(frame.shape),
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "index": repr(frame.index),
        "csv_sha256": _sha(frame.to_csv()),
        "values_sha256": values.hexdigest()[:16],
        "attrs": {k: _relative(str(v)) for k, v in sorted(frame.attrs.items()) if k != "rows"},
    }


def outcome(load: Callable[[], pd.DataFrame]) -> dict[str, Any]:
    """A frame's summary, or the DataError's message and problems."""
    from lessons import DataError

    try:
        return {"frame": summary(load())}
    except DataError as err:
        message = _relative(str(err))
        problems = [[_relative(p.path), p.row, p.column, p.value, p.rule] for p in err.problems]
        return {
            "first_line": message.splitlines()[0][:160],
            "message_sha256": _sha(message),
            "problems": len(problems),
            "problems_sha256": _sha(json.dumps(problems, ensure_ascii=False)),
        }


def loaders() -> dict[str, Callable[[], pd.DataFrame]]:
    """Every public table loader of `lessons`, and `load_table` of every bundled table."""
    import lessons
    from lessons import data

    calls: dict[str, Callable[[], pd.DataFrame]] = {
        f"load_table({r['name']})": (lambda n=r["name"]: data.load_table(n))
        for r in data.datapackage()["resources"]
        if r.get("format") in ("csv", "tsv")
    }
    for name in lessons.__all__:
        if name.startswith("load_") and name not in ("load_shapes", "load_icews_raw"):
            calls[f"{name}()"] = getattr(lessons, name)
    calls["load_coded_events(context=True)"] = lambda: lessons.load_coded_events(context=True)
    for path in sorted((ROOT / "tests/fixtures/icews").glob("*.t*")):
        calls[f"load_icews_raw({path.name})"] = lambda p=path: lessons.load_icews_raw(p)
    return calls


def file_loaders() -> dict[str, Callable[[Path], pd.DataFrame]]:
    """Loaders that take a teacher's file: each fixture is read as each of these."""
    import lessons
    from lessons import data

    calls: dict[str, Callable[[Path], pd.DataFrame]] = {
        r["name"]: (lambda p, n=r["name"]: data.load_table(n, p))
        for r in data.datapackage()["resources"]
        if r.get("format") in ("csv", "tsv")
    }
    calls["load_events"] = lessons.load_events
    calls["load_report_claims"] = lessons.load_report_claims
    calls["icews_raw"] = lessons.load_icews_raw
    return calls


def snapshot() -> dict[str, Any]:
    out: dict[str, Any] = {"loaders": {}, "fixtures": {}}
    for name, load in loaders().items():
        out["loaders"][name] = outcome(load)
    for path in FIXTURES:
        for name, load in file_loaders().items():
            out["fixtures"][f"{path.name} as {name}"] = outcome(lambda p=path, f=load: f(p))
    return out


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(loaders()))
def test_every_loader_gives_the_recorded_frame(recorded: dict[str, Any], name: str) -> None:
    assert name in recorded["loaders"], f"{name} is new: regenerate the snapshot"
    assert outcome(loaders()[name]) == recorded["loaders"][name]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_gives_the_recorded_frame_or_message(
    recorded: dict[str, Any], path: Path
) -> None:
    for name, load in file_loaders().items():
        key = f"{path.name} as {name}"
        assert outcome(lambda f=load: f(path)) == recorded["fixtures"][key], key


def test_the_snapshot_covers_every_loader_and_fixture(recorded: dict[str, Any]) -> None:
    assert set(recorded["loaders"]) == set(loaders())
    keys = {f"{p.name} as {n}" for p in FIXTURES for n in file_loaders()}
    assert set(recorded["fixtures"]) == keys


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    taken = snapshot()
    lines = [
        f"  {json.dumps(part)}: {{\n"
        + ",\n".join(
            f"   {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in entries.items()
        )
        + "\n  }"
        for part, entries in taken.items()
    ]
    SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n", "utf-8")  # one entry a line
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
