"""Altair chart builders for the lessons: each returns a chart, none displays anything.

Every chart has a title, tooltips, a Vega-Lite `description` for screen readers and the
colour-blind-safe palette of `lessons.render`; where colour carries a meaning, a shape, a
dash or a position carries it too. Charts receive data already aggregated (see
`lessons.aggregate`), which keeps the stored notebooks small.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from lessons.render import PALETTE

QUAD_LABELS = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}
QUAD_SHAPES = ["circle", "square", "triangle-up", "cross"]
QUAD_COLOURS = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00"]
CATEGORY_ORDER = [
    "diplomacy",
    "syria",
    "libya",
    "caucasus",
    "ukraine",
    "military",
    "arms",
    "energy",
    "economy",
    "domestic",
]
WIDTH = 640


def _with_quad_label(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(kind=frame["quad_class"].map(QUAD_LABELS))


def _timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    columns = ["event_id", "date", "title", "category", "quad_class", "goldstein"]
    frame = _with_quad_label(events[[*columns, "source_publisher", "source_date"]])
    frame["source"] = (
        frame["source_publisher"]
        + ", "
        + frame["source_date"].dt.strftime("%Y-%m-%d").fillna("date not shown")
    )
    return frame.drop(columns=["source_publisher", "source_date"])


def event_timeline(
    events: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    title: str = "Russia–Turkey events by theme",
    brush: bool = True,
) -> alt.Chart | alt.LayerChart | alt.VConcatChart:
    """Every event as a mark: x = date, row = category, shape and colour = QuadClass.

    With `brush`, a small overview below the chart selects the date range to zoom into;
    clicking a legend entry highlights one kind of event.
    """
    data = _timeline_frame(events)
    kind_sel = alt.selection_point(fields=["kind"], bind="legend")
    quad_scale = alt.Scale(domain=list(QUAD_LABELS.values()), range=QUAD_COLOURS)
    shape_scale = alt.Scale(domain=list(QUAD_LABELS.values()), range=QUAD_SHAPES)
    present = set(data["category"])
    cats = [c for c in CATEGORY_ORDER if c in present]
    zoom = alt.selection_interval(encodings=["x"], name="period") if brush else None
    x_scale = alt.Scale(domain=zoom) if brush else alt.Undefined
    x_detail = alt.X("date:T", title="Date", scale=x_scale)
    base = alt.Chart(data)
    points = (
        base.mark_point(filled=True, size=70, opacity=0.85)
        .encode(
            x=x_detail,
            y=alt.Y("category:N", sort=cats, title=None),
            color=alt.Color("kind:N", scale=quad_scale, title="Kind of event"),
            shape=alt.Shape("kind:N", scale=shape_scale, title="Kind of event"),
            # the same spec as passing the condition dict, without re-validating it (~9 ms)
            opacity=alt.OpacityValue(**alt.condition(kind_sel, alt.value(0.9), alt.value(0.12))),
            tooltip=[
                alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("category:N", title="Theme"),
                alt.Tooltip("kind:N", title="Kind"),
                alt.Tooltip("goldstein:Q", title="Goldstein"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
        .add_params(kind_sel)
        .properties(width=WIDTH, height=28 * len(cats) + 20)
    )
    if phases is not None:
        # phase names sit in a strip of their own above the events, so no label covers a mark
        detail = (
            alt.vconcat(
                _phase_strip(phases, x_scale), alt.layer(_phase_bands(phases, x_scale), points)
            )
            .resolve_scale(x="shared")
            .properties(title=title, spacing=2)
        )
    else:
        detail = points.properties(title=title)
    description = (
        f"Timeline of {len(data)} Russia–Turkey events from {data['date'].min():%Y} to "
        f"{data['date'].max():%Y}, one mark per event, grouped by theme; shape shows whether "
        "the event was verbal or material cooperation or conflict."
    )
    if not brush:
        return detail.properties(description=description)
    overview = (
        alt.Chart(data)
        .mark_tick(thickness=2, size=14)
        .encode(
            x=alt.X("date:T", title="Drag here to zoom into a period"),
            color=alt.Color("kind:N", scale=quad_scale, legend=None),
        )
        .add_params(zoom)
        .properties(width=WIDTH, height=30)
    )
    return alt.vconcat(detail, overview).properties(description=description)


def _phase_frame(phases: pd.DataFrame) -> pd.DataFrame:
    frame = phases[["phase", "start", "end"]].copy().reset_index(drop=True)
    frame["band"] = [i % 2 for i in range(len(frame))]
    return frame


def _band_fill() -> Any:
    # a condition, not a colour scale: a colour scale here would be merged with the events'
    # colour scale and the events would lose their colours
    return alt.condition("datum.band == 0", alt.value("#000000"), alt.value("#777777"))


def _phase_bands(phases: pd.DataFrame, x_scale: Any) -> alt.Chart:
    """Alternating grey bands behind the events, one per phase (the phase is in the tooltip)."""
    return (
        alt.Chart(_phase_frame(phases))
        .mark_rect(opacity=0.08)
        .encode(
            x=alt.X("start:T", scale=x_scale, title="Date"),
            x2="end:T",
            fill=_band_fill(),
            tooltip=[alt.Tooltip("phase:N", title="Phase")],
        )
    )


PHASE_ROW_PX = 12


def _phase_strip(phases: pd.DataFrame, x_scale: Any) -> alt.LayerChart:
    """The phases' names on staggered rows in a thin strip, so short phases stay legible."""
    frame = _phase_frame(phases)
    rows, from_end = _label_layout(frame)
    frame["label_y"] = [2 + PHASE_ROW_PX * row for row in rows]
    frame["from_end"] = from_end
    height = int(frame["label_y"].max()) + PHASE_ROW_PX
    x = alt.X("start:T", scale=x_scale, axis=None)
    bands = alt.Chart(frame).mark_rect(opacity=0.08).encode(x=x, x2="end:T", fill=_band_fill())
    tooltip = [
        alt.Tooltip("phase:N", title="Phase"),
        alt.Tooltip("start:T", title="From", format="%d %b %Y"),
        alt.Tooltip("end:T", title="To", format="%d %b %Y"),
    ]
    text = {"baseline": "top", "fontSize": 10, "color": "#333333"}
    y = alt.Y("label_y:Q", scale=None, axis=None)
    labels = [
        alt.Chart(frame[~frame["from_end"]])
        .mark_text(align="left", dx=2, **text)
        .encode(x=x, y=y, text="phase:N", tooltip=tooltip),
        alt.Chart(frame[frame["from_end"]])
        .mark_text(align="right", dx=-2, **text)
        .encode(x=alt.X("end:T", scale=x_scale, axis=None), y=y, text="phase:N", tooltip=tooltip),
    ]
    return alt.layer(bands, *labels).properties(width=WIDTH, height=height)


