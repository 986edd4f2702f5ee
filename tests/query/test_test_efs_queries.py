"""Project queries over dsgrid's test_efs registry, on every engine, against pandas over the
raw input files."""

from __future__ import annotations

import json5
import numpy as np
import pandas as pd
import pytest
from reference import DIMS, apply_mapping, dataset_frame, in_unit, records, to_project

TRIVIAL = {"weather_year": "2012", "model_year": "2012", "scenario": "baseline"}
EST = "Etc/GMT+5"
PROJECT = "test_efs/dsgrid_project"
MODELED = f"{PROJECT}/datasets/modeled"
TIME_NAME = "Time-2012-EST-hourly-periodBeginning-noDST-noLeapDayAdjustment-total"


@pytest.fixture(scope="module")
def expected_base(test_data):
    """test_efs_comstock in the project's base dimensions, computed with pandas."""
    frames = {}
    for dataset in ("comstock", "comstock_unpivoted"):
        frame = dataset_frame(test_data / MODELED / dataset / "dataset.json5", TRIVIAL, EST)
        frames[dataset] = to_project(
            frame,
            test_data / MODELED / dataset / "dimension_mappings.json5",
            records(test_data / MODELED / dataset / "dimensions" / "comstock_enduses.csv"),
            records(test_data / PROJECT / "dimensions" / "enduses.csv"),
        )
    return frames


def _query(name: str, datasets=("test_efs_comstock",), **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": d} for d in datasets],
            },
        },
        # columns by type (geography, metric, timestamp): dsgrid names them after dimensions
        "result": {"column_type": "dimension_types", **result},
    }


def _same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    actual = actual.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    assert len(actual) == len(expected)
    for key in keys:
        left, right = actual[key], expected[key]
        if pd.api.types.is_datetime64_any_dtype(right):
            left = pd.to_datetime(left)
            if getattr(right.dt, "tz", None) is not None and left.dt.tz is None:
                left = left.dt.tz_localize("UTC")
        assert list(left) == list(right), key
    np.testing.assert_allclose(
        actual["value"].to_numpy(), expected["value"].to_numpy(), rtol=1e-9, atol=1e-9
    )


def test_dsgrid_baseline_query(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = json5.loads((test_data / "test_efs/queries/baseline.json5").read_text())
    table, result = run_query_on(efs_registry_template, query, engine)
    # dsgrid's default column_type: each column named after its (base) dimension
    project = json5.loads((test_data / PROJECT / "project.json5").read_text())
    names = {d["type"]: d["name"] for d in project["dimensions"]["base_dimensions"]}
    assert list(table.columns) == [*(names[t] for t in DIMS), names["time"], "value"]
    table.columns = [*DIMS, "timestamp", "value"]
    _same(table, expected_base["comstock"], [*DIMS, "timestamp"])
    assert "no version 1.3.0" in result.metadata["notices"][0]


def test_dsgrid_five_year_intervals_query(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = json5.loads((test_data / "test_efs/queries/five_year_intervals.json5").read_text())
    table, _ = run_query_on(efs_registry_template, query, engine)
    dims = query["result"]["aggregations"][0]["dimensions"]  # columns named after these
    table = table.rename(columns={names[0]: t for t, names in dims.items()})
    table = table.rename(columns={"time": "timestamp"})
    intervals = records(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/"
        "interpolate_to_five_year_intervals.csv"
    )
    expected = apply_mapping(expected_base["comstock"], "model_year", intervals)
    expected = expected.groupby([*DIMS, "timestamp"], as_index=False)["value"].sum()
    assert sorted(table["model_year"].unique()) == [str(y) for y in range(2010, 2051, 5)]
    _same(table, expected, [*DIMS, "timestamp"])


def test_state_by_end_use_by_month_in_local_time_with_names(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = _query(
        "state_month",
        replace_ids_with_names=True,
        time_zone="America/New_York",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US States"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                    "time": [{"dimension_name": TIME_NAME, "function": "start_of_day"}],
                }
            }
        ],
    )
    table, result = run_query_on(efs_registry_template, query, engine)
    states = records(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv"
    )
    names = records(test_data / PROJECT / "dimensions/supplemental/states.csv")
    metric_names = records(test_data / PROJECT / "dimensions/enduses.csv")
    frame = apply_mapping(expected_base["comstock"], "geography", states)
    frame["geography"] = frame["geography"].map(dict(zip(names["id"], names["name"], strict=True)))
    frame["metric"] = frame["metric"].map(
        dict(zip(metric_names["id"], metric_names["name"], strict=True))
    )
    local = frame["timestamp"].dt.tz_convert("America/New_York").dt.tz_localize(None)
    frame["timestamp"] = local.dt.floor("D")
    expected = frame.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    assert result.metadata["time_output"] == "local"
    assert "California" in set(table["geography"])
    _same(table, expected, ["geography", "metric", "timestamp"])


