"""Interactive explorers: ipywidgets controls wired to the chart builders.

Why this shape: the logic of every explorer is a plain function (filter, summarise, render
text) that a test calls without a browser; the widget only reads its controls, calls those
functions and swaps the chart and the text. Each explorer is an `Explorer` (a VBox) that
also exposes `controls`, `chart` and `output` so tests can drive it like a learner would.
All event text shown is HTML-escaped: a title with markup is shown as text, never run.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import altair as alt
import ipywidgets as w
import pandas as pd

from lessons import aggregate, charts
from lessons.checks import judge_date  # grading lives in checks; the name stays importable here
from lessons.render import RUN_TO_USE

TABLE_LIMIT = 25
# Text that wraps between words, as prose does (never inside a word), and a readable size.
TEXT_STYLE = "word-break:normal;overflow-wrap:break-word;white-space:normal;line-height:1.4;"
SUMMARY_STYLE = f"font-size:14px;{TEXT_STYLE}"


def years_slider(first: int, last: int) -> w.IntRangeSlider:
    """A years range slider wide enough that its readout shows "1992 – 2026" in full.

    ipywidgets' default slider is 300 px wide and the readout gets what is left, which cut
    the readout to "1992 – 202".
    """
    return w.IntRangeSlider(
        value=(first, last),
        min=first,
        max=last,
        description="Years",
        continuous_update=False,
        layout=w.Layout(width="420px"),
    )


def _pending_chart() -> alt.JupyterChart:
    """An empty chart widget: the explorer's first refresh draws the real chart into it.

    Why: every explorer refreshes once when it is built, so building the real chart here too
    would draw it twice (the maps carry their shapes inline, which made that costly).
    """
    return alt.JupyterChart(alt.Chart().mark_point())


class Explorer(w.VBox):
    """A VBox that remembers its controls, its chart widget and its text output."""

    def __init__(
        self,
        controls: dict[str, w.Widget],
        refresh: Callable[[], None],
        chart: alt.JupyterChart | None = None,
        output: w.HTML | None = None,
        layout_rows: list[w.Widget] | None = None,
        name: str = "Interactive explorer",
    ):
        self.name = name
        self.controls = controls
        self.chart = chart
        self.output = output if output is not None else w.HTML()
        self._refresh = refresh
        rows = layout_rows or [w.HBox(list(controls.values()))]
        children = [*rows, *([chart] if chart is not None else []), self.output]
        super().__init__(children=children)
        self.add_class("lessons-explorer")  # tells explorers from exercise boxes on the page
        for control in controls.values():
            if hasattr(control, "value"):
                control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()

    def refresh(self) -> None:
        """Recompute chart and text from the controls' current values."""
        self._refresh()

    def __repr__(self) -> str:
        # a short, stable text: shown where widgets cannot render (a notebook that was not
        # run), and compared by nbval; it names the controls and says what to do
        return f"{self.name} (controls: {', '.join(self.controls)}) — {RUN_TO_USE}"


# --- the timeline explorer --------------------------------------------------------------


def filter_events(
    events: pd.DataFrame,
    *,
    years: tuple[int, int] | None = None,
    categories: Iterable[str] | None = None,
    text: str = "",
) -> pd.DataFrame:
    """Events within the years (inclusive), in any of the categories, matching the text.

    The text search looks in title, summary, actors and source publisher, ignoring case and
    accents: "erdogan" finds "Erdoğan", "cavusoglu" finds "Çavuşoğlu".
    """
    return events[_matching(events, years, categories, text)]


def _matching(
    events: pd.DataFrame,
    years: tuple[int, int] | None,
    categories: Iterable[str] | None,
    text: str,
    haystack: pd.Series | None = None,
) -> pd.Series:
    """The rows `filter_events` keeps; `haystack` (from `_haystack`) saves rebuilding it."""
    keep = pd.Series(True, index=events.index)
    if years is not None:
        year = events["date"].dt.year
        keep &= year.between(years[0], years[1])
    if categories:
        keep &= events["category"].isin(list(categories))
    needle = fold(text.strip())
    if needle:
        if haystack is None:
            haystack = _haystack(events)
        keep &= haystack.str.contains(needle, regex=False)
    return keep


