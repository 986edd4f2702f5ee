"""Which charts the query builder offers for which result columns, and that the figures hold the
result's numbers (app/components/charts.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from app.components import charts, map_codes

STATES = [
    {"id": "california", "name": "California"},
    {"id": "texas", "name": "Texas"},
]
COUNTIES = [
    {"id": "c1", "name": "Kent"},
    {"id": "c2", "name": "Kent"},  # the same name in two states
    {"id": "10003", "name": "New Castle"},
]


def _hours(n: int, start: str = "2018-01-01", tz: str | None = None) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="h", tz=tz)


def _offered(frame: pd.DataFrame, records=None, types=None) -> list[str]:
    return charts.offered(frame, charts.shape_of(frame, types), records)


# --- what is offered ----------------------------------------------------------------------------


def test_shape_from_metadata_types_or_from_dtypes():
    frame = pd.DataFrame(
        {"geography": ["a"], "metric": ["m"], "timestamp": _hours(1), "value": [1.0]}
    )
    guessed = charts.shape_of(frame)
    assert guessed == charts.Shape("timestamp", ("geography", "metric"), "value", False)
    typed = charts.shape_of(
        frame, {"geography": "geography", "metric": "metric", "timestamp": "time", "value": "value"}
    )
    assert typed == guessed
    numeric_ids = pd.DataFrame({"model_year": [2020, 2030], "value": [1.0, 2.0]})
    shape = charts.shape_of(numeric_ids, {"model_year": "model_year", "value": "value"})
    assert shape.dimensions == ("model_year",) and shape.value == "value"


def test_time_series_offer_lines_stacked_areas_of_parts_heatmaps_and_load_duration():
    hourly = pd.DataFrame({"timestamp": _hours(48), "value": np.arange(48.0)})
    assert _offered(hourly) == ["line", "heatmap", "duration"]
    daily = pd.DataFrame({"timestamp": pd.date_range("2018-01-01", periods=5), "value": 1.0})
    assert _offered(daily) == ["line", "duration"]
    by_end_use = pd.DataFrame(
        {
            "metric": ["cooling", "heating", "fans"] * 4,
            "timestamp": np.repeat(pd.date_range("2018-01-01", periods=4), 3),
            "value": 1.0,
        }
    )
    assert _offered(by_end_use) == ["line", "area", "duration"]
    # end uses in different units are never stacked
    assert charts.offered(by_end_use, charts.shape_of(by_end_use), mixed=True) == [
        "line",
        "duration",
    ]
    # county x hour: every chart of a time series (counties are parts of a whole)
    hourly_by_county = pd.DataFrame(
        {"geography": ["10001", "10003"] * 3, "timestamp": np.repeat(_hours(3), 2), "value": 1.0}
    )
    assert _offered(hourly_by_county) == ["line", "area", "heatmap", "duration"]
    # scenarios are alternatives: lines, never stacked
    by_scenario = hourly_by_county.assign(geography="10001", scenario=["ref", "high"] * 3)
    assert _offered(by_scenario) == ["line", "heatmap", "duration"]


def test_too_many_series_offer_nothing_and_say_why():
    n = charts.MAX_SERIES + 1
    frame = pd.DataFrame(
        {"geography": [f"g{i}" for i in range(n)] * 2, "timestamp": np.repeat(_hours(2), n)}
    ).assign(value=1.0)
    shape = charts.shape_of(frame)
    assert charts.offered(frame, shape) == []
    assert f"{n} series over time" in charts.why_none(frame, shape)
    assert charts.offered(frame.iloc[:0], shape) == []
    assert charts.why_none(frame.iloc[:0], shape) == "The result has no rows."
    # an aggregate over no rows: one row whose value is null, no chart
    nothing = pd.DataFrame({"value": [np.nan]})
    assert charts.is_empty(nothing, charts.shape_of(nothing))
    assert _offered(nothing) == []


def test_states_map_from_codes_from_names_or_through_the_records():
    codes = pd.DataFrame({"geography": ["CA", "TX", "DC"], "value": [1.0, 2.0, 3.0]})
    assert _offered(codes) == ["map_states", "bar"]
    names = pd.DataFrame({"geography": ["California", "district of columbia"], "value": 1.0})
    assert _offered(names) == ["map_states", "bar"]
    ids = pd.DataFrame({"geography": ["california", "texas"], "value": 1.0})
    assert _offered(ids, {"geography": STATES}) == ["map_states", "bar"]
    assert map_codes.state_codes(["california", "texas"], STATES) == {
        "california": "CA",
        "texas": "TX",
    }
    regions = pd.DataFrame({"geography": ["west", "CA"], "value": 1.0})
    assert _offered(regions) == ["bar"]  # one value is not a state: no map


def test_county_map_from_fips_ids_or_unique_names():
    fips = pd.DataFrame({"geography": ["10001", "10003", "11001"], "value": 1.0})
    assert _offered(fips) == ["map_counties", "bar"]
    by_name = pd.DataFrame({"geography": ["New Castle"], "value": 1.0})
    assert _offered(by_name, {"geography": COUNTIES}) == ["map_counties", "bar"]
    ambiguous = pd.DataFrame({"geography": ["Kent"], "value": 1.0})
    assert _offered(ambiguous, {"geography": COUNTIES}) == ["bar"]
    short = pd.DataFrame({"geography": ["1001"], "value": 1.0})
    assert _offered(short) == ["bar"]


def test_bars_for_one_or_two_dimensions_without_time():
    two = pd.DataFrame(
        {"geography": ["CA", "CA", "TX"], "metric": ["a", "b", "a"], "value": [1.0, 2.0, 3.0]}
    )
    assert _offered(two) == ["bar"]  # a map needs geography alone (or with alternatives)
    three = two.assign(sector="com")
    assert _offered(three) == ["bar"]  # colours: the combinations of metric and sector
    by_scenario = pd.DataFrame(
        {"geography": ["CA", "CA", "TX", "TX"], "scenario": ["a", "b"] * 2, "value": 1.0}
    )
    assert _offered(by_scenario) == ["map_states", "bar"]
    total = pd.DataFrame({"value": [5.0]})
    assert _offered(total) == ["bar"]
    wide = pd.DataFrame({"subsector": [f"s{i}" for i in range(charts.MAX_BARS + 1)], "value": 1.0})
    assert _offered(wide) == []


# --- the figures' numbers -----------------------------------------------------------------------


def test_lines_one_per_series_with_names_and_local_times():
    frame = pd.DataFrame(
        {
            "geography": ["10003", "10001"] * 3,
            "timestamp": np.repeat(_hours(3, tz="UTC"), 2),
            "value": [1.0, 10.0, 2.0, 20.0, 3.0, 30.0],
        }
    )
    shape = charts.shape_of(frame)
    figure = charts.figure(
        frame,
        "line",
        shape,
        names={"geography": {"10001": "Kent", "10003": "New Castle"}},
        labels=charts.Labels(time_zone="Etc/GMT+5"),
    )
    assert [t.name for t in figure.data] == ["Kent (10001)", "New Castle (10003)"]
    assert list(figure.data[0].y) == [10.0, 20.0, 30.0]
    assert list(figure.data[1].y) == [1.0, 2.0, 3.0]
    # UTC instants shown as wall-clock times of the zone asked for (POSIX +5 is UTC-5)
    assert pd.Timestamp(figure.data[0].x[0]) == pd.Timestamp("2017-12-31 19:00")
    assert figure.layout.xaxis.title.text == "local time (UTC-5)"


def test_stacked_areas_by_end_use():
    frame = pd.DataFrame(
        {
            "metric": ["heating", "cooling"] * 2,
            "timestamp": np.repeat(pd.date_range("2018-01-01", periods=2), 2),
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    labels = charts.Labels(value="sum of value (MWh)", unit="MWh")
    figure = charts.figure(frame, "area", charts.shape_of(frame), labels=labels)
    assert [t.name for t in figure.data] == ["cooling", "heating"]
    assert {t.stackgroup for t in figure.data} == {"one"}
    assert list(figure.data[0].y) == [2.0, 4.0] and list(figure.data[1].y) == [1.0, 3.0]
    assert figure.layout.yaxis.title.text == "sum of value (MWh)"


def test_heatmap_hour_of_day_by_day():
    times = _hours(48)
    frame = pd.DataFrame({"timestamp": times, "value": np.arange(48.0)}).drop(index=[5])
    figure = charts.figure(frame, "heatmap", charts.shape_of(frame))
    (heat,) = figure.data
    assert list(heat.x) == ["2018-01-01", "2018-01-02"]
    assert list(heat.y) == list(range(24))
    z = np.array(heat.z, dtype=float)
    assert z.shape == (24, 2)
    assert z[3][0] == 3.0 and z[23][1] == 47.0 and z[0][1] == 24.0
    assert math.isnan(z[5][0])  # the hour the result lacks stays empty


def test_bars_of_one_dimension_and_stacked_bars_of_two():
    one = pd.DataFrame({"subsector": ["b", "a"], "value": [2.0, 1.0]})
    (bar,) = charts.figure(one, "bar", charts.shape_of(one), names={"subsector": {"a": "A"}}).data
    assert list(bar.x) == ["A (a)", "b"] and list(bar.y) == [1.0, 2.0]
    two = pd.DataFrame(
        {"geography": ["CA", "CA", "TX"], "metric": ["a", "b", "a"], "value": [1.0, 2.0, 3.0]}
    )
    figure = charts.figure(two, "bar", charts.shape_of(two))
    assert figure.layout.barmode == "stack"  # end uses are parts of a whole
    by_metric = {t.name: (list(t.x), list(t.y)) for t in figure.data}
    assert by_metric["a"] == (["CA", "TX"], [1.0, 3.0])
    assert by_metric["b"][0] == ["CA", "TX"] and by_metric["b"][1][0] == 2.0
    assert math.isnan(by_metric["b"][1][1])
    total = pd.DataFrame({"value": [5.0]})
    assert list(charts.figure(total, "bar", charts.shape_of(total)).data[0].y) == [5.0]


def test_state_map_locations_and_values():
    frame = pd.DataFrame({"geography": ["texas", "california"], "value": [3.0, 4.0]})
    figure = charts.figure(
        frame, "map_states", charts.shape_of(frame), records={"geography": STATES}
    )
    (trace,) = figure.data
    assert trace.locationmode == "USA-states"
    assert list(trace.locations) == ["TX", "CA"] and list(trace.z) == [3.0, 4.0]
    assert trace.zmin == 0.0 and trace.zmax == 4.0  # the smallest state is not drawn white
    assert figure.layout.geo.scope == "usa"


def test_county_map_fetches_the_geojson_from_the_assets_and_fits_its_counties():
    frame = pd.DataFrame({"geography": ["10001", "11001"], "value": [1.5, 2.5]})
    figure = charts.figure(
        frame, "map_counties", charts.shape_of(frame), counties_url="/assets/maps/x.json"
    )
    (trace,) = figure.data
    assert trace.geojson == "/assets/maps/x.json"
    assert list(trace.locations) == ["10001", "11001"] and list(trace.z) == [1.5, 2.5]
    assert figure.layout.geo.fitbounds == "locations"
    with pytest.raises(ValueError, match="not county FIPS codes"):
        bad = pd.DataFrame({"geography": ["x"], "value": [1.0]})
        charts.figure(bad, "map_counties", charts.shape_of(bad))


def test_mixed_units_are_named_and_unknown_charts_refused():
    frame = pd.DataFrame({"metric": ["a", "b"], "value": [1.0, 2.0]})
    shape = charts.shape_of(frame)
    records = {"metric": [{"id": "a", "unit": "kWh"}, {"id": "b", "unit": "therm"}]}
    assert "(kWh, therm)" in charts.mixed_units(frame, shape, records)
    same = {"metric": [{"id": "a", "unit": "kWh"}, {"id": "b", "unit": "kWh"}]}
    assert charts.mixed_units(frame, shape, same) == ""
    with pytest.raises(ValueError, match="unknown chart"):
        charts.figure(frame, "pie", shape)


# --- exports work offline (app/components/query_exports.py) --------------------------------------


def test_exported_figures_carry_their_maps_and_need_no_network(monkeypatch):
    from app.components import query_exports as exports
    from dsgrid_core.errors import InputError

    frame = pd.DataFrame({"geography": ["10001"], "value": [1.0]})
    figure = charts.figure(
        frame,
        "map_counties",
        charts.shape_of(frame),
        counties_url="/assets/" + charts.COUNTIES_GEOJSON,
    )
    inline = exports.offline_figure(figure)
    assert figure.data[0].geojson == "/assets/maps/us_counties_10m.json"  # left as it was
    features = {f["id"]: f for f in inline.data[0].geojson["features"]}
    assert len(features) > 3000 and features["10001"]["properties"]["name"] == "Kent"
    page = exports.figure_html(figure)
    assert "window.PlotlyGeoAssets" in page and '"usa_110m"' in page
    assert '"north-america_110m"' in page and "<script src=" not in page

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    available, why = exports.png_available()
    assert not available and "Chromium" in why and "camera button" in why
    with pytest.raises(InputError, match="between 100 and 4000"):
        exports.check_size(50, 400)


def test_csv_export_refused_above_the_row_cap(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dsgrid_core.browse.results import csv_bytes
    from dsgrid_core.errors import InputError

    table = tmp_path / "table.parquet"
    pq.write_table(pa.table({"geography": ["CA", "TX"], "value": [1.5, 2.5]}), table)
    assert csv_bytes(table).decode().splitlines() == ["geography,value", "CA,1.5", "TX,2.5"]
    monkeypatch.setenv("DSGRID_CSV_ROW_CAP", "1")
    with pytest.raises(InputError, match="2 rows, above the CSV cap of 1"):
        csv_bytes(table)
