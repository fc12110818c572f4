"""Check that the lessons execute deterministically, offline, and match their stored outputs.

    python tools/check_determinism.py [--runs 3] [--netns auto|on|off] [--keep DIR]
                                      [notebooks/NN_name.ipynb ...]

1. Executes every notebook afresh into a temporary folder (tools/execute_notebooks.py's
   `execute`, the same code that writes the stored outputs; kernels run in notebooks/).
2. Runs nbval (the project's pytest addopts and tests/nbval_sanitize.cfg) against those fresh
   copies `--runs` times in a row, and reports passed / failed cells per run and which cells
   differed.
3. Diffs the stored notebooks' outputs against the fresh executions after applying the same
   sanitize regexes, in two views: what nbval compares (text/plain, text/html, stream text,
   …; not metadata, images or widget model ids) and everything in the file (all outputs and
   execution counts; widget model ids, random by design, excepted), and prints every
   difference.

Every kernel runs with the test suite's network guard (tests/ipython_offline). With
`--netns on` (the default `auto` uses it when it works: Linux, root, `unshare` and `ip`) the
whole check also runs in a fresh network namespace that has only a loopback interface, so
code outside Python (vl-convert's Rust, C libraries) cannot reach the network either.
Exit status 0 only if every nbval run passed and no nbval-relevant difference was found (a
difference with the stored outputs alone means: re-execute that notebook with
`python3 run.py execute notebooks/NN_name.ipynb`).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import execute

ROOT = Path(__file__).resolve().parents[1]
SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"
GUARD_FILE = ROOT / "tests" / "ipython_offline" / "network_guard.py"
NETNS_MARK = "LESSONS_IN_NETNS"
# What nbval leaves out of its comparison (nbval/plugin.py, without --nbdime).
NBVAL_SKIP = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",  # model ids are random
    "image/png",
    "image/jpeg",
}
MAX_DIFF_LINES = 40
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def load_network_guard():
    spec = importlib.util.spec_from_file_location("_lessons_network_guard", GUARD_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def netns_works() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, check=False
    )
    return probe.returncode == 0


def reexec_in_netns(argv: list[str]) -> int:
    """Run this script again in a new network namespace with only `lo` up."""
    env = {**os.environ, NETNS_MARK: "1"}
    command = [sys.executable, str(Path(__file__).resolve()), *argv]
    wrapper = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    return subprocess.run(wrapper, env=env, cwd=ROOT, check=False).returncode


def sanitize_patterns() -> list[tuple[str, str]]:
    # The same parser nbval uses for --nbval-sanitize-with.
    text = SANITIZE_FILE.read_text(encoding="utf-8")
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)


def sanitize(value, patterns, deep: bool):
    """nbval sanitizes top-level strings only (deep=False); the full view goes into JSON."""
    if isinstance(value, str):
        for regex, replace in patterns:
            value = re.sub(regex, replace, value)
        return value
    if deep and isinstance(value, dict):
        return {k: sanitize(v, patterns, deep) for k, v in value.items()}
    if deep and isinstance(value, list):
        return [sanitize(v, patterns, deep) for v in value]
    return value


def coalesce_streams(outputs: list[dict]) -> list[dict]:
    """Merge stream outputs of the same name, as nbval does before comparing."""
    merged: list[dict] = []
    streams: dict[str, dict] = {}
    for output in outputs:
        if output["output_type"] == "stream":
            if output["name"] in streams:
                streams[output["name"]]["text"] += output["text"]
                continue
            output = {**output}
            streams[output["name"]] = output
        merged.append(output)
    return merged


def nbval_view(outputs: list[dict], patterns) -> dict[str, list]:
    """Outputs flattened the way nbval compares them: key (or MIME type) -> list of values."""
    flat: dict[str, list] = {}
    for output in coalesce_streams([dict(o) for o in outputs]):
        if output["output_type"] == "stream":
            output = {"output_type": "stream", output["name"]: output["text"]}
        for key, value in output.items():
            if key in NBVAL_SKIP:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in NBVAL_SKIP:
                        flat.setdefault(mime, []).append(sanitize(data, patterns, deep=False))
            else:
                flat.setdefault(key, []).append(sanitize(value, patterns, deep=False))
    return flat


def full_view(cell: dict, patterns) -> dict:
    outputs = json.loads(json.dumps(cell.get("outputs", [])))
    for output in outputs:  # widget model ids are random uuids by design: not a difference
        view = output.get("data", {}).get(WIDGET_VIEW)
        if isinstance(view, dict) and "model_id" in view:
            view["model_id"] = "MODEL_ID"
    return {
        "execution_count": cell.get("execution_count"),
        "outputs": sanitize(outputs, patterns, deep=True),
    }


def _lines(value) -> list[str]:
    text = value if isinstance(value, str) else json.dumps(value, indent=1, sort_keys=True)
    return text.splitlines()


def show_diff(title: str, stored, fresh) -> None:
    diff = list(
        difflib.unified_diff(_lines(stored), _lines(fresh), "stored", "fresh", lineterm="", n=1)
    )
    print(f"    {title}")
    for line in diff[:MAX_DIFF_LINES]:
        print(f"      {line if len(line) <= 300 else line[:300] + ' …'}")
    if len(diff) > MAX_DIFF_LINES:
        print(f"      … {len(diff) - MAX_DIFF_LINES} more diff lines")


def compare_with_stored(stored_path: Path, fresh_path: Path, patterns) -> tuple[int, int, int]:
    """Print differences; return (nbval-relevant cells, cells differing in any way, counts)."""
    stored = nbformat.read(stored_path, as_version=4)
    fresh = nbformat.read(fresh_path, as_version=4)
    nbval_cells = full_cells = count_cells = 0
    pairs = zip(stored.cells, fresh.cells, strict=True)
    for index, (old, new) in enumerate(pairs):
        if old.cell_type != "code":
            continue
        label = f"{stored_path.name} cell {index} (In [{old.get('execution_count')}])"
        old_nbval, new_nbval = nbval_view(old.outputs, patterns), nbval_view(new.outputs, patterns)
        if old_nbval != new_nbval:
            nbval_cells += 1
            print(f"  DIFFERS for nbval: {label}")
            for key in sorted(set(old_nbval) | set(new_nbval)):
                if old_nbval.get(key) != new_nbval.get(key):
                    show_diff(key, old_nbval.get(key), new_nbval.get(key))
        old_full, new_full = full_view(old, patterns), full_view(new, patterns)
        if old_full != new_full:
            full_cells += 1
            if old_full["execution_count"] != new_full["execution_count"]:
                count_cells += 1
            if old_nbval == new_nbval:
                print(f"  differs outside nbval's comparison: {label}")
                show_diff("full outputs", old_full, new_full)
    return nbval_cells, full_cells, count_cells


def run_nbval(folder: Path, run: int, report_dir: Path) -> dict:
    junit = report_dir / f"nbval-run{run}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(folder),
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    counts: Counter[str] = Counter()
    differing: list[str] = []
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = f"{Path(case.get('classname', '').replace('.', '/')).name}::{case.get('name')}"
            outcome = "passed"
            for tag in ("failure", "error", "skipped"):
                element = case.find(tag)
                if element is not None:
                    outcome = {"failure": "failed", "error": "errors"}.get(tag, tag)
                    message = (element.get("message") or "") + (element.text or "")
                    if "Cell outputs differ" in message:
                        differing.append(name)
                    else:
                        differing.append(f"{name} (not an output difference)")
            counts[outcome] += 1
    else:
        print(result.stdout[-3000:], result.stderr[-3000:])
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    return {
        "returncode": result.returncode,
        "seconds": seconds,
        "counts": counts,
        "differing": differing,
        "summary": summary,
        "log": result.stdout,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--netns", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--keep", type=Path, help="write the fresh notebooks here and keep them")
    args = parser.parse_args(argv)

    inside = os.environ.get(NETNS_MARK) == "1"
    if not inside and args.netns != "off":
        if netns_works():
            print("Running in a new network namespace (unshare -n; only loopback).", flush=True)
            return reexec_in_netns(argv)
        if args.netns == "on":
            print("--netns on: `unshare -n` does not work here", file=sys.stderr)
            return 2
        print("No network namespace (unshare -n unavailable): Python guard only.", flush=True)

    guard = load_network_guard()
    ipython_dir = tempfile.mkdtemp(prefix="lessons-ipython-")
    os.environ["IPYTHONDIR"] = ipython_dir
    guard.configure_kernels(os.environ)
    guard.install()

    paths = [p.resolve() for p in args.notebooks] or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )
    work = Path(tempfile.mkdtemp(prefix="lessons-determinism-"))
    fresh_dir = (args.keep or work / "notebooks").resolve()
    fresh_dir.mkdir(parents=True, exist_ok=True)
    patterns = sanitize_patterns()
    try:
        print(f"\n== Fresh execution of {len(paths)} notebooks into {fresh_dir}", flush=True)
        started = time.perf_counter()
        for path in paths:
            execute(path, fresh_dir / path.name)
        print(f"   executed in {time.perf_counter() - started:.1f} s", flush=True)

        print("\n== Stored outputs vs fresh execution (sanitized)", flush=True)
        totals = Counter()
        for path in paths:
            nbval_cells, full_cells, count_cells = compare_with_stored(
                path, fresh_dir / path.name, patterns
            )
            totals.update(nbval=nbval_cells, full=full_cells, counts=count_cells)
        print(
            f"   cells differing for nbval: {totals['nbval']}; differing in any way: "
            f"{totals['full']} (of which execution count differs: {totals['counts']})"
        )

        print(f"\n== nbval against the fresh copies, {args.runs} runs", flush=True)
        runs = []
        for run in range(1, args.runs + 1):
            outcome = run_nbval(fresh_dir, run, work)
            runs.append(outcome)
            counts = outcome["counts"]
            print(
                f"   run {run}: {counts['passed']} passed, {counts['failed']} failed, "
                f"{counts['errors']} errors, {counts['skipped']} skipped; "
                f"{len(outcome['differing'])} differing cells; {outcome['seconds']:.1f} s",
                flush=True,
            )
            for name in outcome["differing"]:
                print(f"      {name}")
            if outcome["returncode"] != 0 and not outcome["differing"]:
                print(outcome["log"][-4000:])
        stable = all(r["returncode"] == 0 for r in runs)
        stale = totals["nbval"]
        guards = ("network namespace + " if inside else "") + "Python network guard"
        print(
            f"\nRESULT: fresh executions {'pass' if stable else 'FAIL'} nbval in "
            f"{sum(r['returncode'] == 0 for r in runs)} of {len(runs)} runs; stored outputs "
            + ("match a fresh execution" if not stale else f"DIFFER in {stale} cell(s)")
            + f" [{guards}]"
        )
        ok = stable and not stale
        return 0 if ok else 1
    finally:
        guard.uninstall()
        shutil.rmtree(ipython_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
