"""Summaries the lessons chart: pure pandas in, pandas out, no plotting, no I/O.

Why separate: the same monthly numbers feed a chart, a widget and a test; keeping them
here means the chart can never show a figure the tests did not check.

>>> events = pd.DataFrame({"category": ["energy", "military", "energy"]})
>>> events_by_category(events)
   category  events
0    energy       2
1  military       1
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUAD_COLUMNS = {
    1: "n_verbal_coop",
    2: "n_material_coop",
    3: "n_verbal_conflict",
    4: "n_material_conflict",
}


def monthly_dyad_summary(coded: pd.DataFrame, a: str = "RUS", b: str = "TUR") -> pd.DataFrame:
    """Count coded events per month and direction (a->b, b->a), with Goldstein mean and sum.

    Rows whose source and target are not the two countries are ignored, so the context file
    (with Syria and Libya) can be passed too. Months without events are kept with zeros, since
    silence in the news is a finding, not a gap.

    Why numpy: each (month, direction) pair is one slot of a flat array, so counts are
    `bincount`s; only the Goldstein sum and mean go through pandas' groupby, which keeps
    their (compensated) summation, and so every figure, bit for bit, as before.

    >>> from lessons import load_coded_events
    >>> first = monthly_dyad_summary(load_coded_events()).iloc[0]
    >>> str(first["month"].date()), first["direction"], int(first["n_events"])
    ('2018-01-01', 'RUS->TUR', 72)
    """
    src = coded["source_country"].to_numpy()
    tgt = coded["target_country"].to_numpy()
    forward = (src == a) & (tgt == b)
    backward = (src == b) & (tgt == a)
    keep = forward | backward
    if a == b or not keep.any():
        return _monthly_by_groupby(coded, a, b, forward, backward, keep)
    months = coded["date"].to_numpy()[keep].astype("datetime64[M]").astype(np.int64)
    quad = coded["quad_class"].to_numpy()[keep].astype("int8")
    goldstein = coded["goldstein"].to_numpy()[keep].astype("float64")
    first = int(months.min())
    span = int(months.max()) - first + 1
    slot = (months - first) * 2 + backward[keep]  # month by month: a->b, then b->a
    slots = 2 * span
    by_slot = pd.Series(goldstein).groupby(slot, sort=True)
    sums, means = by_slot.sum(), by_slot.mean()
    goldstein_sum = np.zeros(slots)
    goldstein_sum[sums.index.to_numpy()] = sums.to_numpy()
    goldstein_mean = np.full(slots, np.nan)
    goldstein_mean[means.index.to_numpy()] = means.to_numpy()
    calendar = (np.arange(span) + first).astype("datetime64[M]").astype("datetime64[ns]")
    out = pd.DataFrame(
        {
            "month": calendar.repeat(2),
            "direction": pd.array(np.tile([f"{a}->{b}", f"{b}->{a}"], span), dtype="str"),
            "n_events": np.bincount(slot, minlength=slots).astype("int64"),
            "goldstein_mean": goldstein_mean,
            "goldstein_sum": goldstein_sum,
            **{
                column: np.bincount(slot[quad == q], minlength=slots).astype("int64")
                for q, column in QUAD_COLUMNS.items()
            },
        }
    )
    out["goldstein_mean"] = out["goldstein_mean"].round(3)
    out["goldstein_sum"] = out["goldstein_sum"].round(1)
    return out


def _monthly_by_groupby(
    coded: pd.DataFrame,
    a: str,
    b: str,
    forward: np.ndarray,
    backward: np.ndarray,
    keep: np.ndarray,
) -> pd.DataFrame:
    """`monthly_dyad_summary` with a pandas groupby: for no rows, or a == b."""
    months = coded["date"].to_numpy()[keep].astype("datetime64[M]")
    direction = np.where(forward[keep], f"{a}->{b}", f"{b}->{a}")
    quad = coded["quad_class"].to_numpy()[keep].astype("int8")
    goldstein = coded["goldstein"].to_numpy()[keep].astype("float64")
    frame = pd.DataFrame({"month": months, "direction": direction, "g": goldstein, "q": quad})
    grouped = frame.groupby(["month", "direction"], sort=True)
    out = grouped["g"].agg(n_events="size", goldstein_mean="mean", goldstein_sum="sum")
    quads = pd.crosstab([frame["month"], frame["direction"]], frame["q"])
    quads = quads.reindex(columns=list(QUAD_COLUMNS), fill_value=0).rename(columns=QUAD_COLUMNS)
    out = out.join(quads).reset_index()
    out = _fill_missing_months(out, [f"{a}->{b}", f"{b}->{a}"])
    out["goldstein_mean"] = out["goldstein_mean"].round(3)
    out["goldstein_sum"] = out["goldstein_sum"].round(1)
    out["month"] = pd.to_datetime(out["month"]).astype("datetime64[ns]")
    return out


def _fill_missing_months(out: pd.DataFrame, directions: list[str]) -> pd.DataFrame:
    if out.empty:
        return out
    months = pd.period_range(out["month"].min(), out["month"].max(), freq="M").to_timestamp()
    full = pd.MultiIndex.from_product([months, directions], names=["month", "direction"])
    out = out.set_index(["month", "direction"]).reindex(full)
    counts = ["n_events", *QUAD_COLUMNS.values()]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["goldstein_sum"] = out["goldstein_sum"].fillna(0.0)
    return out.reset_index()


def smooth(series: pd.Series, window: int) -> pd.Series:
    """Centred rolling mean; window 1 returns the series unchanged."""
    if window <= 1:
        return series
    return series.rolling(window, center=True, min_periods=1).mean()


def net_cooperation(
    monthly: pd.DataFrame, window: int = 1, column: str = "goldstein_sum"
) -> pd.DataFrame:
    """`column` (default: Goldstein sum) per month and direction, smoothed over `window` months.

    The smoothed value is in the column `net_cooperation`.
    """
    out = monthly[["month", "direction", "n_events", "goldstein_sum", "goldstein_mean"]].copy()
    out = out.sort_values(["direction", "month"])
    out["net_cooperation"] = out.groupby("direction")[column].transform(lambda s: smooth(s, window))
    return out.reset_index(drop=True)


def events_by_category(events: pd.DataFrame) -> pd.DataFrame:
    """How many curated events fall in each category (largest first)."""
    counts = events["category"].value_counts().rename_axis("category").reset_index(name="events")
    return counts.sort_values(["events", "category"], ascending=[False, True], ignore_index=True)


def events_by_year(events: pd.DataFrame) -> pd.DataFrame:
    """Events per year and QuadClass: the shape of the relationship over time."""
    years = events["date"].dt.year.rename("year")
    table = events.groupby([years, "quad_class"]).size().rename("events").reset_index()
    return table.sort_values(["year", "quad_class"], ignore_index=True)


def assign_phase(events: pd.DataFrame, phases: pd.DataFrame) -> pd.Series:
    """The phase each event falls in (by its date), or NA outside every phase."""
    bins = phases.sort_values("start")
    labels = pd.Series(pd.NA, index=events.index, dtype="object")
    for _, phase in bins.iterrows():
        inside = (events["date"] >= phase["start"]) & (events["date"] <= phase["end"])
        labels[inside] = phase["phase"]
    return labels.astype("str")


def phase_summary(events: pd.DataFrame, phases: pd.DataFrame) -> pd.DataFrame:
    """Per phase: events, share of cooperative events (QuadClass 1–2), mean Goldstein."""
    labelled = events.assign(phase=assign_phase(events, phases))
    grouped = labelled.groupby("phase", sort=False)
    out = pd.DataFrame(
        {
            "events": grouped.size(),
            "cooperative_share": grouped["quad_class"].apply(lambda q: float((q <= 2).mean())),
            "mean_goldstein": grouped["goldstein"].mean(),
        }
    )
    order = phases.sort_values("start")["phase"]
    out = out.reindex([p for p in order if p in out.index]).reset_index()
    out["cooperative_share"] = out["cooperative_share"].round(2)
    out["mean_goldstein"] = out["mean_goldstein"].round(2)
    return out


def gas_by_origin(gas: pd.DataFrame, *, unit: str = "TJ") -> pd.DataFrame:
    """Monthly gas imports split into Russia and everyone else, with Russia's share.

    Why here and not in `charts`: the self-checks grade answers from the same split, and
    grading must not need Altair.
    """
    sel = gas[(gas["commodity"] == "gas_all") & (gas["unit"] == unit)]
    origin = sel["partner"].where(sel["partner"] == "Russia", "All other partners")
    table = sel.groupby([sel["month"], origin])["value"].sum().unstack(fill_value=0.0)
    for col in ("Russia", "All other partners"):
        if col not in table:
            table[col] = 0.0
    total = table["Russia"] + table["All other partners"]
    share = (table["Russia"] / total.where(total > 0)).round(3)
    long = table.reset_index().melt(id_vars="month", var_name="origin", value_name="value")
    long["russia_share"] = long["month"].map(share)
    long["month"] = pd.to_datetime(long["month"] + "-01")
    return long.sort_values(["origin", "month"], ignore_index=True)
