"""Target 2: loading costs little next to starting Python, and a big teacher file fails fast.

Two targets (issue 13.6):

(a) Loading and validating EVERY bundled dataset (each table with all its checks, the map
    shapes too) takes <= 5 % of one Python start plus the lesson imports. The floor is the
    wall time of `python -c "import lessons, altair, ipywidgets, pandas"` in a fresh process;
    the load is timed inside another fresh process, after those same imports and with every
    cache in `lessons` cleared, so nothing is served from memory. Why this yardstick: a
    learner pays the start once per kernel; if loading everything stays a small fraction of
    it, the reader needs no fast path (the old "<= 1.3x read_csv" target, retired in
    issue 13, paid for one with a second implementation of every rule).
(b) A teacher's own events file of 100,000 rows with ONE bad value near its end gets its
    first clear error (`DataError` naming file, row and column) in <= 10 s. The file is
    SYNTHETIC: real rows of data/events.csv repeated with new ids `synthetic-NNNNNNN-…`, written
    to a temporary folder and deleted afterwards. Timed in a fresh process, from the call to
    `load_events(path)` until the error is raised, as a teacher would meet it.

The targets are on wall time, as the issue states them. CPU time (the process's user +
system) is reported beside it, because on a shared machine a busy neighbour stretches wall
time far more than CPU time.
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._timing import ROOT, Report, Result, median, ratio_result, seconds
from benchmarks.synthetic import synthetic_events

FLOOR_CODE = "import lessons, altair, ipywidgets, pandas"
LIMIT = 0.05
ERROR_LIMIT_S = 10.0
BAD_DATE = "2019-02-30"  # no such day: the reader must say so, with its row and column

# Runs in a fresh process: the same imports as the floor, every lessons cache emptied, then
# every dataset loaded through the public loaders; prints the wall and CPU seconds they took.
LOAD_ALL = f"""
import json, sys, time, functools
{FLOOR_CODE}
import lessons.data
for name, module in list(sys.modules.items()):
    if name == "lessons" or name.startswith("lessons."):
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
short = {{v: k for k, v in getattr(lessons.data, "SHAPES", {{}}).items()}}
each = {{}}
start, cpu = time.perf_counter(), time.process_time()
for row in lessons.list_datasets().itertuples():
    began = time.perf_counter()
    if row.format in ("csv", "tsv"):
        loaded = lessons.data.load_table(row.name)
    else:
        loaded = lessons.load_shapes(short.get(row.name, row.name.split("_")[0]))
    each[row.name] = (time.perf_counter() - began, len(loaded) if row.format == "csv" else None)
total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({{"total": total, "cpu": total_cpu, "each": each}}))
"""

FIRST_ERROR = """
import json, sys, time
import lessons
start, cpu = time.perf_counter(), time.process_time()
try:
    lessons.load_events(sys.argv[1])
except lessons.DataError as err:
    took, took_cpu = time.perf_counter() - start, time.process_time() - cpu
    first = err.problems[0]
    print(json.dumps({"seconds": took, "cpu": took_cpu, "message": str(err), "row": first.row,
                      "column": first.column, "count": len(err.problems)}))
else:
    print(json.dumps({"seconds": time.perf_counter() - start, "message": None}))
"""


def _json_run(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor_run() -> tuple[float, float]:
    """Wall and CPU seconds of one `python -c FLOOR_CODE` (CPU: user + system, the child's)."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_CODE], cwd=ROOT, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def load_every_dataset(repeats: int) -> dict[str, list]:
    """Floor and load samples (wall and CPU), fresh processes, alternating which goes first.

    One warm-up round first (not counted): it fills the OS file cache for both.
    """
    floor_run(), _json_run(LOAD_ALL)
    out: dict[str, list] = {"floor": [], "floor_cpu": [], "load": [], "load_cpu": []}
    for round_no in range(repeats):
        for which in ("floor", "load") if round_no % 2 == 0 else ("load", "floor"):
            if which == "floor":
                wall, cpu = floor_run()
            else:
                loaded = _json_run(LOAD_ALL)
                wall, cpu = loaded["total"], loaded["cpu"]
                out["each"] = loaded["each"]
            out[which].append(wall)
            out[f"{which}_cpu"].append(cpu)
    return out


def with_bad_value(folder: Path, rows: int) -> tuple[Path, int]:
    """The synthetic file with BAD_DATE in the `date` cell of its 10th row from the end.

    Returns the file and that row's number as a spreadsheet shows it (the header is row 1).
    """
    path = synthetic_events(folder, rows)
    with open(path, encoding="utf-8", newline="") as handle:
        header, *records = list(csv.reader(handle))
    records[-10][header.index("date")] = BAD_DATE
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *records])
    return path, len(records) - 10 + 2