def test_filters_supplemental_raw_expression_and_time_window(
    efs_registry_template, engine, expected_base, run_query_on
):
    query = _query(
        "filtered",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US Counties 2010 - ComStock Only"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                }
            }
        ],
        dimension_filters=[
            {
                "filter_type": "supplemental_column_operator",
                "dimension_type": "geography",
                "dimension_name": "US States",
                "operator": "isin",
                "value": ["CA", "TX"],
            },
            {
                "filter_type": "expression_raw",
                "dimension_type": "metric",
                "dimension_name": "EFS Detailed End Uses - ComStock Only",
                "value": "fuel_id = 'electricity' AND NOT id = 'fans'",
            },
            {
                "filter_type": "between_column_operator",
                "dimension_type": "time",
                "dimension_name": TIME_NAME,
                "lower_bound": "2012-01-02 00:00:00",
                "upper_bound": "2012-01-03 23:00:00",
            },
        ],
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    frame = expected_base["comstock"]
    local = frame["timestamp"].dt.tz_convert(EST).dt.tz_localize(None)
    keep = (
        frame["geography"].str[:2].isin(["06", "48"])
        & (frame["metric"] == "cooling")
        & (local >= "2012-01-02 00:00:00")
        & (local <= "2012-01-03 23:00:00")
    )
    expected = frame[keep].groupby(["geography", "metric"], as_index=False)["value"].sum()
    assert set(table["geography"]) == {"06073", "06075", "48141", "48201"}
    _same(table, expected, ["geography", "metric"])


def test_pivoted_sorted_page(efs_registry_template, engine, expected_base, run_query_on):
    query = _query(
        "pivoted",
        table_format={"format_type": "pivoted", "pivoted_dimension_type": "metric"},
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US Counties 2010 - ComStock Only"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                    "model_year": ["Model Years 2010 to 2050"],
                }
            }
        ],
        sort_columns=["-cooling", "geography"],
        limit=4,
        offset=2,
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    wide = (
        expected_base["comstock"]
        .pivot_table(
            index=["geography", "model_year"], columns="metric", values="value", aggfunc="sum"
        )
        .reset_index()
    )
    wide = wide.sort_values(["cooling", "geography"], ascending=[False, True]).iloc[2:6]
    assert list(table.columns) == ["geography", "model_year", "fans", "cooling"]
    assert list(table["geography"]) == list(wide["geography"])
    np.testing.assert_allclose(table["cooling"], wide["cooling"], rtol=1e-9)
    np.testing.assert_allclose(table["fans"], wide["fans"], rtol=1e-9)


def _in_kwh(test_data, frame: pd.DataFrame) -> pd.DataFrame:
    return in_unit(frame, records(test_data / PROJECT / "dimensions" / "enduses.csv"), "kWh")


def test_peak_load_report(efs_registry_template, test_data, engine, expected_base, run_query_on):
    query = _query(
        "peaks",
        reports=[{"report_type": "peak_load"}],
        aggregations=[{"dimensions": {"geography": ["US States"], "time": [TIME_NAME]}}],
        unit="kWh",  # end uses in MWh and kWh, added together
    )
    _, result = run_query_on(efs_registry_template, query, engine)
    peaks = result.reports["peak_load"].to_pandas()
    states = {"06": "CA", "48": "TX", "36": "NY", "08": "CO"}
    frame = _in_kwh(test_data, expected_base["comstock"])
    frame = frame.assign(state=lambda f: f["geography"].str[:2].map(states))
    hourly = frame.groupby(["state", "timestamp"], as_index=False)["value"].sum()
    best = hourly.loc[hourly.groupby("state")["value"].idxmax()].sort_values("state")
    assert list(peaks["geography"]) == list(best["state"])
    np.testing.assert_allclose(peaks["value"], best["value"], rtol=1e-9)
    got = pd.to_datetime(peaks["timestamp"], utc=True)
    assert list(got) == list(best["timestamp"])


