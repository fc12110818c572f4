"""Altair chart builders for the lessons: each returns a chart, none displays anything.

Every chart has a title, tooltips, a Vega-Lite `description` for screen readers and the
colour-blind-safe palette below (the one palette of the lessons: `lessons.render`'s theme takes
it from here); where colour carries a meaning, a shape, a dash, a label or a position carries it
too, and every colour that carries a meaning has a contrast of at least 3:1 on white. Charts
receive data already aggregated (see `lessons.aggregate`), which keeps the stored notebooks small.

>>> counts = pd.DataFrame({"category": ["energy", "military"], "events": [2, 1]})
>>> spec = category_counts(counts).to_dict()
>>> spec["title"], spec["layer"][0]["mark"]["color"] == PALETTE[0]
('Events per theme', True)
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from lessons import aggregate

# Okabe & Ito's (2008) colour-blind-safe hues, darkened where the original falls below 3:1 on
# white (orange, bluish green, reddish purple, sky blue, yellow, grey), so that marks which carry
# a meaning stand out from the page (WCAG 2.1, 1.4.11). Black and purple last.
PALETTE = [
    "#0072B2",  # blue                      5.2:1 on white
    "#B35900",  # dark orange               4.8:1
    "#007A5A",  # dark bluish green         5.3:1
    "#AA4499",  # dark reddish purple       5.3:1
    "#332288",  # indigo (for sky blue)    12.2:1
    "#D55E00",  # vermillion                3.9:1
    "#7A6A00",  # dark yellow (olive)       5.4:1
    "#6B6B6B",  # dark grey                 5.3:1
    "#000000",  # black
    "#7F3C8D",  # purple                    7.2:1
]
NEUTRAL = "#6B6B6B"  # marks whose colour means nothing (rules, reference points)

QUAD_LABELS = {
    1: "Verbal cooperation",
    2: "Material cooperation",
    3: "Verbal conflict",
    4: "Material conflict",
}
QUAD_SHAPES = ["circle", "square", "triangle-up", "cross"]
# cooperation in blue and green, conflict in purple and vermillion; shapes say it too
QUAD_COLOURS = ["#0072B2", "#007A5A", "#AA4499", "#D55E00"]
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


# Dates on axes keep their year at every zoom ("Mar 2020", never "March" alone); labels that
# would collide are dropped by Vega (labelOverlap), never drawn over each other.
DATE_FORMAT = {
    "year": "%Y",
    "quarter": "%b %Y",
    "month": "%b %Y",
    "week": "%d %b %Y",
    "date": "%d %b %Y",
    "hours": "%d %b %Y",
    "minutes": "%d %b %Y",
    "seconds": "%d %b %Y",
    "milliseconds": "%d %b %Y",
}


def date_axis(**options: Any) -> alt.Axis:
    """A date axis whose labels always show the year and never overlap."""
    return alt.Axis(format=DATE_FORMAT, labelOverlap="greedy", labelFlush=True, **options)


def event_timeline(
    events: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    title: str = "Russia–Turkey events by theme",
    brush: bool = True,
) -> alt.Chart | alt.LayerChart | alt.VConcatChart:
    """Every event as a mark: x = date, row = category, shape and colour = QuadClass.

    The legend "Kind of event" shows colour and shape together; clicking an entry highlights
    one kind of event. With `brush`, a small overview below the chart (event ticks in one
    neutral colour, the phases numbered as in the strip above) selects the date range to
    zoom into.
    """
    data = _timeline_frame(events)
    kind_sel = alt.selection_point(fields=["kind"], bind="legend")
    quad_scale = alt.Scale(domain=list(QUAD_LABELS.values()), range=QUAD_COLOURS)
    shape_scale = alt.Scale(domain=list(QUAD_LABELS.values()), range=QUAD_SHAPES)
    legend = alt.Legend(
        title="Kind of event (click one to highlight it)",
        orient="right",
        symbolSize=90,
        labelLimit=220,
        titleLimit=320,
    )
    present = set(data["category"])
    cats = [c for c in CATEGORY_ORDER if c in present]
    zoom = alt.selection_interval(encodings=["x"], name="period") if brush else None
    x_scale = alt.Scale(domain=zoom) if brush else alt.Undefined
    x_detail = alt.X("date:T", title="Date", scale=x_scale, axis=date_axis())
    base = alt.Chart(data)
    points = (
        base.mark_point(filled=True, size=70, opacity=0.85)
        .encode(
            x=x_detail,
            y=alt.Y("category:N", sort=cats, title=None),
            color=alt.Color("kind:N", scale=quad_scale, legend=legend),
            shape=alt.Shape("kind:N", scale=shape_scale, legend=legend),
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
        f"{data['date'].max():%Y}, one mark per event, grouped by theme; colour and shape both "
        "show whether the event was verbal or material cooperation or conflict (see the legend)."
    )
    if not brush:
        return detail.properties(description=description)
    ticks = (
        alt.Chart(data)
        .mark_tick(thickness=1.5, size=14, color=NEUTRAL, aria=False)
        .encode(
            x=alt.X(
                "date:T", title="Drag across this strip to zoom into a period", axis=date_axis()
            )
        )
    )
    layers: list[Any] = [ticks]
    if phases is not None:
        layers = [*_overview_phases(phases), ticks]
    overview = (
        alt.layer(*layers)
        .add_params(zoom)
        .properties(
            width=WIDTH,
            height=30,
            description=(
                "Zoom control: drag across this strip of all the events to choose a period; "
                "the chart above then shows only that period. Double-click the strip to show "
                "every year again."
            ),
        )
    )
    return alt.vconcat(detail, overview).properties(description=description)


def _overview_phases(phases: pd.DataFrame) -> list[alt.Chart]:
    """The phases in the overview strip: alternating bands, each with its number."""
    frame = _phase_frame(phases)
    frame["mid"] = frame["start"] + (frame["end"] - frame["start"]) / 2
    bands = (
        alt.Chart(frame)
        .mark_rect(opacity=0.08, aria=False)
        .encode(x="start:T", x2="end:T", fill=_band_fill())
    )
    numbers = (
        alt.Chart(frame)
        .mark_text(baseline="top", fontSize=9, color="#333333", dy=-12, aria=False)
        .encode(
            x="mid:T",
            y=alt.value(0),
            text="number:N",
            tooltip=[alt.Tooltip("label:N", title="Phase")],
        )
    )
    return [bands, numbers]


def _phase_frame(phases: pd.DataFrame) -> pd.DataFrame:
    """The phases with a band parity, a number (1, 2, …) and a numbered label."""
    frame = phases[["phase", "start", "end"]].copy().reset_index(drop=True)
    frame["band"] = [i % 2 for i in range(len(frame))]
    frame["number"] = [str(i + 1) for i in range(len(frame))]
    frame["label"] = frame["number"] + " " + frame["phase"]
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
        .encode(x=x, y=y, text="label:N", tooltip=tooltip),
        alt.Chart(frame[frame["from_end"]])
        .mark_text(align="right", dx=-2, **text)
        .encode(x=alt.X("end:T", scale=x_scale, axis=None), y=y, text="label:N", tooltip=tooltip),
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
    names = frame["label"] if "label" in frame else frame["phase"]
    for start, end, name in zip(frame["start"], frame["end"], names, strict=True):
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


MARKER_LABEL_MAX = 24  # longer labels, or more than MARKER_ROTATED_MAX, are numbered
MARKER_ROTATED_MAX = 3
MARKER_ROW_PX = 13
KEY_WRAP = 100  # characters per line in a marker key


def _marker_frame(markers: pd.DataFrame, span: tuple[Any, Any] | None) -> pd.DataFrame:
    """Markers sorted by date, numbered 1, 2, …, each on the first row where its number does
    not touch another's (`span` is the chart's date range, to turn dates into pixels)."""
    frame = markers[["date", "label"]].sort_values("date").reset_index(drop=True)
    frame["number"] = [str(i + 1) for i in range(len(frame))]
    start, end = span if span is not None else (frame["date"].min(), frame["date"].max())
    px_per_day = WIDTH / max((pd.Timestamp(end) - pd.Timestamp(start)).days, 1)
    row_ends: list[float] = []
    rows = []
    for date, number in zip(frame["date"], frame["number"], strict=True):
        left = (date - pd.Timestamp(start)).days * px_per_day - 4
        row = next((i for i, used in enumerate(row_ends) if left > used + 3), len(row_ends))
        if row == len(row_ends):
            row_ends.append(float("-inf"))
        row_ends[row] = left + 7 * len(number) + 4
        rows.append(row)
    frame["label_y"] = [2 + MARKER_ROW_PX * r for r in rows]
    return frame


def _numbered(markers: pd.DataFrame | None) -> bool:
    """Whether markers get numbers and a key (long or many labels) or rotated labels."""
    if markers is None or markers.empty:
        return False
    longest = markers["label"].astype(str).str.len().max()
    return len(markers) > MARKER_ROTATED_MAX or longest > MARKER_LABEL_MAX


def _date_markers(
    markers: pd.DataFrame | None, span: tuple[Any, Any] | None = None, **rule_style: Any
) -> list[alt.Chart]:
    """Dated vertical rules (columns `date`, `label`); none if empty.

    A few short labels are written along their rule. Many or long labels would overlap or
    be cut: then each rule gets a number on staggered rows at the top of the chart, and
    `_marker_key` writes the full labels beside the chart.
    """
    if markers is None or markers.empty:
        return []
    tooltip = [alt.Tooltip("date:T", title="Date", format="%d %b %Y"), "label:N"]
    if not _numbered(markers):
        rules = alt.Chart(markers).mark_rule(**rule_style)
        text = alt.Chart(markers).mark_text(angle=270, align="left", dx=4, dy=-4, fontSize=11)
        return [
            rules.encode(x="date:T", tooltip=tooltip),
            text.encode(x="date:T", y=alt.value(0), text="label:N"),
        ]
    frame = _marker_frame(markers, span)
    rules = alt.Chart(frame).mark_rule(**rule_style).encode(x="date:T", tooltip=tooltip)
    numbers = (
        alt.Chart(frame)
        .mark_text(baseline="top", fontSize=11, fontWeight="bold", color="#222222", dx=6)
        .encode(
            x="date:T",
            y=alt.Y("label_y:Q", scale=None, axis=None),
            text="number:N",
            tooltip=tooltip,
        )
    )
    return [rules, numbers]


def _marker_key(markers: pd.DataFrame | None, span: tuple[Any, Any] | None = None) -> Any:
    """The numbered markers' full labels, wrapped by words, one block under the chart."""
    if not _numbered(markers):
        return None
    frame = _marker_frame(markers, span)
    lines = []
    for number, date, label in zip(frame["number"], frame["date"], frame["label"], strict=True):
        wrapped = textwrap.wrap(f"{date:%d %b %Y}: {label}", KEY_WRAP) or [""]
        for i, part in enumerate(wrapped):
            lines.append({"line": (f"{number:>2}  " if i == 0 else "    ") + part})
    key = pd.DataFrame(lines)
    key["row"] = range(len(key))
    return (
        alt.Chart(key)
        .mark_text(align="left", baseline="top", fontSize=12, font="monospace", aria=False)
        .encode(
            y=alt.Y("row:O", axis=None),
            x=alt.value(0),
            text="line:N",
        )
        .properties(
            width=WIDTH,
            height=16 * len(key),
            title=alt.TitleParams("Key to the numbered lines", anchor="start", fontSize=12),
        )
    )


