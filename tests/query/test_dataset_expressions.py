"""A query's dataset expression and aggregate_each_dataset, as dsgrid defines them (each dataset
mapped to the project, then ``|`` appends rows, ``+``/``-`` combine them row by row), on every
engine, against pandas over the raw test_efs files. What cannot be answered exactly is refused,
never answered as a plain sum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs

from dsgrid_core.errors import InputError

_query = efs._query
expected_base = efs.expected_base  # test_efs_comstock and its unpivoted copy, with pandas

BOTH = ("test_efs_comstock", "test_efs_comstock_unpivoted")
BY_STATE = [{"dimensions": {"geography": ["US States"], "metric": ["EFS Detailed End Uses - "
                                                                    "ComStock Only"]}}]  # fmt: skip


def _states(test_data, frame: pd.DataFrame) -> pd.DataFrame:
    from reference import apply_mapping, records

    states = records(
        test_data / "test_efs/dsgrid_project/dimension_mappings/base_to_supplemental/"
        "lookup_county_to_state.csv"
    )
    mapped = apply_mapping(frame, "geography", states)
    return mapped.groupby(["geography", "metric"], as_index=False)["value"].sum()


def _close(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str], scale) -> None:
    expected = expected.assign(__scale=scale).sort_values(keys).reset_index(drop=True)
    actual = actual.sort_values(keys).reset_index(drop=True)
    for key in keys:
        assert list(actual[key]) == list(expected[key]), key
    np.testing.assert_allclose(
        actual["value"], expected["value"], rtol=1e-9, atol=1e-12 * expected["__scale"].max()
    )


def _with_expression(name: str, expression: str | None, **result) -> dict:
    query = _query(name, datasets=BOTH, **result)
    if expression is not None:
        query["project"]["dataset"]["expression"] = expression
    return query


@pytest.mark.parametrize(
    ("expression", "weights"),
    [
        (None, (1, 1)),
        ("test_efs_comstock | test_efs_comstock_unpivoted", (1, 1)),
        ("test_efs_comstock + test_efs_comstock_unpivoted", (1, 1)),
        ("test_efs_comstock", (1, 0)),
        ("test_efs_comstock - test_efs_comstock_unpivoted", (1, -1)),
        ("test_efs_comstock_unpivoted - (test_efs_comstock - test_efs_comstock)", (0, 1)),
    ],
)
def test_expressions_weigh_the_datasets(
    efs_registry_template, test_data, engine, expected_base, run_query_on, expression, weights
):
    query = _with_expression("expr", expression, aggregations=BY_STATE)
    table, _ = run_query_on(efs_registry_template, query, engine)
    a = _states(test_data, expected_base["comstock"])
    b = _states(test_data, expected_base["comstock_unpivoted"])
    merged = a.merge(b, on=["geography", "metric"], how="outer", suffixes=("_a", "_b")).fillna(0)
    merged["value"] = weights[0] * merged["value_a"] + weights[1] * merged["value_b"]
    # a difference of equal sums is 0 up to the rounding of the sums themselves
    scale = merged[["value_a", "value_b"]].abs().max(axis=1).to_numpy()
    _close(table, merged[["geography", "metric", "value"]], ["geography", "metric"], scale)
    if weights == (1, -1):  # the two datasets hold the same data stored two ways
        assert (table["value"].abs() <= 1e-12 * scale.max()).all()


def test_aggregate_each_dataset_keeps_a_row_per_dataset(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    query = _with_expression("each", None, aggregations=BY_STATE, aggregate_each_dataset=True)
    table, _ = run_query_on(efs_registry_template, query, engine)
    a = _states(test_data, expected_base["comstock"])
    b = _states(test_data, expected_base["comstock_unpivoted"])
    expected = pd.concat([a, b], ignore_index=True)
    assert len(table) == 2 * len(a) and table.duplicated(["geography", "metric"]).sum() == len(a)
    keys = ["geography", "metric", "value"]
    got = table.sort_values(keys).reset_index(drop=True)
    want = expected.sort_values(keys).reset_index(drop=True)
    assert list(got["geography"]) == list(want["geography"])
    assert list(got["metric"]) == list(want["metric"])
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-9)


@pytest.mark.parametrize(
    ("expression", "extra", "message"),
    [
        ("test_efs_comstock - nope", {}, "'nope', which is not one of the query's"),
        ("test_efs_comstock -", {}, "cannot read the expression"),
        ("(test_efs_comstock", {}, "is not closed"),
        ("test_efs_comstock; drop", {}, "unexpected ';"),
        (
            "test_efs_comstock | test_efs_comstock - test_efs_comstock_unpivoted",
            {"aggregate_each_dataset": True},
            "mixes '|' with",
        ),
    ],
)
def test_expressions_that_cannot_be_answered_exactly_are_refused(
    efs_registry_template, run_query_on, duckdb_engine, expression, extra, message
):
    aggregations = [{**BY_STATE[0]}]
    if "aggregation_function" in extra:
        aggregations[0]["aggregation_function"] = extra.pop("aggregation_function")
    query = _with_expression("bad", expression, aggregations=aggregations, **extra)
    with pytest.raises(InputError, match=message) as caught:
        run_query_on(efs_registry_template, query, duckdb_engine)
    assert "project.dataset.expression" in str(caught.value) or "aggregate_each" in str(
        caught.value
    )
