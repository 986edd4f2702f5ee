"""The peak_load report as dsgrid defines it (its PeakLoadInputModel: group_by_columns, the
metric column added; every time step tied for the peak listed; columns time, group, value), on
every engine, against pandas over the raw test_efs files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs
from reference import apply_mapping, records

from dsgrid_core.errors import InputError

expected_base = efs.expected_base  # test_efs_comstock in the project's dimensions, with pandas
STATE_MAP = (
    "test_efs/dsgrid_project/dimension_mappings/base_to_supplemental/lookup_county_to_state.csv"
)
END_USES = "EFS Detailed End Uses - ComStock Only"


def _peaks(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """Every row whose value is the largest of its group (ties all kept)."""
    top = frame.groupby(group)["value"].transform("max")
    return frame[frame["value"] == top].sort_values([*group, "timestamp"]).reset_index(drop=True)


def test_group_by_columns_with_the_metric_added(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = efs._query(
        "peaks_by_state",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US States"],
                    "metric": [END_USES],
                    "time": [efs.TIME_NAME],
                }
            }
        ],  # fmt: skip
        reports=[{"report_type": "peak_load", "inputs": {"group_by_columns": ["geography"]}}],
    )
    _, result = run_query_on(efs_registry_template, query, engine)
    got = result.reports["peak_load"].to_pandas()
    assert list(got.columns) == ["timestamp", "geography", "metric", "value"]
    frame = apply_mapping(expected_base["comstock"], "geography", records(test_data / STATE_MAP))
    hourly = frame.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    want = _peaks(hourly, ["geography", "metric"])
    got = got.sort_values(["geography", "metric", "timestamp"]).reset_index(drop=True)
    assert list(got["geography"]) == list(want["geography"])
    assert list(got["metric"]) == list(want["metric"])
    assert list(pd.to_datetime(got["timestamp"], utc=True)) == list(want["timestamp"])
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-9)


def test_every_tied_peak_is_listed(efs_registry_template, test_data, engine, run_query_on):
    """Counts of rows per state and hour tie at every hour: each hour is a peak."""
    query = efs._query(
        "count_ties",
        aggregations=[
            {
                "aggregation_function": "count",
                "dimensions": {"geography": ["US States"], "time": [efs.TIME_NAME]},
            }
        ],  # fmt: skip
        reports=[{"report_type": "peak_load", "inputs": {"group_by_columns": ["geography"]}}],
    )
    table, result = run_query_on(efs_registry_template, query, engine)
    got = result.reports["peak_load"].to_pandas()
    want = _peaks(table.rename(columns={"time": "timestamp"}), ["geography"])
    assert len(got) == len(want) > table["geography"].nunique()  # ties: many rows per state
    got = got.sort_values(["geography", "timestamp"]).reset_index(drop=True)
    assert list(got["geography"]) == list(want["geography"])
    np.testing.assert_allclose(got["value"], want["value"])


def test_group_by_columns_must_be_result_columns(
    efs_registry_template, run_query_on, duckdb_engine
):
    query = efs._query(
        "bad_peaks",
        aggregations=[
            {
                "dimensions": {
                    "geography": ["US States"],
                    "metric": [END_USES],
                    "time": [efs.TIME_NAME],
                }
            }
        ],  # fmt: skip
        reports=[{"report_type": "peak_load", "inputs": {"group_by_columns": ["county"]}}],
    )
    with pytest.raises(InputError, match="group_by_columns county are not columns"):
        run_query_on(efs_registry_template, query, duckdb_engine)
    query["result"]["reports"][0]["inputs"] = {"group_by": ["geography"]}
    with pytest.raises(InputError, match=r"peak_load inputs are \{group_by_columns"):
        run_query_on(efs_registry_template, query, duckdb_engine)