def fold(text: str) -> str:
    """Text as the search compares it: no case, no accents ("Erdoğan" → "erdogan").

    Turkish dotless ı has no decomposition, so it is mapped to i by hand; İ decomposes.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _haystack(events: pd.DataFrame) -> pd.Series:
    """The folded text the search looks in (see `fold`), one string per event."""
    return (
        events["title"]
        + " "
        + events["summary"]
        + " "
        + events["actors"].map(" ".join)
        + " "
        + events["source_publisher"]
    ).map(fold)


class Table:
    """A table of any frame that reads like prose: left-aligned, wrapped between words, 14 px.

    `widgets.table(frame)` in a notebook shows it; its text (for an unrun notebook or nbval)
    is the frame's plain text. Dates show as YYYY-MM-DD and never break; missing values are
    blank; every cell is escaped.
    """

    CELL = f"text-align:left;vertical-align:top;padding:4px 8px;font-size:14px;{TEXT_STYLE}"

    def __init__(self, frame: pd.DataFrame, *, index: bool = False):
        self.frame = frame.reset_index() if index else frame

    def _cell(self, value: Any) -> str:
        if isinstance(value, pd.Timestamp):
            return f"<td style='{self.CELL}white-space:nowrap'>{value:%Y-%m-%d}</td>"
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
            return f"<td style='{self.CELL}'></td>"
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        return f"<td style='{self.CELL}'>{html.escape(str(value))}</td>"

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th scope='col' style='{self.CELL}'>{html.escape(str(c))}</th>"
            for c in self.frame.columns
        )
        body = "".join(
            "<tr>" + "".join(self._cell(v) for v in row) + "</tr>"
            for row in self.frame.itertuples(index=False, name=None)
        )
        return (
            "<table class='lessons-table' style='border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        with pd.option_context("display.max_colwidth", 60, "display.width", 120):
            return self.frame.to_string(index=False)


def table(frame: pd.DataFrame, *, index: bool = False) -> Table:
    """Show a frame as a readable table (see `Table`); `index=True` keeps its index as a column."""
    return Table(frame, index=index)


def events_table_html(events: pd.DataFrame, limit: int = TABLE_LIMIT) -> str:
    """An accessible HTML table of events with their sources; every cell is escaped."""
    if events.empty:
        return (
            f"<p style='{TEXT_STYLE}'><em>No events match. Widen the years or clear the "
            "search.</em></p>"
        )
    rows = []
    head = events.head(limit)
    columns = ("date", "category", "title", "summary", "source_url", "source_publisher")
    cells = zip(*(head[c] for c in (*columns, "source_date")), strict=True)
    for date, category, title, summary, url, publisher, published in cells:
        source_date = "" if pd.isna(published) else f", {published:%Y-%m-%d}"
        source = (
            f'<a href="{html.escape(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{html.escape(publisher)}</a>'
            f"{html.escape(source_date)}"
        )
        rows.append(
            "<tr>"
            f"<td style='white-space:nowrap'>{date:%Y-%m-%d}</td>"
            f"<td>{html.escape(category)}</td>"
            f"<td><strong>{html.escape(title)}</strong><br>"
            f"<div class='lessons-summary' style='{SUMMARY_STYLE}'>{html.escape(summary)}</div>"
            "</td>"
            f"<td>{source}</td>"
            "</tr>"
        )
    more = len(events) - limit
    caption = f"{len(events)} matching event(s)" + (
        f"; showing the first {limit}" if more > 0 else ""
    )
    return (
        '<table class="lessons-events" style="border-collapse:collapse;font-size:14px;'
        f'{TEXT_STYLE}">'
        f"<caption style='text-align:left'>{caption}</caption>"
        "<thead><tr><th>Date</th><th>Theme</th><th>Event</th><th>Source</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


THEMES_NOTE = (
    "<div style='font-size:13px;max-width:260px;" + TEXT_STYLE + "'>"
    "Click a theme to see only it; hold <kbd>Ctrl</kbd> (<kbd>⌘</kbd> on a Mac) and click to "
    "add or remove more. <b>All themes</b> brings every theme back.</div>"
)


def no_match_chart(message: str, width: int | str = charts.WIDTH) -> alt.Chart:
    """An empty chart that says why it is empty (so no earlier chart stays on screen).

    `width` in pixels, or "container" to fill the page's width (the presenter).
    """
    return (
        alt.Chart(pd.DataFrame({"message": ["(no events to draw)"]}))
        .mark_text(fontSize=14, color="#333333")
        .encode(text="message:N")
        .properties(
            title=message,
            width=width,
            height=60,
            description=f"No chart: {message}",
        )
    )


def no_match_message(text: str, years: tuple[int, int], themes: Iterable[str]) -> str:
    """Why nothing is shown, naming the search, the years and how many themes are chosen."""
    what = f"“{text.strip()}”" if text.strip() else "these choices"
    chosen = list(themes)
    where = f" in {years[0]}–{years[1]}" if years[0] != years[1] else f" in {years[0]}"
    scope = f" and {len(chosen)} theme(s)" if chosen else ""
    return f"No event matches {what}{where}{scope}."


def timeline_explorer(
    events: pd.DataFrame,
    phases: pd.DataFrame | None = None,
    *,
    chart_width: int | str = charts.WIDTH,
) -> Explorer:
    """Years slider, theme picker and text search over the event record, with sources.

    `chart_width`: the chart's width in pixels, or "container" to follow the page's width
    (the presenter, so a projector or a zoomed browser never cuts the legend).
    """
    first, last = int(events["date"].dt.year.min()), int(events["date"].dt.year.max())
    years = years_slider(first, last)
    cats = [c for c in charts.CATEGORY_ORDER if c in set(events["category"])]
    category = w.SelectMultiple(options=cats, value=tuple(cats), description="Themes", rows=6)
    all_themes = w.Button(
        description="All themes",
        tooltip="Choose every theme again",
        layout=w.Layout(width="auto"),
    )
    all_themes.on_click(lambda _button: setattr(category, "value", tuple(cats)))
    search = w.Text(
        value="",
        description="Search",
        placeholder="e.g. Idlib, gas, Haftar, Erdogan",
    )
    chart = _pending_chart()
    output = w.HTML()
    haystack = _haystack(events)  # built once, not on every keystroke

    def refresh() -> None:
        keep = _matching(events, years.value, category.value, search.value, haystack)
        chosen = events[keep]
        if chosen.empty:
            message = no_match_message(search.value, years.value, category.value)
            chart.chart = no_match_chart(message, chart_width)
            output.value = (
                f"<p style='{SUMMARY_STYLE}'><strong>{html.escape(message)}</strong> Check the "
                "spelling, try a shorter word, widen the years or press <b>All themes</b>.</p>"
            )
            return
        chart.chart = charts.event_timeline(
            chosen, None, brush=False, title=_title(chosen)
        ).properties(width=chart_width)
        output.value = events_table_html(chosen)

    return Explorer(
        {"years": years, "category": category, "search": search},
        refresh,
        chart,
        output,
        layout_rows=[
            w.HBox(
                [
                    w.VBox([years, search]),
                    category,
                    w.VBox([all_themes, w.HTML(THEMES_NOTE)]),
                ]
            )
        ],
        name="Timeline explorer",
    )


def _title(chosen: pd.DataFrame) -> str:
    noun = "event" if len(chosen) == 1 else "events"
    span = _years_text(chosen["date"].min().year, chosen["date"].max().year)
    return f"{len(chosen)} {noun}, {span}"


def _years_text(first: int, last: int) -> str:
    """The years as a title says them: 2001–2003, or 2001 alone (never 2001–2001)."""
    return f"{first}" if first == last else f"{first}–{last}"


# --- relative-date resolver ---------------------------------------------------------------


def resolve_phrase(claims: pd.DataFrame, phrase: str) -> pd.Series:
    """The claim row whose time phrase is `phrase` (KeyError naming the phrases if none)."""
    match = claims[claims["time_phrase"] == phrase]
    if match.empty:
        known = sorted(p for p in claims["time_phrase"].dropna().unique())
        raise KeyError(f"no claim uses the phrase {phrase!r}; phrases: {known}")
    return match.iloc[0]


def phrase_resolver(claims: pd.DataFrame) -> Explorer:
    """Pick one of the report's time phrases, choose a date, press Check.

    Feedback appears only after Check, for the phrase it was pressed for: choosing another
    phrase (or another date) clears it until Check is pressed again.
    """
    phrases = [p for p in claims["time_phrase"].dropna().tolist() if p]
    phrase = w.Dropdown(options=phrases, description="Phrase")
    guess = w.DatePicker(description="Your date")
    button = w.Button(description="Check", icon="check")
    output = w.HTML()
    checked: dict[str, Any] = {"for": None}  # the (phrase, date) that Check was pressed for

    def refresh() -> None:
        claim = resolve_phrase(claims, phrase.value)
        text = (
            f"<p style='{SUMMARY_STYLE}'><em>The report says:</em> "
            f"{html.escape(claim['claim'])}</p>"
        )
        if checked["for"] == (phrase.value, guess.value):
            text += judge_date(claim, guess.value)._repr_html_()
        else:
            checked["for"] = None
            text += (
                f"<p style='{SUMMARY_STYLE}'>Choose the date this phrase points to, "
                "then press <b>Check</b>.</p>"
            )
        output.value = text

    def on_click(_button: w.Button) -> None:
        checked["for"] = (phrase.value, guess.value)
        refresh()

    button.on_click(on_click)
    return Explorer(
        {"phrase": phrase, "guess": guess, "check": button},
        refresh,
        None,
        output,
        layout_rows=[w.HBox([phrase, guess, button])],
        name="Date-phrase resolver",
    )


# --- casualty figures ---------------------------------------------------------------------


def _reports(n: int) -> str:
    return f"{n} report" if n == 1 else f"{n} reports"


def toll_story(reports: pd.DataFrame, upto: int) -> str:
    """What a reader could know after the first `upto` reports (escaped HTML)."""
    seen = reports.head(upto)
    last = seen.iloc[-1]
    figures = " → ".join(str(k) for k in seen["killed"])
    time_of_day = last["time_of_day"]
    hour = time_of_day if isinstance(time_of_day, str) and time_of_day else "time not given"
    when = f"{last['reported_date']:%d %b %Y}, {hour}"
    if last["speaker_type"] == "news report":
        # the case text itself: "given by the news report … published by news report, …"
        # would name it twice
        latest = (
            f"Latest: {int(last['killed'])} killed, the figure printed in "
            f"{html.escape(last['speaker'])} (the case text; {html.escape(when)})."
        )
    else:
        latest = (
            f"Latest: {int(last['killed'])} killed, given by {html.escape(last['speaker'])} "
            f"({html.escape(when)}; published by {html.escape(last['source_publisher'])})."
        )
    return (
        f"<p style='{SUMMARY_STYLE}'>After {_reports(upto)}, the figures published were: "
        f"<strong>{figures}</strong>. {latest}</p>"
    )


def attack_label(event_id: str, places: dict[str, str] | None = None) -> str:
    """A readable name for an attack: its place and date ("Balyun, 27 Feb 2020").

    The place is the event's place in the record (`places`: event_id → place label) or,
    where the record gives none, the first word of the event id after the date.
    """
    date = pd.Timestamp(event_id[:10])
    place = (places or {}).get(event_id) or event_id[11:].split("-")[0].replace("_", " ").title()
    return f"{place}, {date:%d %b %Y}"


def _event_places(events: pd.DataFrame | None, place_table: pd.DataFrame | None) -> dict:
    """event_id → place label, for the events that have a place in the record."""
    if events is None or place_table is None:
        return {}
    labels = place_table.set_index("place_id")["label"]
    placed = events.dropna(subset=["place_id"])
    return dict(zip(placed["event_id"], placed["place_id"].map(labels), strict=True))


def toll_explorer(
    reports: pd.DataFrame,
    events: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
) -> Explorer:
    """Step through the published death tolls of an attack, one report at a time.

    The Attack menu names each attack by place and date; `events` and `places` (the record's
    tables) give the place where the event id alone would not.
    """
    attacks = list(dict.fromkeys(reports["event_id"]))
    named = _event_places(events, places)
    attack = w.Dropdown(
        options=[(attack_label(a, named), a) for a in attacks],
        value=attacks[-1],
        description="Attack",
    )
    step = w.IntSlider(value=1, min=1, max=1, description="Reports", continuous_update=False)
    chart = _pending_chart()
    output = w.HTML()

    def refresh() -> None:
        subset = reports[reports["event_id"] == attack.value].reset_index(drop=True)
        step.max = len(subset)
        upto = min(step.value, len(subset))
        chart.chart = charts.casualty_updates(
            subset.head(upto), title=f"{_reports(upto)} so far", steps=len(subset)
        )
        output.value = toll_story(subset, upto)

    return Explorer(
        {"attack": attack, "step": step}, refresh, chart, output, name="Death-toll explorer"
    )


# --- phase comparer -----------------------------------------------------------------------


def compare_phases(events: pd.DataFrame, phases: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Events per category in two phases, side by side (counts)."""
    labelled = events.assign(phase=aggregate.assign_phase(events, phases))
    two = labelled[labelled["phase"].isin([a, b])]
    table = pd.crosstab(two["category"], two["phase"]).reindex(columns=[a, b], fill_value=0)
    table.columns.name = None
    return table.sort_values([a, b], ascending=False).reset_index()


