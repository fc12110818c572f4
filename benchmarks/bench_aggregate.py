"""Target 3: monthly dyad aggregation of synthetic coded events at 10k, 100k and 1M rows.

Why a naive baseline: `monthly_dyad_summary` must cost no more than the obvious pandas code
that produces the same table (filter, label, groupby, pivot, fill the calendar), and stay
under a second at 1M rows. Both are checked to return the same table before timing.
The 1M-row file is synthetic (resampled real rows, random 2018 dates), written to a
temporary folder, and loaded through `lessons.load_coded_events` with full validation.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks._timing import Report, Result, interleaved, median, ratio_result, seconds
from benchmarks.synthetic import load_synthetic_coded, synthetic_coded_events
from lessons.aggregate import QUAD_COLUMNS, monthly_dyad_summary

SIZES = (10_000, 100_000, 1_000_000)
REPEATS = {10_000: 30, 100_000: 10, 1_000_000: 5}
LIMIT = 1.0
SECOND_LIMIT = 1.0


def naive_monthly(coded: pd.DataFrame, a: str = "RUS", b: str = "TUR") -> pd.DataFrame:
    """The plain pandas way to the same table as `monthly_dyad_summary`."""
    src, tgt = coded["source_country"], coded["target_country"]
    pair = coded[((src == a) & (tgt == b)) | ((src == b) & (tgt == a))]
    frame = pd.DataFrame(
        {
            "month": pair["date"].dt.to_period("M").dt.to_timestamp(),
            "direction": pair["source_country"] + "->" + pair["target_country"],
            "goldstein": pair["goldstein"],
            "quad": pair["quad_class"],
        }
    )
    grouped = frame.groupby(["month", "direction"])
    out = grouped["goldstein"].agg(n_events="size", goldstein_mean="mean", goldstein_sum="sum")
    quads = frame.groupby(["month", "direction", "quad"]).size().unstack("quad", fill_value=0)
    quads = quads.reindex(columns=list(QUAD_COLUMNS), fill_value=0).rename(QUAD_COLUMNS, axis=1)
    out = out.join(quads)
    months = out.index.get_level_values("month")
    calendar = pd.date_range(months.min(), months.max(), freq="MS")
    full = pd.MultiIndex.from_product(
        [calendar, [f"{a}->{b}", f"{b}->{a}"]], names=["month", "direction"]
    )
    out = out.reindex(full)
    counts = ["n_events", *QUAD_COLUMNS.values()]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["goldstein_sum"] = out["goldstein_sum"].fillna(0.0).round(1)
    out["goldstein_mean"] = out["goldstein_mean"].round(3)
    out = out.reset_index()
    out["month"] = out["month"].astype("datetime64[ns]")
    return out


def run(sizes: tuple[int, ...] = SIZES) -> Report:
    """Medians of `monthly_dyad_summary` and the naive groupby per size, interleaved."""
    largest = max(sizes)
    with tempfile.TemporaryDirectory(prefix="lessons-bench-") as tmp:
        path = synthetic_coded_events(Path(tmp), largest)
        start = time.perf_counter()
        coded = load_synthetic_coded(path)
        load_s = time.perf_counter() - start
    results: list[Result] = []
    rows = ["| rows | `monthly_dyad_summary` | naive groupby | ratio |", "|---:|---:|---:|---:|"]
    figures: dict[str, object] = {"load_s": load_s}
    for size in sizes:
        frame = coded.head(size).copy()  # rows are in random order: a fair sample
        frame.attrs = {}
        pd.testing.assert_frame_equal(monthly_dyad_summary(frame), naive_monthly(frame))
        candidates = {
            "ours": lambda f=frame: monthly_dyad_summary(f),
            "naive": lambda f=frame: naive_monthly(f),
        }
        samples = interleaved(candidates, REPEATS.get(size, 5))
        ours, naive = median(samples["ours"]), median(samples["naive"])
        figures[str(size)] = (ours, naive)
        rows.append(f"| {size:,} | {seconds(ours)} | {seconds(naive)} | {ours / naive:.2f}x |")
        results.append(
            ratio_result(
                f"`monthly_dyad_summary` vs naive groupby, {size:,} synthetic rows",
                ours,
                naive,
                LIMIT,
                "naive",
            )
        )
        if size == largest:
            results.append(
                Result(
                    f"`monthly_dyad_summary`, {size:,} synthetic rows, absolute",
                    seconds(ours),
                    None,
                    f"< {SECOND_LIMIT:.0f} s",
                    ours < SECOND_LIMIT,
                )
            )
    details = [
        f"- aggregate: synthetic {largest:,}-row coded-event file (temporary) loaded and "
        f"validated by `load_coded_events` in {seconds(load_s)}; scaling (medians):",
        "",
        *rows,
        "",
    ]
    return Report("aggregate", results, details, figures)


if __name__ == "__main__":
    for row in run().results:
        print(row)
