"""result.column_type as dsgrid 0.4: 'dimension_names' (the default) names each column after
its dimension (a function's time column '<function>__<time dimension>'); 'dimension_types'
after its type ('timestamp' for time); the former 'dimension_query_names' is read with a
notice. Same numbers either way (pandas over the raw files)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs
from reference import apply_mapping, records

from dsgrid_core.config.base import LegacyKeyWarning
from dsgrid_core.query.run import parse_query

expected_base = efs.expected_base
STATES = "US States"
END_USES = "EFS Detailed End Uses - ComStock Only"


def _query(column_type: str | None, function: str | None = None) -> dict:
    time = {"dimension_name": efs.TIME_NAME, **({"function": function} if function else {})}
    query = efs._query(
        "named",
        aggregations=[
            {"dimensions": {"geography": [STATES], "metric": [END_USES], "time": [time]}}
        ],  # fmt: skip
    )
    query["result"].pop("column_type")
    if column_type:
        query["result"]["column_type"] = column_type
    return query


@pytest.mark.parametrize(
    ("column_type", "function", "columns"),
    [
        (None, None, [STATES, END_USES, efs.TIME_NAME]),
        ("dimension_names", "month", [STATES, END_USES, f"month__{efs.TIME_NAME}"]),
        ("dimension_types", None, ["geography", "metric", "timestamp"]),
        ("dimension_types", "month", ["geography", "metric", f"month__{efs.TIME_NAME}"]),
    ],
)
def test_column_names_follow_column_type(
    efs_registry_template, test_data, expected_base, run_query_on, duckdb_engine,
    column_type, function, columns,
):  # fmt: skip
    table, _ = run_query_on(efs_registry_template, _query(column_type, function), duckdb_engine)
    assert list(table.columns) == [*columns, "value"]
    lookup = test_data / efs.PROJECT / "dimension_mappings/base_to_supplemental"
    frame = apply_mapping(
        expected_base["comstock"], "geography", records(lookup / "lookup_county_to_state.csv")
    )
    if function == "month":
        frame["timestamp"] = frame["timestamp"].dt.tz_convert(efs.EST).dt.month
    want = frame.groupby(["geography", "metric", "timestamp"], as_index=False)["value"].sum()
    got = table.set_axis(["geography", "metric", "timestamp", "value"], axis=1)
    if function is None:
        got["timestamp"] = pd.to_datetime(got["timestamp"], utc=True)
    efs._same(got, want, ["geography", "metric", "timestamp"])
    np.testing.assert_allclose(got["value"].sum(), want["value"].sum(), rtol=1e-9)


def test_the_former_dimension_query_names_is_read_with_a_notice():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = parse_query(_query("dimension_query_names"))
    assert model.result.column_type == "dimension_names"
    assert any(
        issubclass(w.category, LegacyKeyWarning) and "dimension_query_names" in str(w.message)
        for w in caught
    )