def phase_comparer(events: pd.DataFrame, phases: pd.DataFrame) -> Explorer:
    """Choose two phases; see how many events of each theme and how cooperative each was."""
    names = phases["phase"].tolist()
    # the two most recent phases first: the lesson is about the years after 2020
    wide = {"layout": w.Layout(width="400px"), "style": {"description_width": "initial"}}
    first = w.Dropdown(options=names, value=names[-2], description="Phase A", **wide)
    second = w.Dropdown(options=names, value=names[-1], description="Phase B", **wide)
    instruction = w.HTML(
        f"<p style='{SUMMARY_STYLE}'>Choose any two phases in <b>Phase A</b> and "
        "<b>Phase B</b>; the bars and the table compare them.</p>"
    )
    summary = aggregate.phase_summary(events, phases)
    chart = _pending_chart()
    output = w.HTML()

    def refresh() -> None:
        pair = summary[summary["phase"].isin([first.value, second.value])]
        chart.chart = charts.phase_comparison(pair, title="Share of cooperative events")
        table = compare_phases(events, phases, first.value, second.value)
        output.value = (
            f"<div style='{SUMMARY_STYLE}'>"
            + table.to_html(index=False, escape=True, border=0)
            + "</div>"
        )

    return Explorer(
        {"first": first, "second": second},
        refresh,
        chart,
        output,
        layout_rows=[instruction, w.HBox([first, second])],
        name="Phase comparer",
    )


