"""Several aggregations in a row (dsgrid's result.aggregations with more than one entry): each
applies to the result of the one before, with its own function and columns, a supplemental
column made from the previous result's base column through the project's mapping. On every
engine, against pandas over the raw test_efs files; what dsgrid cannot chain is refused,
naming the aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs
from reference import apply_mapping, records

from dsgrid_core.errors import InputError

expected_base = efs.expected_base  # test_efs_comstock and its unpivoted copy, with pandas

PROJECT = efs.PROJECT
TIME = efs.TIME_NAME
COUNTY = "US Counties 2010 - ComStock Only"
METRIC = "EFS Detailed End Uses - ComStock Only"
BOTH = ("test_efs_comstock", "test_efs_comstock_unpivoted")
TYPES = ["geography", "metric", "model_year", "scenario", "sector", "subsector", "time"]


def _agg(function: str, **dims) -> dict:
    return {
        "aggregation_function": function,
        "dimensions": {t: dims.get(t, []) for t in [*TYPES, "weather_year"]},
    }


def _query(name: str, aggregations: list, datasets=("test_efs_comstock",), **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": d} for d in datasets],
            },
        },
        "result": {"aggregations": aggregations, **result},
    }


def _mapping(test_data, name: str) -> pd.DataFrame:
    return records(test_data / PROJECT / "dimension_mappings/base_to_supplemental" / name)


def _close(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    assert sorted(actual.columns) == sorted([*keys, "value"])
    assert len(actual) == len(expected) > 0
    actual = actual.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    for key in keys:
        assert list(actual[key].astype(str)) == list(expected[key].astype(str)), key
    np.testing.assert_allclose(actual["value"], expected["value"], rtol=1e-9)


def test_county_sums_then_the_largest_in_each_state(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """The suite's chained_aggregations: hourly sums by county and end use, then per state
    the largest of them."""
    query = _query(
        "chain_max",
        [
            _agg("sum", geography=[COUNTY], metric=[METRIC], time=[TIME]),
            _agg("max", geography=["US States"], metric=[METRIC]),
        ],
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    base = expected_base["comstock"]
    first = base.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    mapped = apply_mapping(first, "geography", _mapping(test_data, "lookup_county_to_state.csv"))
    expected = mapped.groupby(["geography", "metric"], as_index=False)["value"].max()
    table = table.rename(columns={"US States": "geography", METRIC: "metric"})
    _close(table, expected, ["geography", "metric"])
    # a max of hourly sums, not of the stored rows nor of the state's sums
    assert (expected["value"] < base.groupby("metric")["value"].sum().max()).all()


def test_three_stages_mean_then_max_with_dimension_types(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """Sums by county, end use and hour; the mean county of each state per end use and hour;
    the largest of those per end use. Columns named by type."""
    query = _query(
        "chain_three",
        [
            _agg("sum", geography=[COUNTY], metric=[METRIC], time=[TIME]),
            _agg("mean", geography=["US States"], metric=[METRIC], time=[TIME]),
            _agg("max", metric=[METRIC]),
        ],
        column_type="dimension_types",
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    base = expected_base["comstock"]
    first = base.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    mapped = apply_mapping(first, "geography", _mapping(test_data, "lookup_county_to_state.csv"))
    second = mapped.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].mean()
    expected = second.groupby(["metric"], as_index=False)["value"].max()
    _close(table, expected, ["metric"])


def test_a_later_stage_maps_with_fractions_and_counts(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """Model years interpolated into five-year intervals (fractions) in the second stage,
    then the rows of each interval counted in the third."""
    query = _query(
        "chain_years",
        [
            _agg("sum", model_year=["Model Years 2010 to 2050"], metric=[METRIC], time=[TIME]),
            _agg("sum", model_year=["Five Year Intervals"], metric=[METRIC], time=[TIME]),
            _agg("count", model_year=["Five Year Intervals"]),
        ],
        column_type="dimension_types",
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    base = expected_base["comstock"]
    first = base.groupby(["model_year", "metric", "timestamp"], as_index=False)["value"].sum()
    mapping = _mapping(test_data, "interpolate_to_five_year_intervals.csv")
    mapped = apply_mapping(first, "model_year", mapping)
    second = mapped.groupby(["model_year", "metric", "timestamp"], as_index=False)["value"].sum()
    expected = second.groupby("model_year", as_index=False)["value"].count()
    _close(table, expected, ["model_year"])
    # the sums of the middle stage, checked through a sum in place of the count
    query["result"]["aggregations"][2] = _agg(
        "sum", model_year=["Five Year Intervals"], metric=[METRIC]
    )
    query["name"] = "chain_years_sum"
    table, _ = run_query_on(efs_registry_template, query, engine)
    keys = ["model_year", "metric"]
    _close(table, second.groupby(keys, as_index=False)["value"].sum(), keys)


def test_a_later_stage_applies_a_time_function_to_hours(
    efs_registry_template, engine, expected_base, run_query_on
):
    """Hourly sums, then the largest of each hour of the day (hours of the project's local
    time, EST, as a time function in a single aggregation gives them)."""
    hour = {"dimension_name": TIME, "function": "hour"}
    query = _query(
        "chain_hour",
        [
            _agg("sum", metric=[METRIC], time=[TIME]),
            _agg("max", metric=[METRIC], time=[hour]),
        ],
        column_type="dimension_types",
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    # dsgrid's name of a time column with a function
    table = table.rename(columns={f"hour__{TIME}": "timestamp"})
    hourly = expected_base["comstock"].groupby(["metric", "timestamp"], as_index=False)["value"]
    hourly = hourly.sum()
    hourly["timestamp"] = hourly["timestamp"].dt.tz_convert(efs.EST).dt.hour
    expected = hourly.groupby(["metric", "timestamp"], as_index=False)["value"].max()
    assert table["timestamp"].nunique() == 24
    _close(table.astype({"timestamp": int}), expected, ["metric", "timestamp"])


def test_aggregate_each_dataset_chains_each_dataset(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """With aggregate_each_dataset every dataset goes through every aggregation apart: one row
    per dataset and state."""
    query = _query(
        "chain_each",
        [
            _agg("sum", geography=[COUNTY], metric=[METRIC], time=[TIME]),
            _agg("max", geography=["US States"], metric=[METRIC]),
        ],
        datasets=BOTH,
        aggregate_each_dataset=True,
        column_type="dimension_types",
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    states = _mapping(test_data, "lookup_county_to_state.csv")
    parts = []
    for name in ("comstock", "comstock_unpivoted"):
        base = expected_base[name]
        first = base.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
        mapped = apply_mapping(first, "geography", states)
        parts.append(mapped.groupby(["geography", "metric"], as_index=False)["value"].max())
    expected = pd.concat(parts, ignore_index=True)
    keys = ["geography", "metric"]
    assert table.duplicated(keys).sum() == len(parts[0])
    got = table.sort_values([*keys, "value"]).reset_index(drop=True)
    want = expected.sort_values([*keys, "value"]).reset_index(drop=True)
    _close(got, want, keys)


@pytest.mark.parametrize(
    ("aggregations", "message"),
    [
        (
            [_agg("sum", metric=[METRIC]), _agg("sum", geography=["US States"], metric=[METRIC])],
            r"result\.aggregations\[1\]: it keeps geography, which result\.aggregations\[0\] "
            "dropped",
        ),
        (
            [
                _agg("sum", geography=["US States"], metric=[METRIC]),
                _agg("sum", geography=[COUNTY], metric=[METRIC]),
            ],
            r"result\.aggregations\[1\]: geography 'US Counties.*'US States'.*it is finer",
        ),
        (
            [
                _agg("sum", geography=["US States"], metric=[METRIC]),
                _agg("sum", geography=["US Census Regions"], metric=[METRIC]),
            ],
            r"result\.aggregations\[1\]: .*only the base dimension maps to a supplemental",
        ),
        (
            [
                _agg("sum", metric=[METRIC], time=[{"dimension_name": TIME, "function": "day"}]),
                _agg(
                    "max",
                    metric=[METRIC],
                    time=[{"dimension_name": TIME, "function": "month"}],
                ),
            ],
            r"result\.aggregations\[1\]: its time column .* differs",
        ),
        (
            [
                _agg("sum", metric=[METRIC], time=[TIME]),
                _agg("sum", metric=[METRIC]),
                _agg("sum", metric=[METRIC], time=[TIME]),
            ],
            r"result\.aggregations\[2\]: it keeps time, which result\.aggregations\[1\] dropped",
        ),
        (
            [_agg("sum", metric=[METRIC]), _agg("sum", metric=["nope"])],
            "no metric dimension named 'nope'",
        ),
        (
            [_agg("sum", metric=[METRIC]), _agg("sum", sector=[])],
            r"result\.aggregations\[1\]: the aggregation keeps no metric column, so it would "
            "add values in MWh, kWh",
        ),
    ],
    ids=[
        "dropped",
        "finer",
        "supplemental_to_supplemental",
        "time_function",
        "third",
        "name",
        "units",
    ],
)
def test_chains_that_cannot_be_answered_are_refused(
    efs_registry_template, run_query_on, duckdb_engine, aggregations, message
):
    query = _query("bad_chain", aggregations)
    with pytest.raises(InputError, match=message):
        run_query_on(efs_registry_template, query, duckdb_engine)
