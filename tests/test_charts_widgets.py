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