# --- Goldstein explorer -------------------------------------------------------------------


def goldstein_view(
    monthly: pd.DataFrame, *, window: int, direction: str, measure: str
) -> pd.DataFrame:
    """Monthly series for the chart: one or both directions, smoothed, one measure."""
    column = {"sum": "goldstein_sum", "mean": "goldstein_mean", "count": "n_events"}[measure]
    data = aggregate.net_cooperation(monthly, window=window, column=column)
    if direction != "both":
        data = data[data["direction"] == direction]
    return data.reset_index(drop=True)


def goldstein_explorer(monthly: pd.DataFrame, markers: pd.DataFrame | None = None) -> Explorer:
    """Smoothing, direction and measure controls over the monthly coded-event series."""
    window = w.IntSlider(value=1, min=1, max=5, description="Smoothing", continuous_update=False)
    direction = w.ToggleButtons(
        options=["both", "RUS->TUR", "TUR->RUS"],
        description="Direction",
        style={"button_width": "auto"},
    )
    measure = w.ToggleButtons(
        options=[("Goldstein sum", "sum"), ("Goldstein mean", "mean"), ("Event count", "count")],
        description="Measure",
        style={"button_width": "auto"},
    )
    chart = _pending_chart()
    output = w.HTML()

    def refresh() -> None:
        view = goldstein_view(
            monthly, window=window.value, direction=direction.value, measure=measure.value
        )
        label = dict((v, k) for k, v in measure.options)[measure.value]
        chart.chart = charts.goldstein_monthly(
            view, markers=markers, title=f"{label}, {window.value}-month centred average"
        )
        peak = view.loc[view["net_cooperation"].idxmax()]
        output.value = (
            f"<p>Highest value: {peak['net_cooperation']:.1f} ({peak['direction']}, "
            f"{peak['month']:%B %Y}).</p>"
        )

    return Explorer(
        {"window": window, "direction": direction, "measure": measure},
        refresh,
        chart,
        output,
        layout_rows=[w.HBox([window]), direction, measure],
        name="Goldstein explorer",
    )


