"""The query builder's honest numbers and readable charts (issue 17, findings 2, 4 and 10):
alternatives never stacked or silently summed, units said, the common part of series names said
once, 24 distinct colours, load-duration curves and per-series heatmaps, zones as UTC offsets,
4 significant digits, and exports that carry their query. Expected values are computed here
with numpy and pandas, not with the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.components import chart_theme, charts
from app.components import query_exports as exports
from app.components import query_form as form
from app.components import query_units as units_ui
from app.components.query_results import alternatives_summed, filters_text


def _hours(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2018-01-01", periods=n, freq="h")


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Etc/GMT+5", "UTC-5"),  # POSIX: five hours behind UTC
        ("Etc/GMT-10", "UTC+10"),
        ("Etc/GMT", "UTC"),
        ("Etc/UTC", "UTC"),
        (None, "UTC"),
        ("America/New_York", "America/New_York"),
    ],
)
def test_posix_zones_are_shown_as_utc_offsets_with_the_sign_inverted(zone, shown):
    assert chart_theme.zone_label(zone) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (6911870.123456789, "6,912,000"),
        (1234.5678, "1,235"),
        (12.345678, "12.35"),
        (0.0123456, "0.01235"),
        (-98765.4321, "-98,770"),
        (0.0, "0"),
        (float("nan"), ""),
    ],
)
def test_numbers_to_four_significant_digits_with_thousands_separators(value, shown):
    assert chart_theme.number(value) == shown


def test_the_zone_picker_shows_utc_offsets_with_the_posix_name_as_tooltip():
    options = {o["value"]: o for o in form.zone_options("Etc/GMT+5")}
    first = form.zone_options("Etc/GMT+5")[0]
    assert first["value"] == "Etc/GMT+5"
    assert first["label"].children == "UTC-5 (the project's)"
    assert first["label"].title == "Etc/GMT+5"
    assert "Etc/GMT+5" in first["search"] and "UTC-5" in first["search"]
    assert options["Etc/GMT-3"]["label"].title == "Etc/GMT-3"
    assert options["Etc/GMT-3"]["label"].children == "UTC+3"
    assert options["Europe/Paris"]["label"] == "Europe/Paris"


# --- units ---------------------------------------------------------------------------------------


def test_energy_and_power_units_sit_in_separate_labelled_groups():
    options = units_ui.unit_options()
    headings = [o["label"] for o in options if o.get("disabled")]
    assert headings == ["Energy units", "Power units"]
    values = [o["value"] for o in options]
    power_at = values.index("__Power units")
    energy = values[1:power_at]
    power = values[power_at + 1 :]
    assert {"kWh", "MWh", "therm", "MBtu"} <= set(energy) and "kW" not in energy
    assert set(power) == {"W", "kW", "MW", "GW", "TW"}


def test_the_default_unit_is_the_most_common_of_one_kind_and_is_said():
    end_uses = [{"unit": u} for u in ("MWh", "MWh", "kWh", "therm", "MWh", "kWh")]
    assert units_ui.default_unit(end_uses) == "MWh"
    assert units_ui.default_unit([{"unit": "kW"}, {"unit": "MW"}, {"unit": "MW"}]) == "MW"
    # kinds mixed: each kind in its own unit
    assert units_ui.default_unit([{"unit": "kWh"}, {"unit": "kW"}]) == "kWh,kW"
    note = units_ui.unit_note("MWh", end_uses)
    assert "converted to MWh" in note and "default" in note
    assert "default" not in units_ui.unit_note("kWh", end_uses)
    assert "energy and power" in units_ui.unit_note(None, [{"unit": "kWh"}, {"unit": "kW"}])


def test_metric_series_carry_their_own_unit_when_none_is_chosen():
    frame = pd.DataFrame(
        {
            "metric": ["heat", "gas"] * 2,
            "timestamp": np.repeat(_hours(2), 2),
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    records = {"metric": [{"id": "heat", "unit": "MWh"}, {"id": "gas", "unit": "therm"}]}
    units = charts.metric_units(records)
    shape = charts.shape_of(frame)
    assert charts.mixed_units(frame, shape, records)
    figure = charts.figure(frame, "line", shape, labels=charts.Labels(units=units), mixed=True)
    assert [t.name for t in figure.data] == ["gas [therm]", "heat [MWh]"]
    assert "therm" in figure.data[0].hovertemplate and "MWh" in figure.data[1].hovertemplate
    with pytest.raises(ValueError, match="never stacked"):
        charts.figure(frame, "area", shape, mixed=True)


# --- alternatives -------------------------------------------------------------------------------


def test_alternatives_summed_are_said_in_words_and_grouped_ones_are_not():
    scenarios = [{"id": "ref", "name": "Reference"}, {"id": "high", "name": "High"}]
    years = [{"id": y, "name": y} for y in ("2025", "2035", "2045")]
    result = {"group_by": {"geography": "Demo States"}, "function": "sum"}
    said = alternatives_summed(result, {"scenario": scenarios, "model_year": years})
    assert said.startswith("Summed over 2 scenarios: Reference, High; 3 model years: 2025")
    grouped = {"group_by": {"scenario": "Demo Scenarios"}, "function": "mean"}
    said = alternatives_summed(grouped, {"scenario": scenarios, "model_year": years})
    assert said.startswith("Averaged over 3 model years") and "scenario" not in said
    one = alternatives_summed(result, {"scenario": scenarios[:1], "model_year": years[:1]})
    assert one == ""


def test_scenarios_are_bars_side_by_side_never_stacked_and_maps_switch_between_them():
    frame = pd.DataFrame(
        {
            "geography": ["CA", "CA", "TX", "TX"],
            "scenario": ["ref", "high"] * 2,
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    shape = charts.shape_of(frame)
    bars = charts.figure(frame, "bar", shape)
    assert bars.layout.barmode == "group"
    assert [t.name for t in bars.data] == ["scenario high", "scenario ref"]
    assert list(bars.data[0].y) == [2.0, 4.0] and list(bars.data[1].y) == [1.0, 3.0]
    by_sector = frame.rename(columns={"scenario": "sector"})
    assert charts.figure(by_sector, "bar", charts.shape_of(by_sector)).layout.barmode == "stack"

    states = charts.figure(frame, "map_states", shape)
    assert [t.visible for t in states.data] == [True, False]
    assert [b.label for b in states.layout.updatemenus[0].buttons] == [
        "scenario high",
        "scenario ref",
    ]
    assert list(states.data[1].z) == [1.0, 3.0]
    assert {t.zmax for t in states.data} == {4.0}  # one colour scale for every scenario


# --- readable charts ---------------------------------------------------------------------------


def test_the_common_part_of_series_names_is_said_once_in_the_subtitle():
    frame = pd.DataFrame(
        {
            "geography": ["DE"] * 4,
            "metric": ["cooling", "heating"] * 2,
            "timestamp": np.repeat(_hours(2), 2),
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    figure = charts.figure(
        frame,
        "line",
        charts.shape_of(frame),
        names={"geography": {"DE": "Delaware"}, "metric": {"cooling": "Cooling"}},
    )
    assert [t.name for t in figure.data] == ["Cooling (cooling)", "heating"]
    assert figure.layout.title.subtitle.text == "Delaware (DE)"


def test_24_series_get_24_distinct_colours_and_the_legend_sits_below_in_trace_order():
    n = 24
    frame = pd.DataFrame(
        {"geography": [f"g{i:02d}" for i in range(n)] * 2, "timestamp": np.repeat(_hours(2), n)}
    ).assign(value=1.0)
    figure = charts.figure(frame, "line", charts.shape_of(frame))
    assert len(figure.data) == n
    colorway = figure.layout.template.layout.colorway
    if colorway is None:  # the template named, registered with plotly
        import plotly.io as pio

        colorway = pio.templates[chart_theme.NAME].layout.colorway
    assert len(set(c.lower() for c in colorway)) == len(colorway) >= n
    assert figure.layout.legend.traceorder == "normal"
    assert figure.layout.legend.yref == "container" and figure.layout.legend.y == 0


def test_load_duration_curves_sort_each_series_from_the_highest():
    rng = np.random.default_rng(7)
    values = rng.uniform(0, 100, 48)
    frame = pd.DataFrame(
        {"geography": ["a", "b"] * 24, "timestamp": np.repeat(_hours(24), 2), "value": values}
    )
    figure = charts.figure(frame, "duration", charts.shape_of(frame))
    for trace, key in zip(figure.data, ["a", "b"], strict=True):
        expected = np.sort(frame.loc[frame["geography"] == key, "value"].to_numpy())[::-1]
        np.testing.assert_allclose(list(trace.y), expected)
        assert list(trace.x) == list(range(1, 25))
    assert figure.layout.xaxis.title.text.startswith("hours at or above")


def test_heatmaps_of_several_series_switch_in_a_dropdown():
    frame = pd.DataFrame(
        {"geography": ["a", "b"] * 48, "timestamp": np.repeat(_hours(48), 2), "value": 1.0}
    )
    frame.loc[frame["geography"] == "b", "value"] = 2.0
    figure = charts.figure(frame, "heatmap", charts.shape_of(frame))
    assert [t.name for t in figure.data] == ["a", "b"]
    assert [t.visible for t in figure.data] == [True, False]
    assert np.nanmax(np.array(figure.data[1].z, dtype=float)) == 2.0
    assert len(figure.layout.updatemenus[0].buttons) == 2


# --- exports carry the query --------------------------------------------------------------------


def test_exports_carry_a_caption_with_filters_grouping_unit_and_time():
    result = {
        "project": "demo_us_buildings",
        "datasets": ["demo_comstock_like"],
        "group_by": {"geography": "Demo Counties"},
        "filters": {"geography": {"dimension_name": "Demo Counties", "ids": ["10001", "11001"]}},
        "subsets": {"subsector": ["commercial"]},
        "function": "sum",
        "unit": "MWh",
        "time": "hour",
        "time_zone": "Etc/GMT+5",
    }
    text = exports.caption(result, "Summed over 2 scenarios: a, b.")
    for part in (
        "demo_us_buildings",
        "demo_comstock_like",
        "geography (Demo Counties)",
        "geography (Demo Counties) in 10001, 11001",
        "subsector subset commercial",
        "unit MWh",
        "UTC-5",
        "Summed over 2 scenarios",
    ):
        assert part in text, part
    assert filters_text(result).startswith("geography (Demo Counties) in 10001, 11001")
    frame = pd.DataFrame({"geography": ["10001"], "value": [1.0]})
    figure = charts.figure(frame, "bar", charts.shape_of(frame))
    captioned = exports.with_caption(figure, text)
    assert figure.layout.title.subtitle.text == ""  # the page's figure is left as it was
    assert text in captioned.layout.title.subtitle.text
    assert captioned.layout.margin.t > figure.layout.margin.t
    page = exports.figure_html(captioned, "sum of value (MWh) by geography")
    assert "<title>sum of value (MWh) by geography</title>" in page and "UTC-5" in page
