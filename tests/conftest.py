"""Shared test set-up: tests run from any folder and never touch the network.

The network guard (tests/ipython_offline/network_guard.py) is installed in this pytest process
and, through PYTHONSTARTUP, in every Jupyter kernel that nbval starts, so a notebook or test
that reaches for another machine fails at once with "network blocked by the lessons test
suite". Kernels also get a throw-away IPYTHONDIR: no profile start-up files or configuration
of the user's, and no test cells written into the user's IPython history.

A teacher's `LESSONS_EVENTS` setting is cleared for the run. Exercise progress
(`lessons.checks`) goes to a throw-away file too: LESSONS_PROGRESS points
into the temporary IPYTHONDIR for kernels, and into a fresh folder for each test here.

This file is loaded when pytest collects `tests/` (as `python3 run.py test` does); a run of
`pytest notebooks` alone does not load it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUARD_FILE = ROOT / "tests" / "ipython_offline" / "network_guard.py"
_GUARD_NAME = "_lessons_network_guard"  # the name the kernel start-up file uses too
_KERNEL_ENV = (
    "PYTHONSTARTUP",
    "IPYTHONDIR",
    "LESSONS_NETWORK_GUARD",
    "LESSONS_PROGRESS",
    "LESSONS_EVENTS",
)
_saved_env: dict[str, str | None] = {}
_ipython_dir: str | None = None


def load_network_guard():
    """The guard module, loaded once by path (tests/ is not a package)."""
    if _GUARD_NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_GUARD_NAME, GUARD_FILE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_GUARD_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_GUARD_NAME]


def pytest_configure(config: pytest.Config) -> None:
    global _ipython_dir
    guard = load_network_guard()
    _saved_env.update({name: os.environ.get(name) for name in _KERNEL_ENV})
    _ipython_dir = tempfile.mkdtemp(prefix="lessons-ipython-")
    os.environ["IPYTHONDIR"] = _ipython_dir
    # exercise progress from kernels (nbval) and this process goes to a throw-away file,
    # never into notebooks/, student/ or the folder the suite runs in
    os.environ["LESSONS_PROGRESS"] = os.path.join(_ipython_dir, "lessons_progress.json")
    # a teacher's own events file (lessons.settings) must not reach the suite: the stored
    # outputs that nbval compares were made from the bundled record
    os.environ.pop("LESSONS_EVENTS", None)
    guard.configure_kernels(os.environ)
    guard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    guard = load_network_guard()
    guard.uninstall()
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if _ipython_dir is not None:
        shutil.rmtree(_ipython_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _progress_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test keeps exercise progress in a file of its own, outside the repository."""
    folder = tmp_path_factory.mktemp("progress")
    monkeypatch.setenv("LESSONS_PROGRESS", str(folder / "lessons_progress.json"))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def network_guard():
    """The network guard module (installed in this process for the whole session)."""
    return load_network_guard()
