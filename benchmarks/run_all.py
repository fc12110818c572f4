"""Run every benchmark, print one table and write it to benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run_all.py                 # all, set-up included (slow)
    .venv/bin/python benchmarks/run_all.py --skip-setup    # without the fresh-clone set-up
    .venv/bin/python benchmarks/run_all.py --only load widgets

Not part of pytest: the figures are ratios measured side by side on a shared machine, so
they are evidence for a target, not a pass/fail gate for every commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks` as a package

from benchmarks import (
    bench_aggregate,
    bench_import,
    bench_load,
    bench_notebooks,
    bench_setup,
    bench_sizes,
    bench_widgets,
)
from benchmarks._timing import ROOT, Report, Result

BENCHMARKS: dict[str, Callable[[], Report]] = {
    "import": bench_import.run,
    "load": bench_load.run,
    "aggregate": bench_aggregate.run,
    "notebooks": bench_notebooks.run,
    "widgets": bench_widgets.run,
    "sizes": bench_sizes.run,
    "setup": bench_setup.run,
}
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
OWN_SECTIONS = ("## Details",)  # what this script writes; other "## " sections are kept


def kept_sections(old: str) -> list[str]:
    """The `## ` sections other scripts wrote into RESULTS.md (e.g. bench_classroom.py's),
    so that a run of this script does not wipe them."""
    kept: list[str] = []
    keeping = False
    for line in old.splitlines():
        if line.startswith("## "):
            keeping = not line.startswith(OWN_SECTIONS)
        if keeping:
            kept.append(line)
    return kept


def table(results: list[Result]) -> list[str]:
    lines = [
        "| target | measured | ratio | target | result |",
        "|---|---|---:|---:|:---:|",
    ]
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}x"
        verdict = "—" if r.passed is None else "PASS" if r.passed else "FAIL"
        lines.append(f"| {r.target} | {r.measured} | {ratio} | {r.goal} | {verdict} |")
    return lines


def _load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def machine_facts(command: str) -> list[str]:
    load = _load_average()
    return [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, load average at start {load}",
        f"- command: `{command}`",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    setup = parser.add_mutually_exclusive_group()
    setup.add_argument("--setup", dest="setup", action="store_true", default=True)
    setup.add_argument("--skip-setup", dest="setup", action="store_false")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run just these")
    parser.add_argument("--note", default="", help="a line for RESULTS.md, e.g. what else ran")
    args = parser.parse_args(argv)
    chosen = args.only or [n for n in BENCHMARKS if args.setup or n != "setup"]
    given = argv if argv is not None else sys.argv[1:]
    python = os.path.relpath(sys.executable, ROOT)
    command = shlex.join([python, "benchmarks/run_all.py", *given])
    facts = machine_facts(command)
    reports: list[Report] = []
    for name in chosen:
        print(f"running {name} …", flush=True)
        start = time.perf_counter()
        reports.append(BENCHMARKS[name]())
        print(f"  done in {time.perf_counter() - start:.0f} s", flush=True)
    facts.append(f"- load average at the end: {_load_average()}")
    if args.note:
        facts.append(f"- note: {args.note}")
    results = [r for report in reports for r in report.results]
    rows = table(results)
    print("\n".join(rows))
    targets = [r for r in results if r.passed is not None]
    failed = sum(not r.passed for r in targets)
    summary = f"{len(targets) - failed} of {len(targets)} targets met"
    if len(targets) < len(results):
        summary += f" ({len(results) - len(targets)} more rows shown for reference)"
    summary += "."
    print(summary)
    markdown = [
        "# Benchmark results",
        "",
        "Ratios are medians of interleaved runs measured side by side in one run (the machine",
        "is shared); regenerate with the command below.",
        "",
        *facts,
        "",
        *rows,
        "",
        summary,
        "",
        "## Details",
        "",
        *[line for report in reports for line in report.details],
        "",
    ]
    old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if kept := kept_sections(old):
        markdown += [*kept, ""]
    RESULTS_MD.write_text("\n".join(markdown), encoding="utf-8")
    print(f"wrote {RESULTS_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
