"""Learners: their names, their own Unix accounts and homes, their own copy of the lessons.

Why one Unix account per learner: with every server running as the same user, any learner's
notebook can read every other learner's work and the teacher's files. A learner's account
(`rtl-<name>`, no login shell, no password) owns only their home, a 0700 folder under the
classroom folder, so the operating system keeps learners apart. The hub (run as root)
creates the account at the first login, with the same functions the isolation test uses.

Why copy only missing lessons: a learner's edits are never overwritten; a lesson the teacher
adds later still reaches them at their next login.

>>> system_name("anna")
'rtl-anna'
>>> valid_name("Anna"), valid_name("anna-2")
(False, True)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lessons.classroom.config import USER_PREFIX
from lessons.project import lesson_files

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
PROGRESS_FILE = "lessons_progress.json"
CGROUP_PARENT = "lessons-classroom"


def valid_name(name: str) -> bool:
    """Whether a learner name is usable (small letters, digits, - and _, 1–20 characters)."""
    return bool(NAME_PATTERN.match(name))


def system_name(learner: str) -> str:
    """The Unix account of a learner."""
    if not valid_name(learner):
        raise ValueError(f"learner name {learner!r}: use small letters, digits, - or _")
    return USER_PREFIX + learner


def can_isolate() -> str | None:
    """None if learners can get their own accounts here, else why not (one line)."""
    if sys.platform != "linux":
        return f"one account per learner needs Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return "one account per learner needs the hub to run as root (sudo)"
    if shutil.which("useradd") is None:
        return "one account per learner needs `useradd`, which this system lacks"
    return None


def closed_folder(path: Path) -> Path | None:
    """The first folder on the way to `path` that other users cannot pass through, or None.

    Learners' accounts must reach their homes and run the environment's Python.

    >>> closed_folder(Path("/")) is None
    True
    """
    path = path.resolve()
    for folder in [*reversed(path.parents), path] if path.is_dir() else reversed(path.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


@dataclass(frozen=True)
class Account:
    """A learner's Unix account."""

    name: str
    uid: int
    gid: int


