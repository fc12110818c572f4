"""What each `run.py` command installs, the offline bundle, licences.

Why these tests: a learner's laptop should get the runtime set only (the test tools are most
of the download); one `.venv/` serves every command, so a later `lab` must never uninstall
what `test` added; a bundle must install with no network; the lock leaves out the grammar
`import lessons` used to defer with a stand-in module.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".uv-tools" / "bin" / "uv"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """run.py with its .venv, stamp and wheels/ moved to a temporary folder, and every
    command it would run recorded instead of run."""
    spec = importlib.util.spec_from_file_location("run_py_install", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / ".lessons-stamp")
    monkeypatch.setattr(module, "WHEELS", tmp_path / "wheels")
    monkeypatch.setattr(module, "_ensure_uv", lambda: Path("/uv"))
    module.ran = []

    def record(cmd: list[str], **kwargs) -> None:
        module.ran.append(cmd)
        if "-c" in cmd:  # the bytecode step runs last: the environment now exists
            module.VENV.mkdir(exist_ok=True)

    monkeypatch.setattr(module, "_run", record)
    return module


def _syncs(run) -> list[list[str]]:
    return [cmd[cmd.index("sync") :] for cmd in run.ran if "sync" in cmd]


def test_learners_get_the_runtime_set_and_test_adds_its_extra(run) -> None:
    run.ensure_environment("lab")
    assert _syncs(run) == [
        ["sync", "--locked", "--no-compile-bytecode", "--python", sys.executable]
    ]
    assert json.loads(run.STAMP.read_text())["extras"] == []
    run.ran.clear()
    run.ensure_environment("doctor")  # nothing to do: the same set
    assert run.ran == []
    run.ensure_environment("test")
    assert _syncs(run)[0][:4] == ["sync", "--locked", "--extra", "test"]
    run.ran.clear()
    run.ensure_environment("lab")  # a later lab keeps the test tools: nothing is run
    assert run.ran == []
    run.ensure_environment("classroom")  # adds its extra, keeps test's
    assert _syncs(run)[0][:6] == ["sync", "--locked", "--extra", "classroom", "--extra", "test"]
    assert json.loads(run.STAMP.read_text())["extras"] == ["classroom", "test"]


def test_a_changed_lock_resyncs_and_keeps_the_extras(run) -> None:
    run.VENV.mkdir()
    run.STAMP.write_text(json.dumps({"fingerprint": "old", "extras": ["test"]}))
    run.ensure_environment("lab")
    assert _syncs(run)[0][:4] == ["sync", "--locked", "--extra", "test"]


def test_a_stamp_from_before_extras_counts_as_the_test_set(run) -> None:
    """Environments made by the earlier run.py always held the test extra."""
    run.VENV.mkdir()
    run.STAMP.write_text(run._fingerprint())
    assert run.read_stamp()["extras"] == ["test"]
    run.ensure_environment("test")
    assert run.ran == []


def test_every_extra_run_py_names_exists_in_pyproject(run) -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    for command, names in run.EXTRAS.items():
        assert set(names) <= set(extras), command
    assert "classroom" in run.LESSONS_COMMANDS  # delegated to `lessons classroom`


def test_offline_copy_installs_from_its_wheels_only(run) -> None:
    run.WHEELS.mkdir()
    (run.WHEELS / "requirements.txt").write_text("pandas==3.0.0 --hash=sha256:00\n")
    (run.WHEELS / "russia_turkey_lessons-0.1.0-py3-none-any.whl").write_bytes(b"")
    run.ensure_environment("lab")
    installs = [cmd for cmd in run.ran if "install" in cmd]
    assert len(installs) == 2
    for cmd in installs:
        assert {"--offline", "--no-index"} <= set(cmd)
        assert cmd[cmd.index("--find-links") + 1] == str(run.WHEELS)
    assert installs[0][-2:] == ["-r", str(run.WHEELS / "requirements.txt")]
    assert installs[1][-2:] == [
        "--no-deps",
        str(run.WHEELS / "russia_turkey_lessons-0.1.0-py3-none-any.whl"),
    ]
    with pytest.raises(SystemExit, match="needs the test extra"):
        run.ensure_environment("test")


def test_bundle_refuses_a_used_folder_or_a_folder_inside_the_lessons(run, tmp_path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not empty"):
        run.bundle_arguments([str(used)])
    with pytest.raises(SystemExit, match="inside this lessons folder"):
        run.bundle_arguments([str(ROOT / "bundle")])
    with pytest.raises(SystemExit, match="no lesson 42 here"):
        run.bundle_arguments([str(tmp_path / "new"), "--lesson", "42"])
    assert run.bundle_arguments([str(tmp_path / "new"), "--lesson", "4", "--lesson", "01"]) == (
        tmp_path / "new",
        ["04", "01"],
    )
    assert (used / "notes.txt").read_text() == "mine"


@pytest.mark.skipif(not UV.exists(), reason="the pinned uv is not installed in .uv-tools/")
def test_the_bundle_requirements_are_the_locked_runtime_set_with_hashes(run, tmp_path) -> None:
    out = tmp_path / "requirements.txt"
    done = subprocess.run(run.requirements_command(UV, out), cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    text = out.read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", text, re.M))
    locked = {p["name"]: p["version"] for p in LOCK["package"]}
    assert pins and all(locked[name] == version for name, version in pins.items())
    for needed in ("jupyterlab", "ipywidgets", "pandas", "altair", "anywidget", "voila"):
        assert needed in pins
    for left_out in ("pytest", "playwright", "ruff", "nbval", "hypothesis", "jupyterhub"):
        assert left_out not in pins, f"{left_out} is not for learners"
    assert "russia-turkey-lessons" not in pins  # the project goes in as its own wheel
    assert text.count("--hash=sha256:") >= len(pins)
    download = run.download_command(UV, out, tmp_path / "wheels")
    assert {"--no-deps", "--only-binary=:all:"} <= set(download)
    assert download[-2:] == ["-r", str(out)]


def test_the_lock_leaves_out_the_iri_grammar() -> None:
    assert PYPROJECT["tool"]["uv"]["exclude-dependencies"] == ["rfc3987-syntax"]
    names = {p["name"] for p in LOCK["package"]}
    assert "rfc3987-syntax" not in names and "lark" not in names
    assert "jsonschema" in names  # still there, without the "iri" format check
    # the environment follows the lock, and nothing imitates the package at import any more
    # (tests/test_imports.py checks that `import lessons` plants nothing in sys.modules)
    assert importlib.util.find_spec("rfc3987_syntax") is None
    assert not (ROOT / "src" / "lessons" / "quick_import.py").exists()
    assert any(
        r.startswith("frictionless") for r in PYPROJECT["project"]["optional-dependencies"]["test"]
    )


def test_licences_are_stated_at_the_root_and_in_the_package_metadata() -> None:
    mit = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in mit
    lessons = (ROOT / "LICENSE-lessons").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/" in lessons
    assert "data/SOURCES.md" in lessons  # third-party data keep their own licences
    project = PYPROJECT["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert all((ROOT / name).is_file() for name in project["license-files"])
