"""Timing helpers shared by the benchmarks: interleaved runs, medians, one result type.

Why interleaved medians: the machine is shared (2 cores, other jobs), so an absolute time
means little. Each figure is measured beside its floor in the same loop, alternating the
order every round so a slow spell hits both, and the ratio of the two medians is reported.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Result:
    """One row of the results table."""

    target: str
    measured: str
    ratio: float | None  # None for absolute targets (e.g. milliseconds, bytes)
    goal: str
    passed: bool | None  # None: shown for reference, not one of the targets


@dataclass
class Report:
    """What one benchmark returns: table rows, plus Markdown lines with the details."""

    name: str
    results: list[Result]
    details: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)


def interleaved(
    candidates: dict[str, Callable[[], object]],
    repeats: int,
    *,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Run every candidate `repeats` times, round-robin, reversing the order each round."""
    for _ in range(warmup):
        for run in candidates.values():
            run()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    order = list(candidates.items())
    for round_no in range(repeats):
        for name, run in order if round_no % 2 == 0 else reversed(order):
            start = clock()
            run()
            samples[name].append(clock() - start)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed_command(
    command: Sequence[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> float:
    """Wall time of one subprocess (its output kept quiet); raises with its output if it fails."""
    start = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def seconds(value: float) -> str:
    """A duration with a sensible unit."""
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.0f} µs"


def ratio_result(
    target: str, value: float, floor: float, limit: float, floor_name: str = "floor"
) -> Result:
    """A row comparing a median with its floor's median against a ratio limit."""
    ratio = value / floor
    return Result(
        target,
        f"{seconds(value)} vs {floor_name} {seconds(floor)}",
        ratio,
        f"<= {limit:.2f}x",
        ratio <= limit,
    )