def ensure_account(learner: str, home: Path) -> Account:
    """The learner's Unix account, created if missing (root only), with `home` as its home."""
    import pwd

    name = system_name(learner)
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
    if entry is None:
        command = [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            str(home),
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            "Russia-Turkey Lessons learner",
            name,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 and "already exists" not in done.stderr:
            raise OSError(f"could not create the account {name}: {done.stderr.strip()}")
        entry = pwd.getpwnam(name)
    return Account(name, entry.pw_uid, entry.pw_gid)


def remove_account(learner: str) -> bool:
    """Delete a learner's Unix account (not their home); False if there was none."""
    done = subprocess.run(
        ["userdel", system_name(learner)], capture_output=True, text=True, check=False
    )
    return done.returncode == 0


def learner_accounts() -> list[str]:
    """The learner names that have a Unix account on this machine."""
    import pwd

    return sorted(
        p.pw_name.removeprefix(USER_PREFIX)
        for p in pwd.getpwall()
        if p.pw_name.startswith(USER_PREFIX) and p.pw_gecos.startswith("Russia-Turkey Lessons")
    )


def prepare_home(
    home: Path, lessons_dir: Path | None, account: Account | None = None
) -> list[Path]:
    """Make the learner's home (0700, theirs) and copy in the lessons it lacks; return them.

    Existing files are never touched, so a learner's work survives every later login.
    """
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    copied = []
    for lesson in lesson_files(lessons_dir) if lessons_dir else []:
        target = home / lesson.name
        if not target.exists():
            shutil.copyfile(lesson, target)
            copied.append(target)
    os.chmod(home, 0o700)
    if account is not None:
        for path in [home, *copied]:
            os.chown(path, account.uid, account.gid)
    return copied


RUNTIME_ROOT = Path("/tmp/rtl-run")  # short: a Unix socket path may not exceed 107 bytes


def runtime_dir(learner: str, account: Account | None = None, root: Path = RUNTIME_ROOT) -> Path:
    """A short private folder for the learner's kernel sockets (JUPYTER_RUNTIME_DIR).

    Why: 30 servers starting kernels at once each pick "free" TCP ports, and two can pick the
    same one (seen in the N = 30 rehearsal: one kernel died with "Address already in use").
    Kernels that talk over local sockets in a folder of their own cannot collide; the folder
    must be short because the socket paths live inside it. Only the learner can enter it.

    >>> import tempfile
    >>> folder = runtime_dir("ada", root=Path(tempfile.mkdtemp()) / "run")
    >>> folder.name, oct(folder.stat().st_mode & 0o777)
    ('ada', '0o700')
    """
    root.mkdir(mode=0o711, parents=True, exist_ok=True)
    folder = root / learner
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    if account is not None:
        os.chown(folder, account.uid, account.gid)
    return folder


def copy_cache(cache_dir: Path, home: Path, account: Account | None = None) -> list[Path]:
    """Copy what the hub prepared once (the charts' JavaScript bundle) into a learner's cache.

    Why: each new home would otherwise build the same 0.9 MB bundle in its first kernel, about
    8 s of CPU per learner at the start of a class. Files already there are kept.
    """
    copied = []
    for source in sorted(cache_dir.glob("*/*")) if cache_dir.is_dir() else []:
        target = home / ".cache" / source.relative_to(cache_dir)
        if source.is_file() and not target.exists():
            made = [p for p in (home / ".cache", target.parent) if not p.exists()]
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(target)
            if account is not None:
                for path in [*made, target]:
                    os.chown(path, account.uid, account.gid)
    return copied


# --- memory limits: the kernel's memory controller, where the machine lets us use it ----------


def _own_cgroup() -> tuple[Path, str] | None:
    """(the memory controller's folder for this process's group, 'v1' or 'v2'), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    root = Path("/sys/fs/cgroup")
    for line in lines:
        _id, controllers, group = line.split(":", 2)
        if "memory" in controllers.split(","):
            folder = root / "memory" / group.lstrip("/")
            if (folder / "memory.limit_in_bytes").exists():
                return folder, "v1"
    for line in lines:
        if line.startswith("0::"):
            for base in (root, root / "unified"):
                folder = base / line[3:].lstrip("/")
                controllers = folder / "cgroup.controllers"
                if controllers.exists() and "memory" in controllers.read_text().split():
                    return folder, "v2"
    return None


def memory_limits_available() -> bool:
    """Whether learners' memory can be limited here (root, and a memory controller)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and _own_cgroup() is not None


def remove_memory_cgroups() -> None:
    """Remove the learners' memory groups that no process uses any more."""
    found = _own_cgroup()
    if found is None:
        return
    for group in sorted((found[0] / CGROUP_PARENT).glob(USER_PREFIX + "*")):
        with contextlib.suppress(OSError):  # still in use (another hub) or already gone
            group.rmdir()
    with contextlib.suppress(OSError):  # only once every learner's group is gone
        (found[0] / CGROUP_PARENT).rmdir()


def memory_cgroup(learner: str, limit_mib: int) -> Path | None:
    """A memory-limited control group for one learner's processes (None where unavailable).

    It sits under this process's own group, so the limit nests inside whatever limits the
    hub itself has. Only root can make it; everywhere else the limit is not enforced.
    """
    found = _own_cgroup() if limit_mib > 0 else None
    if found is None:
        return None
    own, version = found
    parent, group = own / CGROUP_PARENT, own / CGROUP_PARENT / system_name(learner)
    try:
        if version == "v2":
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+memory")
            group.mkdir(exist_ok=True)
            (group / "memory.max").write_text(str(limit_mib * 2**20))
            (group / "memory.swap.max").write_text("0")
        else:
            group.mkdir(parents=True, exist_ok=True)
            (group / "memory.limit_in_bytes").write_text(str(limit_mib * 2**20))
    except OSError:
        return None
    return group


def join_cgroup(group: Path | None) -> None:
    """Move the calling process into `group` (used between fork and exec, as root).

    A group that has gone (another hub on this machine tidied it away) is skipped: a server
    without its limit is better than a learner who cannot start one.
    """
    if group is not None:
        with contextlib.suppress(OSError), open(group / "cgroup.procs", "w") as procs:
            procs.write(str(os.getpid()))