# --- map explorer -------------------------------------------------------------------------

MAP_LAYERS = {"syria": ("syria", "syr", "SY.ID"), "libya": ("libya", "lby", None)}


def map_explorer(
    events: pd.DataFrame,
    places: pd.DataFrame,
    shapes: dict[str, dict[str, Any]],
    *,
    region: str = "syria",
    chart_width: int | str | None = None,
) -> Explorer:
    """A map of one country's events with a years slider.

    `chart_width`: the map's width in pixels (None: `charts.place_map`'s own), or "container"
    to follow the page's width (the presenter).
    """
    _name, layer, highlight = MAP_LAYERS[region]
    country = {"syria": "SY", "libya": "LY"}[region]
    local = places[places["country_code"] == country]
    here = events[events["place_id"].isin(local["place_id"])]
    first, last = int(here["date"].dt.year.min()), int(here["date"].dt.year.max())
    years = years_slider(first, last)
    chart = _pending_chart()
    output = w.HTML()

    sized = {} if chart_width is None else {"width": chart_width}

    def refresh() -> None:
        chosen = filter_events(here, years=years.value)
        span = _years_text(*years.value)
        chart.chart = charts.place_map(
            chosen,
            local,
            shapes[region],
            layer=layer,
            highlight=highlight,
            title=f"Events in {region.title()}, {span}"
            if len(chosen)
            else f"No events in {region.title()} in {span}: only the record's places",
            **sized,
        )
        output.value = (
            events_table_html(chosen, limit=10)
            if len(chosen)
            else f"<p style='{SUMMARY_STYLE}'><strong>No event of the record took place in "
            f"{html.escape(region.title())} in {span}.</strong> Widen the years.</p>"
        )

    return Explorer({"years": years}, refresh, chart, output, name="Map explorer")