def _label_layout(frame: pd.DataFrame, char_px: float = 5.5) -> tuple[list[int], list[bool]]:
    """Greedy rows for phase labels, and which labels end at their phase's end.

    A label starts at its phase's start unless it would run off the right edge; then it ends at
    the phase's end. Each goes in the first row where it overlaps no other label.
    """
    origin = frame["start"].min()
    px_per_day = WIDTH / max((frame["end"].max() - origin).days, 1)
    row_ends: list[float] = []
    rows, from_end = [], []
    for start, end, name in zip(frame["start"], frame["end"], frame["phase"], strict=True):
        width = len(name) * char_px
        left = (start - origin).days * px_per_day
        flipped = left + width > WIDTH
        if flipped:
            left = min((end - origin).days * px_per_day, WIDTH) - width
        row = next((i for i, used in enumerate(row_ends) if left > used + 4), len(row_ends))
        if row == len(row_ends):
            row_ends.append(0.0)
        row_ends[row] = left + width
        rows.append(row)
        from_end.append(flipped)
    return rows, from_end


def _date_markers(markers: pd.DataFrame | None, **rule_style: Any) -> list[alt.Chart]:
    """Dated vertical rules with rotated labels (columns `date`, `label`); none if empty."""
    if markers is None or markers.empty:
        return []
    rules = alt.Chart(markers).mark_rule(**rule_style)
    text = alt.Chart(markers).mark_text(angle=270, align="left", dx=4, dy=-4, fontSize=10)
    return [
        rules.encode(x="date:T", tooltip=["date:T", "label:N"]),
        text.encode(x="date:T", y=alt.value(0), text="label:N"),
    ]


