"""`lessons classroom --rehearse 3`: three learners log in to a hub on loopback and run lesson 01.

The real thing end to end (hub, proxy, three servers, three kernels over their websockets),
so it needs the `classroom` extra and takes about a minute and a half on 2 busy cores. The
figures are not judged here (benchmarks/bench_classroom.py does that); what must hold is that
every learner got in and ran every cell without an error, that the final line carries the
agreed keys with measured values, and that nothing is left running afterwards.
"""

from __future__ import annotations

import math
import sys

import pytest

from lessons.classroom.rehearse import KEYS, Learner, Rehearsal, parse_final_line

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no JupyterHub on Windows")


def test_final_line_names_what_was_not_measured():
    nothing = Rehearsal(learners=[Learner("learner01")], run_single_s=None, hub_proxy_mib=None)
    figures = parse_final_line(nothing.final_line())
    assert tuple(figures) == KEYS
    assert figures["learners"] == 1 and figures["errors"] == 0
    assert math.isnan(figures["run_all_median_s"]) and math.isnan(figures["mem_per_learner_mib"])


def test_a_failed_learner_is_counted_and_named():
    learner = Learner("learner02", spawn_s=3.0)
    learner.fail("cell 4 error NameError: name 'x' is not defined")
    result = Rehearsal(learners=[learner], run_single_s=2.0, hub_proxy_mib=150.0)
    assert parse_final_line(result.final_line())["errors"] == 1
    assert "learner02: cell 4 error NameError" in result.table()


def test_rehearsal_of_three_learners():
    pytest.importorskip("jupyterhub")
    pytest.importorskip("configurable_http_proxy")
    psutil = pytest.importorskip("psutil")
    from lessons.classroom.rehearse import rehearse

    result = rehearse(3)
    table = result.table()
    figures = parse_final_line(result.final_line())
    assert figures["learners"] == 3
    assert figures["errors"] == 0, table
    for key in KEYS[2:]:
        assert figures[key] > 0, f"{key} not measured:\n{table}"
    # every learner logged in, opened the lesson and ran it, and their memory was read
    for learner in result.learners:
        assert None not in (learner.spawn_s, learner.kernel_s, learner.run_s), table
        assert learner.pids, f"{learner.name}'s server and kernel were not found"
    assert len(result.hub_pids) >= 2, "the hub and proxy processes were not found"
    # and nothing is left running: servers, kernels, hub and proxy all stopped
    left = []
    for pid in [*result.hub_pids, *(pid for learner in result.learners for pid in learner.pids)]:
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(process.cmdline())
        except psutil.NoSuchProcess:
            pass
    assert not left, f"left running: {left}"


def test_the_command_says_why_it_cannot_rehearse():
    from lessons.classroom.rehearse import rehearse_command

    lines: list[str] = []
    assert rehearse_command(0, echo=lines.append) == 1
    assert lines[-1] == "Rehearsal failed: a rehearsal needs at least one learner"


def test_lessons_classroom_offers_the_rehearsal():
    from click.testing import CliRunner

    from lessons.cli import main

    result = CliRunner().invoke(main, ["classroom", "--help"])
    assert result.exit_code == 0, result.output
    assert "--rehearse" in result.output