def _with_key(chart: Any, markers: pd.DataFrame | None, span: Any, **props: Any) -> Any:
    """The chart with its marker key under it (if the markers are numbered)."""
    key = _marker_key(markers, span)
    if key is None:
        return chart.properties(**props)
    inner = {k: v for k, v in props.items() if k in ("width", "height")}
    outer = {k: v for k, v in props.items() if k not in ("width", "height")}
    return alt.vconcat(chart.properties(**inner), key, spacing=12).properties(**outer)


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
) -> alt.LayerChart | alt.VConcatChart:
    """Monthly Goldstein sums per direction: solid line RUS->TUR, dashed TUR->RUS.

    `markers` (date, label) draws dated rules, e.g. curated events, for comparison. Give the
    labels in full: many or long ones are numbered on the chart and written out in a key
    under it, so none is cut or drawn over another.
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
        x=alt.X("month:T", title="Month", axis=date_axis()),
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
    span = (monthly["month"].min(), monthly["month"].max()) if len(monthly) else None
    marks = _date_markers(markers, span, strokeDash=[2, 2], color=NEUTRAL)
    layers: list[Any] = [lines, points, *marks]
    return _with_key(
        alt.layer(*layers),
        markers,
        span,
        title=title,
        width=WIDTH,
        height=300,
        description=(
            "Line chart of monthly summed Goldstein scores of machine-coded events, one line per "
            "direction (solid: Russia to Turkey, dashed: Turkey to Russia)"
            + (
                f"; {len(markers)} dated events of the record are drawn as dotted vertical lines"
                if markers is not None and not markers.empty
                else ""
            )
            + "."
        ),
    )


def quad_class_bars(monthly: pd.DataFrame, *, title: str | None = None) -> alt.Chart:
    """Stacked monthly counts by QuadClass, one panel per direction.

    Colour is never the only cue: the four classes are stacked in a fixed order, and the legend
    lists them in the same order as the stack (top to bottom); the two conflict classes are
    outlined in black, the two cooperation classes are not; the tooltip names the class.
    """
    long = monthly.melt(
        id_vars=["month", "direction"],
        value_vars=["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"],
        var_name="quad",
        value_name="events",
    )
    names = dict(zip(long["quad"].unique(), QUAD_LABELS.values(), strict=True))
    long["kind"] = long["quad"].map(names)
    long["order"] = long["quad"].map({q: i for i, q in enumerate(names)})
    long["conflict"] = long["order"] >= 2
    long = long[long["events"] > 0]  # an empty segment would show as a black outline
    kinds = list(QUAD_LABELS.values())
    top_first = kinds[::-1]  # the legend reads like the stack: top entry = top of the bar
    return (
        alt.Chart(long)
        .mark_bar(strokeWidth=1.2)
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("events:Q", title="Coded events"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=QUAD_COLOURS),
                sort=top_first,
                legend=alt.Legend(
                    title="QuadClass, as stacked (top to bottom)",
                    values=top_first,
                    titleLimit=320,
                    labelExpr=(
                        "datum.label + (indexof(['Verbal conflict', 'Material conflict'], "
                        "datum.label) >= 0 ? ' (outlined)' : '')"
                    ),
                ),
            ),
            stroke=alt.condition("datum.conflict", alt.value("black"), alt.value(None)),
            order=alt.Order("order:Q"),
            row=alt.Row("direction:N", title=None),
            tooltip=[
                alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
                alt.Tooltip("direction:N", title="Direction"),
                alt.Tooltip("kind:N", title="QuadClass"),
                alt.Tooltip("events:Q", title="Events"),
            ],
        )
        .properties(
            width=WIDTH - 80,
            height=150,
            title=title or "Coded events per month by QuadClass",
            description=(
                "Stacked bars per month of coded events in the four QuadClasses, stacked from "
                "the bottom in the order verbal cooperation, material cooperation, verbal "
                "conflict, material conflict (the two conflict classes outlined in black); one "
                "panel per direction."
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
    frame = aggregate.gas_by_origin(gas, unit=unit)
    base = alt.Chart(frame).encode(
        x=alt.X("month:T", title="Month", axis=date_axis()),
        y=alt.Y("value:Q", title=f"Gas imports ({unit} per month)", stack=None),
        color=alt.Color(
            "origin:N",
            scale=alt.Scale(domain=["Russia", "All other partners"], range=[PALETTE[0], NEUTRAL]),
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
    span = (frame["month"].min(), frame["month"].max()) if len(frame) else None
    layers: list[Any] = [
        base.mark_line(strokeWidth=2),
        *_date_markers(events, span, color="#333333", strokeDash=[2, 2]),
    ]
    return _with_key(
        alt.layer(*layers),
        events,
        span,
        title=title or f"Turkey's gas imports from Russia and from everyone else ({unit})",
        width=WIDTH,
        height=300,
        description=(
            "Line chart of Turkey's monthly gas imports (pipeline and LNG), solid line for "
            "Russia, dashed grey line for all other partners combined."
        ),
    )


def _legend_counts(counts: pd.Series, most: int = 4) -> list[int]:
    """Up to `most` whole-number legend entries from the counts actually on the map."""
    distinct = sorted({int(c) for c in counts})
    if len(distinct) <= most:
        return distinct
    step = (len(distinct) - 1) / (most - 1)
    return sorted({distinct[round(i * step)] for i in range(most)})


HIGHLIGHT_FILL = "#587A9C"  # 3.3:1 against the other areas (#dddddd), 4.5:1 on white
PLAIN_FILL = "#dddddd"
LABEL_EMPTY_PLACES_UP_TO = 8  # a country with few places names even those without events


def shape_names(shapes: dict[str, Any], layer: str) -> dict[str, str]:
    """Area id → area name in a TopoJSON layer ("SY.ID" → "Idlib")."""
    geometries = shapes.get("objects", {}).get(layer, {}).get("geometries", [])
    return {
        g.get("id"): (g.get("properties") or {}).get("name", g.get("id"))
        for g in geometries
        if g.get("id")
    }


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

    `highlight` names a shape id (e.g. 'SY.ID' for Idlib): that area gets a darker fill, a
    thick dark outline and its own legend entry, so colour is not the only cue. Places of
    `places` without events in `events` are drawn as small hollow rings (named when the
    country has few places), so the map shows where the record's places are.
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
    empty = places[~places["place_id"].isin(pts["place_id"])][
        ["place_id", "label", "latitude", "longitude"]
    ].assign(note="No event of the record here in these years")
    area_names = shape_names(shapes, layer)
    highlight_name = area_names.get(highlight, highlight) if highlight else None
    topo = alt.InlineData(values=shapes, format=alt.DataFormat(type="topojson", feature=layer))
    land = alt.Chart(topo)
    if highlight:
        marked = f"{highlight_name} (outlined)"
        land = land.transform_calculate(
            area=f"datum.id === '{highlight}' ? '{marked}' : 'Other areas'"
        )
        shades = alt.Fill(
            "area:N",
            scale=alt.Scale(domain=[marked, "Other areas"], range=[HIGHLIGHT_FILL, PLAIN_FILL]),
            legend=alt.Legend(title="Area", orient="bottom-left", symbolStrokeColor="#222222"),
        )
        land = land.mark_geoshape(stroke="white", strokeWidth=0.7).encode(
            fill=shades, tooltip=[alt.Tooltip("properties.name:N", title="Area")]
        )
        outline = (
            alt.Chart(topo)
            .transform_filter(f"datum.id === '{highlight}'")
            .mark_geoshape(filled=False, stroke="#222222", strokeWidth=2.5, aria=False)
        )
        ground: list[Any] = [land, outline]
    else:
        ground = [
            land.mark_geoshape(stroke="white", strokeWidth=0.7, fill=PLAIN_FILL).encode(
                tooltip=[alt.Tooltip("properties.name:N", title="Area")]
            )
        ]
    rings = (
        alt.Chart(empty)
        .mark_point(shape="circle", size=30, filled=False, color=NEUTRAL, strokeWidth=1.2)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            tooltip=[alt.Tooltip("label:N", title="Place"), alt.Tooltip("note:N", title="Events")],
        )
    )
    layers: list[Any] = [*ground, rings]
    if len(places) <= LABEL_EMPTY_PLACES_UP_TO:
        layers.append(
            rings.mark_text(align="left", dx=6, dy=6, fontSize=10, color=NEUTRAL).encode(
                text="label:N"
            )
        )
    dots = (
        alt.Chart(pts)
        .mark_circle(color=PALETTE[5], opacity=0.85, stroke="black", strokeWidth=1)
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
    listed = ", ".join(
        f"{label} ({n})" for label, n in zip(pts["label"], pts["events"], strict=True)
    )
    description = (
        f"Map with {len(pts)} place(s) where events happened, circles sized by the number of "
        f"events: {listed or 'none in these years'}."
        + (f" Hollow rings: {len(empty)} other place(s) of the record." if len(empty) else "")
        + (f" The area {highlight_name} is outlined and shaded darker." if highlight else "")
    )
    return (
        alt.layer(*layers, dots, names)
        .project("mercator")
        .properties(title=title, width=width, height=height, description=description)
    )


def casualty_updates(
    reports: pd.DataFrame, *, title: str | None = None, steps: int | None = None
) -> alt.LayerChart:
    """How an announced death toll changed report by report (step line + labelled points).

    `steps` fixes the x axis to reports 1…steps (whole numbers only), so stepping through the
    reports does not rescale the axis and a single report gets a single clean tick.
    """
    frame = reports.copy()
    frame["step"] = range(1, len(frame) + 1)
    last = max(steps or len(frame), 1)
    base = alt.Chart(frame).encode(
        x=alt.X(
            "step:Q",
            title="Report, in the order published",
            scale=alt.Scale(domain=[0.5, last + 0.5], nice=False, zero=False),
            axis=alt.Axis(values=list(range(1, last + 1)), format="d", tickMinStep=1),
        ),
        y=alt.Y("killed:Q", title="Reported killed (as each report counted)"),
    )
    line = base.mark_line(interpolate="step-after", color=NEUTRAL)
    points = base.mark_point(filled=True, size=90, opacity=1).encode(
        shape=alt.Shape("speaker_type:N", title="Who gave the figure"),
        color=alt.Color(
            "speaker_type:N", title="Who gave the figure", scale=alt.Scale(range=PALETTE)
        ),
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
            y=alt.Y("phase:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
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
            x=alt.X("date:T", title="Day", axis=date_axis()),
            y=alt.Y("events:Q", title="Coded events that day"),
            tooltip=[alt.Tooltip("date:T", format="%d %b %Y"), "events:Q"],
        )
    )
    span = (daily["date"].min(), daily["date"].max()) if len(daily) else None
    layers: list[Any] = [
        base,
        *_date_markers(markers, span, color=PALETTE[5], strokeDash=[4, 2], strokeWidth=2),
    ]
    return _with_key(
        alt.layer(*layers),
        markers,
        span,
        title=title or "Machine-coded events per day, with the curated record's dates",
        width=WIDTH,
        height=260,
        description=(
            "Bar chart of the number of machine-coded Russia–Turkey events per day; dashed "
            "vertical rules mark dates from the curated record."
        ),
    )


# Kept for notebooks written before the aggregation moved to `aggregate`.
gas_by_origin = aggregate.gas_by_origin
