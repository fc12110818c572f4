"""Every chart builds a valid Vega-Lite spec; every explorer reacts to its controls.

No browser needed: charts are validated with `to_dict()`, explorers are driven by setting
their controls' values, as a learner's clicks would.
"""

from __future__ import annotations

import pandas as pd
import pytest

import lessons
from lessons import aggregate, charts, widgets

EVENTS = lessons.load_events()
PHASES = lessons.load_phases()
MONTHLY = aggregate.monthly_dyad_summary(lessons.load_coded_events())
GAS = lessons.load_gas()
SHAPES = {"syria": lessons.load_shapes("syria"), "libya": lessons.load_shapes("libya")}
PLACES = lessons.load_places()
TOLLS = lessons.load_toll_reports()


def _markers() -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp("2018-09-17")], "label": ["Sochi"]})


CHARTS = {
    "timeline": lambda: charts.event_timeline(EVENTS, PHASES),
    "timeline_plain": lambda: charts.event_timeline(EVENTS, brush=False),
    "categories": lambda: charts.category_counts(aggregate.events_by_category(EVENTS)),
    "goldstein": lambda: charts.goldstein_monthly(
        aggregate.net_cooperation(MONTHLY, 3), markers=_markers()
    ),
    "quad": lambda: charts.quad_class_bars(MONTHLY),
    "gas": lambda: charts.gas_imports(GAS, events=_markers()),
    "map_syria": lambda: charts.place_map(
        EVENTS, PLACES, SHAPES["syria"], layer="syr", highlight="SY.ID"
    ),
    "tolls": lambda: charts.casualty_updates(TOLLS[TOLLS["event_id"].str.contains("balyun")]),
    "phases": lambda: charts.phase_comparison(aggregate.phase_summary(EVENTS, PHASES)),
    "volume": lambda: charts.coded_volume(
        pd.DataFrame({"date": pd.to_datetime(["2018-09-16", "2018-09-17"]), "events": [3, 9]}),
        markers=_markers(),
    ),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_shown_in_the_chart_widget_with_its_own_spec(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`setup()`'s renderer puts the checked spec into Altair's widget as it is, with no
    second pass through the schema and without falling back to Altair's own renderer."""
    import altair as alt
    from altair.vegalite.v6 import display

    lessons.setup()

    def no_fallback(spec: dict, **metadata: object) -> dict:
        raise AssertionError("fell back to Altair's 'jupyter' renderer")

    shown: list[alt.JupyterChart] = []
    show = alt.JupyterChart._repr_mimebundle_

    def remember(widget: alt.JupyterChart, **kwargs: object) -> object:
        shown.append(widget)
        return show(widget, **kwargs)

    monkeypatch.setattr(display, "jupyter_renderer", no_fallback)
    monkeypatch.setattr(alt.JupyterChart, "_repr_mimebundle_", remember)
    spec = CHARTS[name]().to_dict()
    bundle = alt.renderers.get()(spec)
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert len(shown) == 1 and shown[0].spec == spec


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_is_valid_and_accessible(name: str) -> None:
    spec = CHARTS[name]().to_dict()
    assert spec.get("description"), "screen-reader description missing"
    text = str(spec)
    assert "tooltip" in text
    assert "title" in text


def test_monthly_summary_matches_shipped_table() -> None:
    shipped = lessons.load_coded_monthly()
    ours = MONTHLY.assign(month=MONTHLY["month"].dt.strftime("%Y-%m"))
    merged = shipped.merge(ours, on=["month", "direction"], suffixes=("", "_ours"))
    assert len(merged) == len(shipped)
    for col in ("n_events", "n_verbal_coop", "n_material_conflict"):
        assert (merged[col] == merged[f"{col}_ours"]).all(), col
    assert (merged["goldstein_sum"] - merged["goldstein_sum_ours"]).abs().max() < 0.11


def test_timeline_explorer_filters_and_escapes() -> None:
    ex = widgets.timeline_explorer(EVENTS, PHASES)
    before = ex.chart.chart.to_dict()
    ex.controls["search"].value = "Idlib"
    assert "Idlib" in ex.output.value
    assert ex.chart.chart.to_dict() != before
    ex.controls["years"].value = (2015, 2015)
    assert "2016-" not in ex.output.value
    hostile = EVENTS.head(1).assign(title="<script>alert(1)</script>")
    html_out = widgets.events_table_html(hostile)
    assert "<script>" not in html_out and "&lt;script&gt;" in html_out


def test_phrase_resolver_checks_dates() -> None:
    claims = lessons.load_report_claims()
    claim = widgets.resolve_phrase(claims, "Thursday")
    assert widgets.judge_date(claim, "2020-03-05").correct is True
    assert widgets.judge_date(claim, "2020-03-04").correct is False
    ex = widgets.phrase_resolver(claims)
    ex.controls["phrase"].value = "Thursday"
    ex.controls["guess"].value = pd.Timestamp("2020-03-05").date()
    ex.controls["check"].click()
    assert "Correct" in ex.output.value


def test_toll_explorer_steps_through_reports() -> None:
    ex = widgets.toll_explorer(TOLLS)
    ex.controls["attack"].value = "2020-02-27-balyun-air-strike"
    ex.controls["step"].value = 1
    assert "<strong>9</strong>" in ex.output.value
    ex.controls["step"].value = ex.controls["step"].max
    assert "36" in ex.output.value


def test_goldstein_explorer_reacts() -> None:
    ex = widgets.goldstein_explorer(MONTHLY)
    first = ex.output.value
    ex.controls["direction"].value = "TUR->RUS"
    ex.controls["measure"].value = "count"
    assert ex.output.value != first
    view = widgets.goldstein_view(MONTHLY, window=3, direction="RUS->TUR", measure="sum")
    assert set(view["direction"]) == {"RUS->TUR"}


@pytest.mark.parametrize("region", ["syria", "libya"])
def test_map_explorer_year_slider(region: str) -> None:
    ex = widgets.map_explorer(EVENTS, PLACES, SHAPES, region=region)
    _lo, hi = ex.controls["years"].value
    ex.controls["years"].value = (hi, hi)
    assert str(hi) in ex.chart.chart.to_dict()["title"]


def test_phase_comparer_and_gas_explorer() -> None:
    ex = widgets.phase_comparer(EVENTS, PHASES)
    ex.controls["second"].value = "Idlib confrontation"
    assert "Idlib confrontation" in ex.output.value
    gas = widgets.gas_explorer(GAS)
    gas.controls["years"].value = (2014, 2016)
    assert "%" in gas.output.value


def test_a_phrase_that_spans_days_accepts_every_day_of_the_span() -> None:
    from lessons.widgets import judge_date

    claims = lessons.load_report_claims()
    recent = claims[claims["claim_id"] == "c07"].iloc[0]  # "in recent days": 1–3 March 2020
    verdicts = {day: judge_date(recent, f"2020-03-0{day}").correct for day in range(1, 5)}
    assert verdicts == {1: True, 2: True, 3: True, 4: False}
    assert judge_date(recent, "2020-02-29").correct is False
    thursday = claims[claims["claim_id"] == "c02"].iloc[0]  # a single day stays a single day
    assert judge_date(thursday, "2020-03-05").correct is True
    assert judge_date(thursday, "2020-03-06").correct is False


def test_setup_keeps_dollar_amounts_in_tables_from_being_typeset_as_maths() -> None:
    frame = pd.DataFrame({"key_numbers": ["$2.5bn contract; $1bn guarantee"]})
    lessons.setup()
    assert "tex2jax_ignore" in frame._repr_html_()


# --- issue 11 §5: what the walk-through hit -------------------------------------------------


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def _walk(node):
    """Every dict inside a spec."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _svg(chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def test_the_main_timeline_has_a_legend_and_a_named_zoom_strip() -> None:
    spec = charts.event_timeline(EVENTS, PHASES).to_dict()
    colours = [d["color"] for d in _walk(spec) if isinstance(d.get("color"), dict)]
    assert colours and all(c.get("legend", {}) is not None for c in colours)
    svg = _svg(charts.event_timeline(EVENTS, PHASES))
    assert "Kind of event" in svg and "Verbal cooperation" in svg and "Material conflict" in svg
    # the overview strip (holding the brush) has an accessible name that says what it does
    assert 'aria-label="Zoom control: drag across this strip' in svg
    # its ticks carry no meaning by colour: one neutral colour, no colour encoding
    overview = spec["vconcat"][1]
    assert "color" not in str([layer.get("encoding") for layer in overview["layer"]])
    # the phases are numbered in the strip above and in the overview strip
    assert "1 Post-Soviet groundwork" in svg or "1 " + PHASES["phase"].iloc[0] in svg


def test_palette_colours_that_carry_meaning_reach_3_to_1_on_white() -> None:
    for colour in [*charts.PALETTE, *charts.QUAD_COLOURS, charts.NEUTRAL, charts.HIGHLIGHT_FILL]:
        assert _contrast(colour, "#ffffff") >= 3, colour
    # one palette: render's theme uses the palette of charts
    from lessons import render

    assert render._theme()["config"]["range"]["category"] == charts.PALETTE
    assert not hasattr(render, "PALETTE")


def test_idlib_is_outlined_named_and_contrasts_with_its_neighbours() -> None:
    chart = charts.place_map(EVENTS, PLACES, SHAPES["syria"], layer="syr", highlight="SY.ID")
    spec = chart.to_dict()
    assert _contrast(charts.HIGHLIGHT_FILL, charts.PLAIN_FILL) >= 3
    assert "Idlib" in spec["description"] and "SY.ID" not in spec["description"]
    outlines = [d for d in _walk(spec) if d.get("type") == "geoshape" and d.get("filled") is False]
    assert outlines and outlines[0]["strokeWidth"] >= 2
    assert "Idlib (outlined)" in _svg(chart)


def test_quad_class_bars_do_not_rely_on_colour_alone() -> None:
    spec = charts.quad_class_bars(MONTHLY).to_dict()
    encoding = spec["encoding"]
    assert encoding["stroke"]["condition"]["value"] == "black"  # conflict outlined
    legend = encoding["color"]["legend"]
    assert legend["values"] == list(charts.QUAD_LABELS.values())[::-1]  # as stacked
    assert "outlined" in legend["labelExpr"] and "top to bottom" in legend["title"]
    assert "outlined" in spec["description"]


def test_libya_map_shows_every_libyan_place_of_the_record() -> None:
    ex = widgets.map_explorer(EVENTS, PLACES, SHAPES, region="libya")
    svg = _svg(ex.chart.chart)
    for label in PLACES.loc[PLACES["country_code"] == "LY", "label"]:
        assert label in svg, label


def test_goldstein_marker_labels_are_numbered_whole_and_apart() -> None:
    long = "A very long label that would have been cut at forty characters before"
    dates = pd.to_datetime(["2018-01-20", "2018-01-20", "2018-01-30", "2018-04-03"])
    markers = pd.DataFrame({"date": dates, "label": [long, "B", "C", "D"]})
    chart = charts.goldstein_monthly(aggregate.net_cooperation(MONTHLY, 1), markers=markers)
    svg = _svg(chart)
    assert "A very long label that would have been cut at forty characters" in svg
    frame = charts._marker_frame(markers, (MONTHLY["month"].min(), MONTHLY["month"].max()))
    same_day = frame[frame["date"] == pd.Timestamp("2018-01-20")]
    assert same_day["label_y"].nunique() == 2  # staggered, not printed over each other
    assert chart.to_dict()["description"]


def test_date_axes_keep_the_year_when_the_span_is_short() -> None:
    ex = widgets.timeline_explorer(EVENTS, PHASES)
    ex.controls["years"].value = (2020, 2020)
    svg = _svg(ex.chart.chart)
    import re

    labels = re.findall(r">((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[^<]*)<", svg)
    assert labels and all("2020" in label for label in labels), labels
    axes = [d for d in _walk(ex.chart.chart.to_dict()) if "labelOverlap" in d]
    assert axes and all(a["format"]["month"] == "%b %Y" for a in axes)


def test_search_ignores_accents_and_case() -> None:
    assert widgets.fold("Erdoğan ÇAVUŞOĞLU İstanbul Kılıçdaroğlu") == (
        "erdogan cavusoglu istanbul kilicdaroglu"
    )
    assert (
        len(widgets.filter_events(EVENTS, text="Erdogan"))
        == len(widgets.filter_events(EVENTS, text="Erdoğan"))
        > 0
    )
    assert not widgets.filter_events(EVENTS, text="cavusoglu").empty


def test_a_search_without_match_empties_the_chart_and_says_so() -> None:
    ex = widgets.timeline_explorer(EVENTS, PHASES)
    ex.controls["search"].value = "zzzz-nothing"
    assert "No event matches “zzzz-nothing”" in ex.output.value
    spec = ex.chart.chart.to_dict()
    assert spec["title"].startswith("No event matches")
    assert spec["mark"]["type"] == "text"  # no stale timeline left on screen
    ex.controls["search"].value = "Erdogan"
    assert "matching event" in ex.output.value


def test_themes_picker_has_all_themes_and_says_how_multi_select_works() -> None:
    ex = widgets.timeline_explorer(EVENTS, PHASES)
    every = ex.controls["category"].value
    ex.controls["category"].value = ("energy",)
    buttons = [b for b in _walk_widgets(ex) if getattr(b, "description", "") == "All themes"]
    assert len(buttons) == 1
    buttons[0].click()
    assert ex.controls["category"].value == every
    assert "Ctrl" in str([getattr(h, "value", "") for h in _walk_widgets(ex)])


def _walk_widgets(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk_widgets(child)


def test_event_summaries_are_readable_and_wrap_by_words() -> None:
    table = widgets.events_table_html(EVENTS.head(3))
    assert "<small>" not in table
    assert "font-size:14px" in table and "word-break:normal" in table
    assert "overflow-wrap:break-word" in table
    story = widgets.toll_story(TOLLS[TOLLS["event_id"].str.contains("balyun")], 2)
    assert "word-break:normal" in story


def test_toll_explorer_reads_like_prose() -> None:
    ex = widgets.toll_explorer(TOLLS, EVENTS, PLACES)
    labels = [label for label, _value in ex.controls["attack"].options]
    assert "Balyun, 27 Feb 2020" in labels and "Saraqib, 03 Feb 2020" in labels
    ex.controls["attack"].value = "2020-02-03-saraqib-shelling-turkish-troops"
    ex.controls["step"].value = 1
    assert "NaN" not in ex.output.value and "time not given" in ex.output.value
    assert ex.chart.chart.to_dict()["title"] == "1 report so far"
    axis = ex.chart.chart.to_dict()["layer"][0]["encoding"]["x"]
    assert axis["type"] == "quantitative" and axis["axis"]["values"] == [1, 2]
    ex.controls["attack"].value = "2020-02-27-balyun-air-strike"
    ex.controls["step"].value = 3
    assert ex.chart.chart.to_dict()["title"] == "3 reports so far"
    ex.controls["step"].value = ex.controls["step"].max
    last = ex.output.value
    assert "the figure printed in the news report of 3 March 2020 (the case text" in last
    assert "published by news report" not in last and "report(s)" not in last


def test_phrase_resolver_clears_feedback_when_the_phrase_changes() -> None:
    claims = lessons.load_report_claims()
    ex = widgets.phrase_resolver(claims)
    ex.controls["phrase"].value = "Thursday"
    ex.controls["guess"].value = pd.Timestamp("2020-03-05").date()
    assert "Correct" not in ex.output.value  # nothing judged before Check
    ex.controls["check"].click()
    assert "Correct" in ex.output.value
    other = next(p for p in ex.controls["phrase"].options if p != "Thursday")
    ex.controls["phrase"].value = other
    assert "Correct" not in ex.output.value and "not that" not in ex.output.value
    assert "press <b>Check</b>" in ex.output.value


def test_phase_comparer_opens_on_the_two_latest_phases_with_an_instruction() -> None:
    ex = widgets.phase_comparer(EVENTS, PHASES)
    names = PHASES["phase"].tolist()
    assert (ex.controls["first"].value, ex.controls["second"].value) == (names[-2], names[-1])
    assert "Choose any two phases" in ex.children[0].value


def test_unrun_widgets_say_what_to_do_instead_of_an_object_address() -> None:
    from lessons import render

    lessons.setup()
    import altair as alt

    spec = charts.event_timeline(EVENTS, PHASES).to_dict()
    bundle = alt.renderers.get()(spec)
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    text = data["text/plain"]
    assert text == "Interactive chart “Russia–Turkey events by theme” — " + render.RUN_TO_SEE
    assert "0x" not in text
    explorer = repr(widgets.timeline_explorer(EVENTS, PHASES))
    assert explorer == (
        "Timeline explorer (controls: years, category, search) — "
        "run this cell (Shift+Enter) to use it"
    )


def test_table_wraps_by_words_and_aligns_left() -> None:
    frame = EVENTS.head(2)[["event_id", "date", "summary", "actors"]]
    shown = widgets.table(frame)._repr_html_()
    assert "word-break:normal" in shown and "text-align:left" in shown
    assert "white-space:nowrap'>" + f"{frame['date'].iloc[0]:%Y-%m-%d}" in shown
    assert "<script" not in widgets.table(frame.assign(summary="<script>x</script>"))._repr_html_()
    assert "0x" not in repr(widgets.table(frame))