# --- gas explorer -------------------------------------------------------------------------


def gas_explorer(gas: pd.DataFrame, markers: pd.DataFrame | None = None) -> Explorer:
    """Turkey's gas imports: choose the unit and the years."""
    unit = w.ToggleButtons(
        options=[("Energy (TJ), 2008–2022", "TJ"), ("Volume (m³), 2014–2022", "m3")],
        description="Unit",
        style={"button_width": "auto"},
    )
    years = years_slider(2008, 2022)
    chart = _pending_chart()
    output = w.HTML()

    def refresh() -> None:
        months = gas["month"].str[:4].astype(int)
        subset = gas[months.between(*years.value)]
        shown = None
        if markers is not None:
            shown = markers[markers["date"].dt.year.between(*years.value)]
        chart.chart = charts.gas_imports(subset, unit=unit.value, events=shown)
        table = aggregate.gas_by_origin(subset, unit=unit.value)
        russia = table[table["origin"] == "Russia"]
        share = russia["russia_share"].mean()
        output.value = (
            f"<p>Average monthly share of Russia in Turkey's gas imports over these years "
            f"({unit.value}): <strong>{share:.0%}</strong> across {len(russia)} months.</p>"
            if len(russia)
            else "<p><em>No data for these years in this unit.</em></p>"
        )

    return Explorer({"unit": unit, "years": years}, refresh, chart, output, name="Gas explorer")
