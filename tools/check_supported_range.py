"""Check the supported version range: lowest direct dependencies and the latest releases.

    python tools/check_supported_range.py [--variant lowest|latest ...] [--python 3.11 ...]
                                          [--skip-notebooks]

For each variant and Python it builds a throw-away venv under .bench/ (git-ignored) with uv:

  lowest  `uv pip compile --resolution lowest-direct pyproject.toml --extra test`: every
          direct dependency at its lower bound in pyproject.toml, the rest at their newest
          compatible release;
  latest  `uv pip compile --resolution highest --upgrade`: the newest releases, ignoring
          uv.lock;

then `uv pip sync`s it, installs the project itself with `--no-deps` (the built wheel, so
the packaged data is what the lessons read), and in that venv runs the unit tests
(`pytest tests -o addopts=''`, without tests/browser and LOCK_ONLY_TESTS) and executes every
notebook into a temporary copy (tools/execute_notebooks.py's `execute`), both under the test
suite's network guard and, when `unshare -n` works, in a network namespace. It also counts
the cells whose outputs differ, for nbval, from the stored ones (information only: the stored
outputs belong to the locked versions; the diff goes to .bench/<venv>/notebook-diff.txt).

A summary of resolved versions and results is printed and written to
.bench/supported-range.json. Exit status 0 when every variant passed. `--python` takes
anything `uv venv --python` takes (a version or an interpreter path); interpreters are never
downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
UV = ROOT / ".uv-tools" / ("Scripts" if os.name == "nt" else "bin") / "uv"
SHOWN = [
    "jupyterlab",
    "ipywidgets",
    "pandas",
    "numpy",
    "altair",
    "nbval",
    "anywidget",
    "vl-convert-python",
    "voila",
    "click",
    "ipykernel",
    "nbclient",
    "pytest",
    "playwright",
]
# Tests that check the environment *is* the locked one (so fail by design in these venvs).
LOCK_ONLY_TESTS = ["tests/test_delivery.py::test_doctor_passes_in_the_locked_environment"]
NOISE = re.compile(r"Kernel is running over TCP without encryption")
RESOLUTION = {
    "lowest": ["--resolution", "lowest-direct"],
    "latest": ["--resolution", "highest", "--upgrade"],
}


def uv_command() -> str:
    found = UV if UV.exists() else shutil.which("uv")
    if not found:
        sys.exit("uv not found: run `python3 run.py test` once (it installs .uv-tools/)")
    return str(found)


def netns_prefix() -> list[str]:
    """`unshare -n` with loopback up, when it works here (Linux, root); else nothing."""
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    prefix = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    return prefix if probe.returncode == 0 else []


def run(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> tuple[int, str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False, encoding="utf-8"
    )
    seconds = time.perf_counter() - started
    output = result.stdout + result.stderr
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"\n$ {' '.join(cmd)}\n[exit {result.returncode}, {seconds:.1f} s]\n")
        handle.write(output)
    return result.returncode, output, seconds


def python_version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def check_variant(variant: str, python_request: str, skip_notebooks: bool) -> dict:
    uv = uv_command()
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", Path(python_request).name)
    venv = BENCH / f"range-{variant}-{slug}"
    shutil.rmtree(venv, ignore_errors=True)
    BENCH.mkdir(exist_ok=True)
    log = BENCH / f"range-{variant}-{slug}.log"
    log.write_text(f"{variant} on {python_request}\n", encoding="utf-8")
    env = {
        **os.environ,
        "UV_PYTHON_DOWNLOADS": "never",
        "VIRTUAL_ENV": str(venv),
    }
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    result: dict = {"variant": variant, "python_request": python_request, "venv": str(venv)}
    print(f"\n== {variant} on Python {python_request}: {venv.relative_to(ROOT)}", flush=True)

    def step(name: str, cmd: list[str], step_env: dict[str, str] | None = None) -> bool:
        code, output, seconds = run(cmd, log, step_env or env)
        result.setdefault("seconds", {})[name] = round(seconds, 1)
        print(f"   {name}: {'ok' if code == 0 else f'FAILED (exit {code})'}, {seconds:.1f} s")
        if code != 0:
            result["failed_step"] = name
            lines = [line for line in output.strip().splitlines() if not NOISE.search(line)]
            print("\n".join(f"      {line}" for line in lines[-15:]))
        return code == 0

    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    requirements = venv / "requirements.txt"
    compile_cmd = [
        uv,
        "pip",
        "compile",
        "pyproject.toml",
        "--extra",
        "test",
        *RESOLUTION[variant],
        "--python",
        python,
        "--no-header",
        "--output-file",
        str(requirements),
    ]
    ok = (
        step("venv", [uv, "venv", "--python", python_request, str(venv)])
        and step("compile", compile_cmd)
        and step("sync", [uv, "pip", "sync", "--python", python, str(requirements)])
        and step("install project", [uv, "pip", "install", "--python", python, "--no-deps", "."])
    )
    if not (venv / "requirements.txt").exists():
        result["passed"] = False
        return result
    result["python"] = python_version(python) if Path(python).exists() else None
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", requirements.read_text(), flags=re.MULTILINE)
    )
    result["versions"] = {name: pins.get(name) for name in SHOWN}
    result["resolved_packages"] = len(pins)
    if not ok:
        result["passed"] = False
        return result

    offline = netns_prefix()
    result["network_namespace"] = bool(offline)
    run_env = {**env, "PATH": f"{Path(python).parent}{os.pathsep}{env.get('PATH', '')}"}
    tests_ok = unit_tests(python, run_env, offline, result, step, log)

    notebooks_ok = True
    if not skip_notebooks:
        notebooks_ok = step(
            "notebooks",
            [*offline, python, str(Path(__file__).resolve()), "--execute-into", str(venv / "nb")],
            run_env,
        )
        report = venv / "nb" / "report.json"
        if report.exists():
            result["notebooks"] = json.loads(report.read_text(encoding="utf-8"))
            nb = result["notebooks"]
            print(
                f"      {nb['executed']} executed, {len(nb['failed'])} failed "
                f"{nb['failed'] or ''}; cells differing from stored outputs (for nbval): "
                f"{nb['cells_differing']} (see {venv.name}/notebook-diff.txt)"
            )
    result["passed"] = tests_ok and notebooks_ok
    return result


def pytest_command(python: str, tests: list[str]) -> list[str]:
    command = [python, "-m", "pytest", *tests, "-o", "addopts=", "-p", "no:cacheprovider"]
    command += ["-q", "-rfE"]
    if (ROOT / "tests" / "browser").exists():
        command += ["--ignore", "tests/browser"]
    for test in LOCK_ONLY_TESTS:
        command += ["--deselect", test]
    return command


def failed_tests(output: str) -> list[str]:
    return sorted(set(re.findall(r"^(?:FAILED|ERROR) (\S+)", output, flags=re.MULTILINE)))


def unit_tests(python, run_env, offline, result, step, log) -> bool:
    """Run the unit tests; sort any failures into version-related and not.

    The work tree is shared with other engineers, so a failure is re-run at once in this venv
    and in the locked .venv: one that fails with the locked versions too (or passes on the
    re-run) is not caused by this variant's versions.
    """
    ok = step("unit tests", [*offline, *pytest_command(python, ["tests"])], run_env)
    output = log.read_text(encoding="utf-8").rsplit("\n$ ", 1)[-1]
    result["unit_tests"] = run_tail(log)
    print(f"      {result['unit_tests']}")
    failed = failed_tests(output)
    result["unit_test_failures"] = failed
    if ok or not failed:
        return ok
    locked = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    _code, again, _s = run([*offline, *pytest_command(python, failed)], log, run_env)
    still = failed_tests(again)
    in_locked: list[str] = []
    if locked.exists():
        locked_env = {k: v for k, v in run_env.items() if k != "VIRTUAL_ENV"}
        _code, base, _s = run([*offline, *pytest_command(str(locked), failed)], log, locked_env)
        in_locked = failed_tests(base)
    related = [t for t in still if t not in in_locked]
    result["unit_test_failures_also_locked"] = in_locked
    result["unit_test_failures_version_related"] = related
    print(f"      failed: {failed}")
    print(f"      of these, fail with the locked versions too (not version-related): {in_locked}")
    print(
        f"      pass when re-run (raced with edits in the work tree): "
        f"{[t for t in failed if t not in still]}"
    )
    print(f"      VERSION-RELATED: {related}")
    if not related:
        result.pop("failed_step", None)
    return not related


def run_tail(log: Path) -> str:
    """The last pytest summary line in the log ('N passed, … in N s')."""
    lines = [
        line.strip("= ").strip()
        for line in log.read_text(encoding="utf-8").splitlines()
        if re.search(r"\d+ (passed|failed|error)", line)
    ]
    return lines[-1] if lines else "(no pytest summary)"


def execute_into(folder: Path) -> int:
    """(Run by the venv's Python.) Execute every notebook into `folder`, offline."""
    sys.path.insert(0, str(ROOT / "tools"))
    import check_determinism
    from execute_notebooks import execute

    spec = importlib.util.spec_from_file_location(
        "_lessons_network_guard", ROOT / "tests" / "ipython_offline" / "network_guard.py"
    )
    guard = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = guard
    spec.loader.exec_module(guard)
    ipython_dir = tempfile.mkdtemp(prefix="lessons-ipython-")
    os.environ["IPYTHONDIR"] = ipython_dir
    guard.configure_kernels(os.environ)
    guard.install()
    try:
        return _execute_all(folder, check_determinism, execute)
    finally:
        shutil.rmtree(ipython_dir, ignore_errors=True)


def _execute_all(folder: Path, check_determinism, execute) -> int:
    """Execute each lesson into `folder`; count cells that differ from the stored outputs."""
    folder.mkdir(parents=True, exist_ok=True)
    patterns = check_determinism.sanitize_patterns()
    report = {"executed": 0, "failed": [], "cells_differing": 0, "seconds": {}}
    diff = io.StringIO()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        started = time.perf_counter()
        try:
            execute(path, folder / path.name)
        except Exception as error:  # report every notebook, not just the first failure
            report["failed"].append(path.name)
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip().splitlines()
            print(f"{path.name}: FAILED {type(error).__name__}: {' | '.join(text[-3:])}")
            continue
        report["executed"] += 1
        report["seconds"][path.name] = round(time.perf_counter() - started, 1)
        with contextlib.redirect_stdout(diff):
            cells, _full, _counts = check_determinism.compare_with_stored(
                path, folder / path.name, patterns
            )
        report["cells_differing"] += cells
    (folder.parent / "notebook-diff.txt").write_text(diff.getvalue(), encoding="utf-8")
    (folder / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 1 if report["failed"] else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", choices=sorted(RESOLUTION))
    parser.add_argument("--python", action="append", help="default: this interpreter's version")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--execute-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_into:
        return execute_into(args.execute_into)

    variants = args.variant or ["lowest", "latest"]
    pythons = args.python or [f"{sys.version_info.major}.{sys.version_info.minor}"]
    started = time.perf_counter()
    results = [check_variant(v, p, args.skip_notebooks) for p in pythons for v in variants]

    print("\n== Summary")
    columns = [f"{r['variant']} py{r.get('python') or r['python_request']}" for r in results]
    print(f"   {'':<20}" + "".join(f"{c:>20}" for c in columns))
    for name in SHOWN:
        values = [str((r.get("versions") or {}).get(name)) for r in results]
        print(f"   {name:<20}" + "".join(f"{v:>20}" for v in values))
    for r, column in zip(results, columns, strict=True):
        nb = r.get("notebooks") or {}
        lines = [
            f"{'PASS' if r['passed'] else 'FAIL'}",
            f"unit tests: {r.get('unit_tests', '-')}",
            f"version-related test failures: {r.get('unit_test_failures_version_related', [])}",
            f"notebooks executed: {nb.get('executed', '-')}, failed: {nb.get('failed', '-')}",
            f"cells differing from stored outputs: {nb.get('cells_differing', '-')}",
            f"seconds: {r.get('seconds')}",
        ]
        if "failed_step" in r:
            lines.append(f"failed at: {r['failed_step']}")
        print(f"   {column}: " + "; ".join(lines))
    print(f"   total {time.perf_counter() - started:.0f} s")
    summary_file = BENCH / "supported-range.json"  # one entry per venv, kept across runs
    previous = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.exists() else {}
    previous = previous if isinstance(previous, dict) else {}
    previous.update({Path(r["venv"]).name: r for r in results})
    summary_file.write_text(json.dumps(previous, indent=1), encoding="utf-8")
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