def test_two_source_datasets_are_combined(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = _query(
        "both",
        datasets=("test_efs_comstock", "test_efs_comstock_unpivoted"),
        aggregations=[{"dimensions": {"subsector": ["ComStock Subsectors EFS"]}}],
        unit="kWh",
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    combined = _in_kwh(
        test_data, pd.concat([expected_base["comstock"], expected_base["comstock_unpivoted"]])
    )
    expected = combined.groupby("subsector", as_index=False)["value"].sum()
    _same(table, expected, ["subsector"])


def test_dataset_query_in_its_own_dimensions(
    efs_registry_template, test_data, engine, run_query_on
):
    query = {
        "name": "own",
        "dataset_id": "test_efs_comstock_unpivoted",
        "column_type": "dimension_types",
        "aggregations": [
            {
                "dimensions": {
                    "subsector": ["ComStock Subsectors EFS with formatted prefix"],
                    "metric": ["ComStock End Uses"],
                }
            }
        ],
    }
    table, _ = run_query_on(efs_registry_template, query, engine)
    raw = pd.read_parquet(test_data / "datasets/test_efs_comstock_unpivoted/load_data.parquet")
    expected = raw.groupby(["subsector", "metric"], as_index=False)["value"].sum()
    _same(table, expected, ["subsector", "metric"])


def test_dataset_query_keeps_the_datasets_own_time_labels(
    efs_registry_template, test_data, engine, run_query_on
):
    """test_efs_comstock_unpivoted is period-ending: a dataset query answers in its own
    dimensions, so its hours are labelled as the file labels them (as dsgrid does), not moved
    to the period's beginning as a project query does."""
    query = {
        "name": "own_time",
        "dataset_id": "test_efs_comstock_unpivoted",
        "column_type": "dimension_types",
        "aggregations": [{"dimensions": {"metric": ["ComStock End Uses"], "time": ["time"]}}],
    }
    table, _ = run_query_on(efs_registry_template, query, engine)
    raw = pd.read_parquet(test_data / "datasets/test_efs_comstock_unpivoted/load_data.parquet")
    time_column = next(c for c in raw.columns if "time" in c)
    raw["timestamp"] = pd.to_datetime(raw[time_column], utc=True)
    expected = raw.groupby(["metric", "timestamp"], as_index=False)["value"].sum()
    got_times = pd.to_datetime(table["timestamp"], utc=True)
    assert got_times.min() == expected["timestamp"].min()  # 2012-01-01 01:00 EST, not 00:00
    _same(table, expected, ["metric", "timestamp"])


@pytest.mark.parametrize(
    ("condition", "states"),
    [
        ({}, {"CA", "CO", "NY", "TX"}),  # dsgrid's defaults: like '%', every mapped county
        ({"value": "C%"}, {"CA", "CO"}),  # like, the default operator
        ({"operator": "isin", "value": ["NY"], "negate": True}, {"CA", "CO", "TX"}),
    ],
)
def test_supplemental_column_operator_defaults_as_dsgrid(
    efs_registry_template, test_data, expected_base, run_query_on, duckdb_engine, condition, states
):
    query = _query(
        "by_state_filter",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US Counties 2010 - ComStock Only"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                }
            }
        ],  # fmt: skip
        dimension_filters=[
            {
                "filter_type": "supplemental_column_operator",
                "dimension_type": "geography",
                "dimension_name": "US States",
                **condition,
            }
        ],  # fmt: skip
    )

    table, _ = run_query_on(efs_registry_template, query, duckdb_engine)
    lookup = records(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv"
    )
    counties = set(lookup.loc[lookup["to_id"].isin(states), "from_id"])
    frame = expected_base["comstock"]
    frame = frame[frame["geography"].isin(counties)]
    expected = frame.groupby(["geography", "metric"], as_index=False)["value"].sum()
    assert set(table["geography"]) == counties
    _same(table, expected, ["geography", "metric"])


