"""Issue 14's class targets: rehearsals of N = 5, 15 and 30 learners on this machine.

Why on its own (not in run_all.py): it takes ten minutes and starts up to 30 JupyterLab
servers and kernels. Each N is a fresh hub (lessons.classroom.rehearse): one learner runs
lesson 01 alone, then all N log in and run it at once. Targets, from the issue: <= 300 MiB
per learner, hub + proxy <= 200 MiB, no error at N = 30, and at N = 15 the all-at-once median
no worse than 7.3x the lone run (the figure the feasibility run measured on 2 cores).

    .venv/bin/python benchmarks/bench_classroom.py              # N = 5, 15, 30
    .venv/bin/python benchmarks/bench_classroom.py --counts 5   # just one size

Writes the section "## Classroom rehearsal" at the end of benchmarks/RESULTS.md (replacing
its own earlier one, leaving the rest of the file alone).

The estimate for 4 cores is reasoning, not a measurement: running a lesson is CPU work, so N
learners at once take about N x (measured CPU seconds per run) / cores, never less than one
learner alone; the same formula for 2 cores is printed beside the measured median to show how
well it holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks` as a package

from benchmarks._timing import ROOT, Report, Result

RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Classroom rehearsal"
COUNTS = (5, 15, 30)
MEM_LIMIT_MIB = 300
HUB_LIMIT_MIB = 200
RATIO_LIMIT = 7.3  # issue 14's feasibility run, 15 learners on 2 cores


def estimate_all_at_once(
    run_single_s: float, count: int, cpu_s_per_run: float, cores: int
) -> float:
    """Seconds for `count` learners' "run all" at once on `cores` cores, if only CPU mattered.

    Each run needs `cpu_s_per_run` CPU seconds; `count` of them shared over `cores` cores take
    count x cpu / cores, and no learner finishes faster than alone.

    >>> estimate_all_at_once(3.0, 15, 1.8, 2)
    13.5
    >>> estimate_all_at_once(3.0, 2, 1.8, 4)  # never faster than one learner alone
    3.0
    """
    return max(run_single_s, count * cpu_s_per_run / cores)


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def run(counts: tuple[int, ...] = COUNTS) -> Report:
    from lessons.classroom.rehearse import parse_final_line, rehearse

    cores = os.cpu_count() or 1
    results: list[Result] = []
    details: list[str] = []
    figures: dict[str, object] = {}
    for count in counts:
        load = os.getloadavg()
        print(f"rehearsal N = {count} (load average {load[0]:.1f})", flush=True)
        started = time.perf_counter()
        try:
            rehearsal = rehearse(count, progress=lambda line: print(f"  {line}", flush=True))
        except RuntimeError as err:  # not enough memory, or the hub could not start
            details += [f"### N = {count}", "", f"Not run: {err}", ""]
            results.append(Result(f"rehearsal N = {count}", str(err), None, "runs", False))
            continue
        line = rehearsal.final_line()
        got = parse_final_line(line)
        extra = {
            "rss_per_learner_mib": _median([x.rss_mib for x in rehearsal.learners]),
            "kernel_peak_mib": _median([x.kernel_peak_mib for x in rehearsal.learners]),
            "cpu_s_per_run": _median([x.run_cpu_s for x in rehearsal.learners]),
            "machine_busy": rehearsal.machine_busy,
        }
        figures[str(count)] = {**got, **extra}
        elapsed = time.perf_counter() - started
        print(rehearsal.table(), flush=True)
        print(line, flush=True)
        details += [
            f"### N = {count}",
            "",
            f"Load average before: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; "
            f"{elapsed:.0f} s in all.",
            "",
            "```",
            rehearsal.table(),
            line,
            "```",
            "",
            "Medians over the learners: "
            + ", ".join(f"{k} {v:.2f}" for k, v in extra.items() if v is not None)
            + " (inputs of deploy/measured.json).",
            "",
        ]
        mem, hub = got["mem_per_learner_mib"], got["hub_proxy_mib"]
        results.append(
            Result(
                f"memory per learner, N = {count} (PSS of server + kernel after lesson 01)",
                f"{mem:.0f} MiB",
                None,
                f"<= {MEM_LIMIT_MIB} MiB",
                mem <= MEM_LIMIT_MIB,
            )
        )
        results.append(
            Result(
                f"hub + proxy (+ idle culler), N = {count}",
                f"{hub:.0f} MiB",
                None,
                f"<= {HUB_LIMIT_MIB} MiB",
                hub <= HUB_LIMIT_MIB,
            )
        )
        results.append(
            Result(
                f"slowest login (until the learner's server answered), N = {count}",
                f"{got['spawn_s_max']:.1f} s",
                None,
                "for reference",
                None,
            )
        )
        results.append(
            Result(
                f"errors, N = {count}",
                f"{got['errors']:.0f}",
                None,
                "0",
                got["errors"] == 0 if count >= 30 else None,
            )
        )
        ratio = got["concurrent_vs_single"]
        results.append(
            Result(
                f"lesson 01 run all: {count} at once (median) vs one alone, {cores} cores",
                f"{got['run_all_median_s']:.1f} s vs {got['run_single_s']:.1f} s",
                ratio,
                f"<= {RATIO_LIMIT}x" if count == 15 else "for reference",
                ratio <= RATIO_LIMIT if count == 15 else None,
            )
        )
        cpu = extra["cpu_s_per_run"]
        if cpu is not None and rehearsal.round_s:
            own = count * cpu / (cores * rehearsal.round_s)
            here = estimate_all_at_once(got["run_single_s"], count, cpu, cores)
            four = estimate_all_at_once(got["run_single_s"], count, cpu, 4)
            details += [
                f"CPU: the class's own runs needed {own:.0%} of the {cores} cores during the "
                f"round (the CPUs were {rehearsal.machine_busy:.0%} busy with everything else "
                f"on the machine). If only CPU mattered, {count} at once would take "
                f"max(lone run, {count} x {cpu:.2f} CPU s / cores): {here:.1f} s on {cores} "
                f"cores (measured median {got['run_all_median_s']:.1f} s); **estimate for 4 "
                f"cores: {four:.1f} s, {four / got['run_single_s']:.1f}x the lone run** "
                "(not measured).",
                "",
            ]
    return Report("classroom", results, details, figures)


def section(report: Report, command: str) -> str:
    """The Markdown section for RESULTS.md."""
    import psutil

    memory = psutil.virtual_memory()
    lines = [
        HEADING,
        "",
        "Rehearsals of a class on loopback (`lessons classroom --rehearse N` for each N, "
        "a fresh hub each): N simulated learners log in over HTTP, their servers start, and "
        "each runs every code cell of lesson 01 through a kernel of their own server.",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{memory.total / 2**30:.0f} GiB memory; shared with other jobs while this ran "
        "(their load is in each table's busy share and in the load averages)",
        f"- command: `{command}`",
        "",
        "| target | measured | ratio | target | result |",
        "|---|---|---:|---:|:---:|",
    ]
    for r in report.results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.1f}x"
        verdict = {True: "PASS", False: "FAIL", None: "—"}[r.passed]
        lines.append(f"| {r.target} | {r.measured} | {ratio} | {r.goal} | {verdict} |")
    lines += ["", *report.details]
    return "\n".join(lines).rstrip() + "\n"


def write_section(text: str, path: Path = RESULTS_MD) -> None:
    """Put `text` in place of our earlier section (at the end), or append it."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    cut = old.find("\n" + HEADING)
    head = old[:cut] if cut >= 0 else old
    path.write_text(head.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, help="also save every N's figures to this file")
    args = parser.parse_args()
    report = run(tuple(args.counts))
    if args.json:
        args.json.write_text(json.dumps(report.figures, indent=1), encoding="utf-8")
    command = "python benchmarks/bench_classroom.py" + (
        "" if tuple(args.counts) == COUNTS else " --counts " + " ".join(map(str, args.counts))
    )
    text = section(report, f".venv/bin/{command}")
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"wrote the section {HEADING!r} in {RESULTS_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