def category_counts(counts: pd.DataFrame, *, title: str = "Events per theme") -> alt.Chart:
    """Bar chart of `aggregate.events_by_category` output, counts written on the bars."""
    bars = (
        alt.Chart(counts)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("events:Q", title="Number of events"),
            y=alt.Y("category:N", sort="-x", title=None),
            tooltip=["category:N", "events:Q"],
        )
    )
    text = bars.mark_text(align="left", dx=3).encode(text="events:Q")
    return (bars + text).properties(
        title=title,
        width=WIDTH - 200,
        description="Bar chart: number of curated events in each theme, largest first.",
    )


def goldstein_monthly(
    monthly: pd.DataFrame,
    *,
    value: str = "net_cooperation",
    title: str = "Net cooperation between Russia and Turkey, by direction",
    markers: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Monthly Goldstein sums per direction: solid line RUS->TUR, dashed TUR->RUS.

    `markers` (date, label) draws dated rules, e.g. curated events, for comparison.
    """
    dash = alt.StrokeDash(
        "direction:N",
        scale=alt.Scale(domain=["RUS->TUR", "TUR->RUS"], range=[[1, 0], [6, 3]]),
        title="Direction",
    )
    colour = alt.Color(
        "direction:N",
        scale=alt.Scale(domain=["RUS->TUR", "TUR->RUS"], range=[PALETTE[0], PALETTE[5]]),
        title="Direction",
    )
    base = alt.Chart(monthly).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y(f"{value}:Q", title="Sum of Goldstein weights (higher = more cooperative)"),
        color=colour,
    )
    lines = base.mark_line(strokeWidth=2.5).encode(strokeDash=dash)
    points = base.mark_point(filled=True, size=45).encode(
        shape=alt.Shape(
            "direction:N",
            scale=alt.Scale(domain=["RUS->TUR", "TUR->RUS"], range=["circle", "square"]),
            title="Direction",
        ),
        tooltip=[
            alt.Tooltip("month:T", title="Month", format="%B %Y"),
            alt.Tooltip("direction:N", title="Direction"),
            alt.Tooltip("n_events:Q", title="Coded events"),
            alt.Tooltip(f"{value}:Q", title="Plotted value", format=".1f"),
        ],
    )
    layers: list[Any] = [lines, points, *_date_markers(markers, strokeDash=[2, 2], color="#555555")]
    return alt.layer(*layers).properties(
        title=title,
        width=WIDTH,
        height=300,
        description=(
            "Line chart of monthly summed Goldstein scores of machine-coded events, one line per "
            "direction (solid: Russia to Turkey, dashed: Turkey to Russia)."
        ),
    )


def quad_class_bars(monthly: pd.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Stacked monthly counts by QuadClass, one panel per direction, with patterns of order."""
    long = monthly.melt(
        id_vars=["month", "direction"],
        value_vars=["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"],
        var_name="quad",
        value_name="events",
    )
    names = dict(zip(long["quad"].unique(), QUAD_LABELS.values(), strict=True))
    long["kind"] = long["quad"].map(names)
    long["order"] = long["quad"].map({q: i for i, q in enumerate(names)})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month"),
            y=alt.Y("events:Q", title="Coded events"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=list(QUAD_LABELS.values()), range=QUAD_COLOURS),
                title="QuadClass (bottom to top)",
            ),
            order=alt.Order("order:Q"),
            row=alt.Row("direction:N", title=None),
            tooltip=["yearmonth(month):O", "direction:N", "kind:N", "events:Q"],
        )
        .properties(
            width=WIDTH - 80,
            height=150,
            title=title or "Coded events per month by QuadClass",
            description=(
                "Stacked bars per month of coded events in the four QuadClasses, stacked in the "
                "order verbal cooperation, material cooperation, verbal conflict, material "
                "conflict; one panel per direction."
            ),
        )
    )