def test_time_zone_geography_reads_each_county_on_its_own_clock(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """dsgrid's result.time_zone 'geography': each county's hours as wall-clock times of the
    county record's zone (four zones here), named in a time_zone column."""
    query = _query(
        "county_local",
        time_zone="geography",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US Counties 2010 - ComStock Only"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                    "time": [TIME_NAME],
                }
            }
        ],
    )
    table, result = run_query_on(efs_registry_template, query, engine)
    assert list(table.columns) == ["geography", "metric", "timestamp", "time_zone", "value"]
    counties = records(test_data / PROJECT / "dimensions/comstock_counties.csv")
    zones = dict(zip(counties["id"], counties["time_zone"], strict=True))
    frame = (
        expected_base["comstock"]
        .groupby(["geography", "metric", "timestamp"], as_index=False)["value"]
        .sum()
    )
    frame["time_zone"] = frame["geography"].map(zones)
    frame["timestamp"] = [
        t.tz_convert(z).tz_localize(None)
        for t, z in zip(frame["timestamp"], frame["time_zone"], strict=True)
    ]
    assert len(set(frame["time_zone"])) == 4
    assert result.metadata["time_output"] == "local"
    _same(table, frame, ["geography", "metric", "timestamp", "time_zone"])


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        ({"geography": ["US States"], "time": [TIME_NAME]}, "give no time_zone"),
        (
            {"metric": ["EFS Detailed End Uses - ComStock Only"], "time": [TIME_NAME]},
            "one geography",
        ),
        ({"geography": ["US Counties 2010 - ComStock Only"]}, "no time column"),
        (
            {
                "geography": ["US Counties 2010 - ComStock Only"],
                "time": [{"dimension_name": TIME_NAME, "function": "hour"}],
            },
            "time function",
        ),
    ],
)
def test_time_zone_geography_refusals(
    efs_registry_template, duckdb_engine, run_query_on, dimensions, message
):
    from dsgrid_core.errors import InputError

    dimensions = {"metric": ["EFS Detailed End Uses - ComStock Only"], **dimensions}
    query = _query("bad_zone", time_zone="geography", aggregations=[{"dimensions": dimensions}])
    with pytest.raises(InputError, match=message):
        run_query_on(efs_registry_template, query, duckdb_engine)


@pytest.mark.parametrize("function", ["sum", "max"])
def test_county_and_its_state_in_one_aggregation(
    efs_registry_template, test_data, engine, expected_base, run_query_on, function
):
    """Two geography columns (dsgrid's added column): each county with its state, summed or
    maxed over the rest; the state column comes from the county through the project's
    county -> state mapping."""
    query = _query(
        "county_state",
        column_type="dimension_names",
        aggregations=[
            {
                "aggregation_function": function,
                "dimensions": {
                    "geography": ["US Counties 2010 - ComStock Only", "US States"],
                    "metric": ["EFS Detailed End Uses - ComStock Only"],
                },
            }
        ],
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    county, state, metric = (
        "US Counties 2010 - ComStock Only",
        "US States",
        ("EFS Detailed End Uses - ComStock Only"),
    )
    assert list(table.columns) == [county, state, metric, "value"]
    states = records(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv"
    )
    to_state = dict(zip(states["from_id"], states["to_id"], strict=True))
    frame = expected_base["comstock"]
    expected = frame.groupby(["geography", "metric"], as_index=False)["value"].agg(function)
    expected["state"] = expected["geography"].map(to_state)
    expected = expected.rename(columns={"geography": county, "state": state, "metric": metric})
    assert expected[state].notna().all() and expected[state].nunique() > 1
    _same(table, expected, [county, state, metric])


def test_two_columns_of_one_type_refused_where_they_cannot_be_exact(
    efs_registry_template, duckdb_engine, run_query_on
):
    from dsgrid_core.errors import InputError

    geo = {"geography": ["US Counties 2010 - ComStock Only", "US States"]}
    metric = {"metric": ["EFS Detailed End Uses - ComStock Only"]}
    by_types = _query("bad", aggregations=[{"dimensions": {**geo, **metric}}])
    with pytest.raises(InputError, match="column_type dimension_names"):
        run_query_on(efs_registry_template, by_types, duckdb_engine)
    chained = _query(
        "bad",
        column_type="dimension_names",
        aggregations=[{"dimensions": {**geo, **metric}}, {"dimensions": metric}],
    )
    with pytest.raises(InputError, match="one aggregation, no expression"):
        run_query_on(efs_registry_template, chained, duckdb_engine)
    pivot = _query(
        "bad",
        column_type="dimension_names",
        aggregations=[{"dimensions": {**geo, **metric}}],
        table_format={"format_type": "pivoted", "pivoted_dimension_type": "geography"},
    )
    with pytest.raises(InputError, match="cannot pivot on geography"):
        run_query_on(efs_registry_template, pivot, duckdb_engine)
