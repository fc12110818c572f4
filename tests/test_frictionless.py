"""The data package passes the reference validator of its own standard (frictionless-py).

Why: data/datapackage.json is the project's promise that its files follow a public standard;
a teacher or a researcher should be able to check every bundled file, its schema, checksum
and cross-file references with the Frictionless tools, not only with this project's loader.
The second test proves the validator really checks the claim -> event references.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lessons import data

frictionless = pytest.importorskip(
    "frictionless", reason="frictionless is in the test extra: uv sync --extra test"
)


def test_the_bundled_data_package_is_valid() -> None:
    report = frictionless.validate(str(data.data_dir() / "datapackage.json"))
    problems = [(task.name, error.message) for task in report.tasks for error in task.errors]
    assert report.valid, problems[:20] or [error.message for error in report.errors]
    checked = {task.name for task in report.tasks}
    assert checked == {r["name"] for r in data.datapackage()["resources"]}


def test_a_dangling_claim_event_link_is_caught_by_the_validator(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)
    links = copy / "claim_events.csv"
    text = links.read_text(encoding="utf-8")
    first = text.splitlines()[1]
    links.write_text(
        text.replace(first, first.split(",")[0] + ",2020-02-30-no-such-event", 1),
        encoding="utf-8",
    )
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    found = {
        (task.name, error.type, getattr(error, "row_number", None))
        for task in report.tasks
        for error in task.errors
    }
    assert ("claim_events", "foreign-key", 2) in found, found