def gas_imports(
    gas: pd.DataFrame,
    *,
    unit: str = "TJ",
    events: pd.DataFrame | None = None,
    title: str | None = None,
) -> alt.LayerChart:
    """Turkey's monthly pipeline + LNG gas imports: Russia vs all other partners.

    `events` (date, label) adds dated rules such as TurkStream's inauguration.
    """
    frame = gas_by_origin(gas, unit=unit)
    base = alt.Chart(frame).encode(
        x=alt.X("month:T", title="Month"),
        y=alt.Y("value:Q", title=f"Gas imports ({unit} per month)", stack=None),
        color=alt.Color(
            "origin:N",
            scale=alt.Scale(domain=["Russia", "All other partners"], range=[PALETTE[0], "#999999"]),
            title="From",
        ),
        strokeDash=alt.StrokeDash(
            "origin:N",
            scale=alt.Scale(domain=["Russia", "All other partners"], range=[[1, 0], [5, 3]]),
            title="From",
        ),
        tooltip=[
            alt.Tooltip("month:T", title="Month", format="%B %Y"),
            alt.Tooltip("origin:N", title="From"),
            alt.Tooltip("value:Q", title=unit, format=",.0f"),
            alt.Tooltip("russia_share:Q", title="Russia's share", format=".0%"),
        ],
    )
    layers: list[Any] = [
        base.mark_line(strokeWidth=2),
        *_date_markers(events, color="#333333", strokeDash=[2, 2]),
    ]
    return alt.layer(*layers).properties(
        title=title or f"Turkey's gas imports from Russia and from everyone else ({unit})",
        width=WIDTH,
        height=300,
        description=(
            "Line chart of Turkey's monthly gas imports (pipeline and LNG), solid line for "
            "Russia, dashed grey line for all other partners combined."
        ),
    )


def gas_by_origin(gas: pd.DataFrame, *, unit: str = "TJ") -> pd.DataFrame:
    """Monthly gas imports split into Russia and everyone else, with Russia's share."""
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


def _legend_counts(counts: pd.Series, most: int = 4) -> list[int]:
    """Up to `most` whole-number legend entries from the counts actually on the map."""
    distinct = sorted({int(c) for c in counts})
    if len(distinct) <= most:
        return distinct
    step = (len(distinct) - 1) / (most - 1)
    return sorted({distinct[round(i * step)] for i in range(most)})


def place_map(
    events: pd.DataFrame,
    places: pd.DataFrame,
    shapes: dict[str, Any],
    *,
    layer: str,
    highlight: str | None = None,
    title: str = "Where the events happened",
    width: int = 460,
    height: int = 380,
) -> alt.LayerChart:
    """A map: admin-1 shapes of one country and a circle per place, sized by event count.

    `highlight` names a shape id (e.g. 'SY.ID' for Idlib) drawn in a darker fill.
    """
    counts = (
        events.dropna(subset=["place_id"])
        .groupby("place_id")
        .agg(
            events=("event_id", "size"),
            first=("date", "min"),
            last=("date", "max"),
            example=("title", "first"),
        )
    )
    pts = places.merge(counts, left_on="place_id", right_index=True, how="inner")
    pts["first"] = pts["first"].dt.strftime("%Y-%m-%d")
    pts["last"] = pts["last"].dt.strftime("%Y-%m-%d")
    topo = alt.InlineData(values=shapes, format=alt.DataFormat(type="topojson", feature=layer))
    plain = alt.value("#dddddd")
    fill = (
        alt.condition(f"datum.id === '{highlight}'", alt.value("#9ecae1"), plain)
        if highlight
        else plain
    )
    land = (
        alt.Chart(topo)
        .mark_geoshape(stroke="white", strokeWidth=0.7)
        .encode(fill=fill, tooltip=[alt.Tooltip("properties.name:N", title="Area")])
    )
    dots = (
        alt.Chart(pts)
        .mark_circle(color=PALETTE[5], opacity=0.85, stroke="black", strokeWidth=0.6)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size(
                "events:Q",
                title="Events",
                scale=alt.Scale(range=[60, 900]),
                legend=alt.Legend(format="d", values=_legend_counts(pts["events"])),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Place"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("first:N", title="First"),
                alt.Tooltip("last:N", title="Last"),
                alt.Tooltip("example:N", title="Earliest event"),
            ],
        )
    )
    names = dots.mark_text(align="left", dx=8, dy=-6, fontSize=11).encode(
        text="label:N", size=alt.value(11)
    )
    return (
        alt.layer(land, dots, names)
        .project("mercator")
        .properties(
            title=title,
            width=width,
            height=height,
            description=(
                f"Map with {len(pts)} places, circles sized by the number of events there; "
                + (f"the area {highlight} is shaded darker." if highlight else "")
            ),
        )
    )


