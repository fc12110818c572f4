"""Learners on the class hub cannot read each other's work or the hub's files (issue 14.3).

As root on Linux, two learner accounts are made with the code the hub's pre-spawn hook runs
(`ensure_account` + `prepare_home` under a classroom folder laid out by the hub's own
`_prepare_folders`); one writes a file, the other is refused, and each can still use their
own home. The accounts are deleted afterwards. Elsewhere the test is skipped, with the reason.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lessons.classroom import learners
from lessons.classroom.config import Layout
from lessons.classroom.hub import _prepare_folders

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="learner accounts need Linux"),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0,
        reason="making learner accounts needs root (run the suite with sudo to prove isolation)",
    ),
    pytest.mark.skipif(shutil.which("useradd") is None, reason="this system has no useradd"),
]


@pytest.fixture
def classroom(tmp_path: Path) -> Iterator[tuple[Layout, list[str], Path]]:
    # pytest's tmp_path sits in a 0700 folder learners cannot pass; use an open one, as a
    # teacher's classroom folder must be.
    folder = Path(tempfile.mkdtemp(prefix="classroom-", dir="/tmp"))
    os.chmod(folder, 0o755)
    lessons_dir = tmp_path / "student"
    lessons_dir.mkdir()
    (lessons_dir / "00_start_here.ipynb").write_text("{}", encoding="utf-8")
    layout = Layout(folder / "classroom")
    _prepare_folders(layout)
    tag = secrets.token_hex(3)
    names = [f"iso{tag}a", f"iso{tag}b"]
    try:
        yield layout, names, lessons_dir
    finally:
        for name in names:
            learners.remove_account(name)
        shutil.rmtree(folder, ignore_errors=True)


def as_learner(name: str, *command: str) -> subprocess.CompletedProcess[str]:
    import pwd

    entry = pwd.getpwnam(learners.system_name(name))
    return subprocess.run(
        list(command),
        user=entry.pw_uid,
        group=entry.pw_gid,
        extra_groups=[],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )


def test_learners_cannot_read_each_other_or_the_hub(classroom) -> None:
    layout, (anna, ben), lessons_dir = classroom
    for name in (anna, ben):
        account = learners.ensure_account(name, layout.home(name))
        copied = learners.prepare_home(layout.home(name), lessons_dir, account)
        assert [p.name for p in copied] == ["00_start_here.ipynb"]
        assert layout.home(name).stat().st_uid == account.uid
        assert layout.home(name).stat().st_mode & 0o777 == 0o700
    (layout.hub_dir / "jupyterhub_cookie_secret").write_text("teacher's secret")

    secret = layout.home(anna) / "my_answer.txt"
    wrote = as_learner(anna, "sh", "-c", f"umask 077; echo anna-work > {secret}")
    assert wrote.returncode == 0, wrote.stderr
    assert as_learner(anna, "cat", str(secret)).stdout.strip() == "anna-work"
    assert as_learner(ben, "cat", str(layout.home(ben) / "00_start_here.ipynb")).returncode == 0

    for target in (
        secret,
        layout.home(anna) / "00_start_here.ipynb",
        layout.hub_dir / "jupyterhub_cookie_secret",
    ):
        refused = as_learner(ben, "cat", str(target))
        assert refused.returncode != 0
        assert "Permission denied" in refused.stderr
    pythons = (sys.executable, "/usr/bin/python3")
    python = next((p for p in pythons if learners.closed_folder(Path(p)) is None), None)
    if python is not None:  # the way a learner's notebook would try it
        read = f"open({str(secret)!r}).read()"
        refused = as_learner(ben, python, "-c", read)
        assert refused.returncode != 0 and "PermissionError" in refused.stderr
    listing = as_learner(ben, "ls", str(layout.home(anna)))
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    listing = as_learner(ben, "ls", str(layout.homes_dir))  # 0711: no list of classmates
    assert listing.returncode != 0 and "Permission denied" in listing.stderr


def test_account_is_made_once_and_removed(classroom) -> None:
    layout, (anna, _ben), _lessons = classroom
    first = learners.ensure_account(anna, layout.home(anna))
    again = learners.ensure_account(anna, layout.home(anna))
    assert first == again
    assert first.name == "rtl-" + anna
    assert anna in learners.learner_accounts()
    assert learners.remove_account(anna)
    assert anna not in learners.learner_accounts()


def test_memory_limit_stops_a_greedy_learner(classroom) -> None:
    _layout, (anna, _ben), _lessons = classroom
    if not learners.memory_limits_available():
        pytest.skip("no memory cgroup here: the limit is not enforced (see docs/classroom.md)")
    group = learners.memory_cgroup(anna, 64)
    assert group is not None
    grab = "x = bytearray(200 * 2**20); print('kept', len(x))"
    try:
        greedy = subprocess.run(
            [sys.executable, "-c", grab],
            preexec_fn=lambda: learners.join_cgroup(group),
            capture_output=True,
            text=True,
            check=False,
        )
        modest = subprocess.run(
            [sys.executable, "-c", grab.replace("200", "8")],
            preexec_fn=lambda: learners.join_cgroup(group),
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        learners.remove_memory_cgroups()
    assert greedy.returncode != 0 and "kept" not in greedy.stdout
    assert modest.returncode == 0 and "kept 8388608" in modest.stdout
