"""dsgrid's time functions in aggregations: the pyspark.sql.functions of that name applied to
the local time, an integer each (hour of the day, day of the week counted 1 = Sunday, ...), in
a column named '<function>__<dimension name>'; and our start_of_<period> cuts. On every engine,
against pandas over the raw test_efs files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs

from dsgrid_core.errors import InputError

expected_base = efs.expected_base
END_USES = "EFS Detailed End Uses - ComStock Only"
EST = "Etc/GMT+5"  # the project's zone: local times when the query gives none

# pandas spelling of each function, independent of the code under test
PANDAS_PARTS = {
    "hour": lambda t: t.dt.hour,
    "month": lambda t: t.dt.month,
    "dayofweek": lambda t: (t.dt.dayofweek + 1) % 7 + 1,  # pandas Monday=0 -> Spark Sunday=1
    "dayofyear": lambda t: t.dt.dayofyear,
    "weekofyear": lambda t: t.dt.isocalendar().week.astype(int),
    "quarter": lambda t: t.dt.quarter,
    "year": lambda t: t.dt.year,
}


@pytest.mark.parametrize("function", sorted(PANDAS_PARTS))
def test_dsgrid_time_functions_give_integer_parts_of_local_time(
    efs_registry_template, engine, expected_base, run_query_on, function
):
    query = efs._query(
        f"part_{function}",
        aggregations=[
            {
                "dimensions": {
                    "metric": [END_USES],
                    "time": [{"dimension_name": efs.TIME_NAME, "function": function}],
                }
            }
        ],  # fmt: skip
    )
    table, result = run_query_on(efs_registry_template, query, engine)
    column = f"{function}__{efs.TIME_NAME}"
    assert list(table.columns) == ["metric", column, "value"]
    assert result.metadata["time_output"] == "part"
    frame = expected_base["comstock"].copy()
    local = frame["timestamp"].dt.tz_convert(EST)
    frame[column] = PANDAS_PARTS[function](local)
    want = frame.groupby(["metric", column], as_index=False)["value"].sum()
    got = table.sort_values(["metric", column]).reset_index(drop=True)
    want = want.sort_values(["metric", column]).reset_index(drop=True)
    assert list(got["metric"]) == list(want["metric"])
    assert [int(v) for v in got[column]] == [int(v) for v in want[column]]
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-9)
    if function == "hour":  # a diurnal profile: 24 rows per end use
        assert len(table) == 24 * table["metric"].nunique()


def test_an_alias_names_the_time_column_and_a_zone_moves_the_hours(
    efs_registry_template, expected_base, run_query_on, duckdb_engine
):
    query = efs._query(
        "alias_hour",
        time_zone="America/Los_Angeles",
        aggregations=[
            {
                "dimensions": {
                    "metric": [END_USES],
                    "time": [
                        {
                            "dimension_name": efs.TIME_NAME,
                            "function": "hour",
                            "alias": "hour_of_day",
                        }
                    ],
                }
            }
        ],  # fmt: skip
    )
    table, _ = run_query_on(efs_registry_template, query, duckdb_engine)
    frame = expected_base["comstock"].copy()
    frame["hour_of_day"] = frame["timestamp"].dt.tz_convert("America/Los_Angeles").dt.hour
    want = frame.groupby(["metric", "hour_of_day"], as_index=False)["value"].sum()
    got = table.sort_values(["metric", "hour_of_day"]).reset_index(drop=True)
    want = want.sort_values(["metric", "hour_of_day"]).reset_index(drop=True)
    assert list(got["hour_of_day"].astype(int)) == list(want["hour_of_day"])
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-9)


def test_start_of_week_is_ours_and_week_is_refused_with_the_names(
    efs_registry_template, expected_base, run_query_on, duckdb_engine
):
    ref = {"dimension_name": efs.TIME_NAME, "function": "start_of_week"}
    query = efs._query("weeks", aggregations=[{"dimensions": {"metric": [END_USES],
                                                               "time": [ref]}}])  # fmt: skip
    table, _ = run_query_on(efs_registry_template, query, duckdb_engine)
    frame = expected_base["comstock"].copy()
    local = frame["timestamp"].dt.tz_convert(EST).dt.tz_localize(None)
    frame["timestamp"] = local.dt.to_period("W-SUN").dt.start_time
    want = frame.groupby(["metric", "timestamp"], as_index=False)["value"].sum()
    got = table.sort_values(["metric", "timestamp"]).reset_index(drop=True)
    want = want.sort_values(["metric", "timestamp"]).reset_index(drop=True)
    assert list(pd.to_datetime(got["timestamp"])) == list(want["timestamp"])
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-9)
    ref["function"] = "week"
    with pytest.raises(InputError, match=r"'week' is not one of .*start_of_week"):
        run_query_on(efs_registry_template, query, duckdb_engine)