def casualty_updates(reports: pd.DataFrame, *, title: str | None = None) -> alt.LayerChart:
    """How an announced death toll changed report by report (step line + labelled points)."""
    frame = reports.copy()
    frame["step"] = range(1, len(frame) + 1)
    base = alt.Chart(frame).encode(
        x=alt.X("step:O", title="Report, in the order published"),
        y=alt.Y("killed:Q", title="Soldiers reported killed"),
    )
    line = base.mark_line(interpolate="step-after", color="#555555")
    points = base.mark_point(filled=True, size=90).encode(
        shape=alt.Shape("speaker_type:N", title="Who gave the figure"),
        color=alt.Color("speaker_type:N", title="Who gave the figure"),
        tooltip=[
            alt.Tooltip("reported:N", title="When"),
            alt.Tooltip("killed:Q", title="Killed"),
            alt.Tooltip("speaker:N", title="Who"),
            alt.Tooltip("source_publisher:N", title="Source"),
        ],
    )
    labels = base.mark_text(dy=-12, fontSize=12).encode(text="killed:Q")
    return alt.layer(line, points, labels).properties(
        title=title or "One strike, several death tolls",
        width=WIDTH - 120,
        height=260,
        description=(
            "Step chart of the death toll announced for the same air strike, report by report, "
            "with the speaker of each figure shown by marker shape."
        ),
    )


def phase_comparison(summary: pd.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Share of cooperative events per phase, with the number of events written on bars."""
    bars = (
        alt.Chart(summary)
        .mark_bar(color=PALETTE[2])
        .encode(
            y=alt.Y("phase:N", sort=None, title=None),
            x=alt.X(
                "cooperative_share:Q",
                title="Share of events that are cooperation (QuadClass 1–2)",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                "phase:N",
                "events:Q",
                alt.Tooltip("cooperative_share:Q", format=".0%"),
                "mean_goldstein:Q",
            ],
        )
    )
    text = bars.mark_text(align="left", dx=3).encode(
        text=alt.Text("events:Q", format="d"), color=alt.value("#222222")
    )
    return (bars + text).properties(
        title=title or "How cooperative was each phase? (numbers: events in the phase)",
        width=WIDTH - 220,
        description="Bar chart: share of cooperative events in each phase of the relationship.",
    )


def coded_volume(
    daily: pd.DataFrame, *, markers: pd.DataFrame | None = None, title: str | None = None
) -> alt.LayerChart:
    """Daily number of coded Russia–Turkey events, with curated events as dated rules."""
    base = (
        alt.Chart(daily)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("date:T", title="Day"),
            y=alt.Y("events:Q", title="Coded events that day"),
            tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "events:Q"],
        )
    )
    layers: list[Any] = [
        base,
        *_date_markers(markers, color=PALETTE[5], strokeDash=[4, 2], strokeWidth=2),
    ]
    return alt.layer(*layers).properties(
        title=title or "Machine-coded events per day, with the curated record's dates",
        width=WIDTH,
        height=260,
        description=(
            "Bar chart of the number of machine-coded Russia–Turkey events per day; dashed "
            "vertical rules mark dates from the curated record."
        ),
    )