def first_error(rows: int, repeats: int) -> dict:
    """Time to the first DataError in fresh processes, and what it said."""
    with tempfile.TemporaryDirectory(prefix="lessons-bench-") as tmp:
        path, row = with_bad_value(Path(tmp), rows)
        size_mb = path.stat().st_size / 1e6
        runs = [_json_run(FIRST_ERROR, str(path)) for _ in range(repeats)]
    if any(run["message"] is None for run in runs):
        raise RuntimeError(f"{path.name}: the bad date on row {row} was not reported")
    return {
        "wall": [r["seconds"] for r in runs],
        "cpu": [r["cpu"] for r in runs],
        "message": runs[0]["message"].replace(str(path), path.name),
        "row": row,
        "size_mb": size_mb,
        "named": all((r["row"], r["column"]) == (row, "date") for r in runs),
    }


def run(repeats: int = 9, rows: int = 100_000, error_repeats: int = 3) -> Report:
    s = load_every_dataset(repeats)
    floor_s, load_s = median(s["floor"]), median(s["load"])
    floor_cpu, load_cpu = median(s["floor_cpu"]), median(s["load_cpu"])
    each = s["each"]
    what = f"every bundled dataset ({len(each)}) loaded and validated, fresh process"
    results = [
        ratio_result(
            f"{what}, vs one Python start + `{FLOOR_CODE}` (wall time)",
            load_s,
            floor_s,
            LIMIT,
        ),
        Result(
            f"{what}, vs the same start (CPU time: less sensitive to a busy machine)",
            f"{seconds(load_cpu)} vs floor {seconds(floor_cpu)}",
            load_cpu / floor_cpu,
            "for reference",
            None,
        ),
    ]
    err = first_error(rows, error_repeats)
    slowest = max(err["wall"])
    results.append(
        Result(
            f"teacher's events file, {rows:,} SYNTHETIC rows, one bad date near the end: "
            "time to the first clear error (fresh process)",
            f"{seconds(median(err['wall']))} (slowest of {len(err['wall'])}: "
            f"{seconds(slowest)}; CPU {seconds(median(err['cpu']))})",
            None,
            f"<= {ERROR_LIMIT_S:.0f} s",
            slowest <= ERROR_LIMIT_S and err["named"],
        )
    )
    top = sorted(each.items(), key=lambda kv: -kv[1][0])
    details = [
        f"- load: {repeats} rounds of fresh processes, alternating which goes first, after one "
        f'warm-up round. Floor `python -c "{FLOOR_CODE}"`: wall median {seconds(floor_s)} '
        f"(all: {', '.join(seconds(f) for f in s['floor'])}), CPU median {seconds(floor_cpu)}. "
        f"Loading every dataset, timed inside a fresh process after those imports with every "
        f"`functools` cache in `lessons` cleared: wall median {seconds(load_s)} (all: "
        f"{', '.join(seconds(t) for t in s['load'])}), CPU median {seconds(load_cpu)}.",
        "- load, the last run, slowest first: "
        + ", ".join(f"{name} {seconds(t)}{f' ({n:,} rows)' if n else ''}" for name, (t, n) in top)
        + ".",
        f"- first error: synthetic file of {rows:,} rows ({err['size_mb']:.0f} MB, temporary, "
        f"ids `synthetic-NNNNNNN-…`), `date` set to {BAD_DATE} on row {err['row']}; "
        f"{len(err['wall'])} fresh processes, wall "
        f"{', '.join(seconds(t) for t in err['wall'])}, CPU "
        f"{', '.join(seconds(t) for t in err['cpu'])}; the first problem names that row and "
        f"the `date` column: {err['named']}. The message (first line): "
        f"`{err['message'].splitlines()[0][:300]}`",
    ]
    figures = {"load": s, "first_error": err}
    return Report("load", results, details, figures)


if __name__ == "__main__":
    for row in run().results:
        print(row)
