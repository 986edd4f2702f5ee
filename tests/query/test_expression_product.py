"""'*' between datasets in a query's expression, as dsgrid's DatasetExpressionHandler computes
it: the operands joined on every column but the value and their values multiplied; '*' binds
tighter than '+' and '-', which bind tighter than '|'. Without aggregate_each_dataset the
operands are the datasets mapped to the project (the aggregations apply to the product's rows);
with it, each dataset aggregated apart (the product is the result). On every engine, against
pandas over the raw test_efs files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import test_test_efs_queries as efs
from reference import DIMS, apply_mapping, records

from dsgrid_core.errors import InputError

expected_base = efs.expected_base  # test_efs_comstock and its unpivoted copy, with pandas

A, B = "test_efs_comstock", "test_efs_comstock_unpivoted"
METRIC = "EFS Detailed End Uses - ComStock Only"
KEYS = ["geography", "metric"]


def _agg(function: str = "sum", **dims) -> dict:
    names = ["geography", "metric", "model_year", "scenario", "sector", "subsector", "time"]
    return {
        "aggregation_function": function,
        "dimensions": {t: dims.get(t, []) for t in [*names, "weather_year"]},
    }


BY_STATE = _agg(geography=["US States"], metric=[METRIC])


def _query(name: str, expression: str, aggregations: list, **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": A}, {"dataset_id": B}],
                "expression": expression,
            },
        },
        "result": {
            "aggregations": aggregations,
            "column_type": "dimension_types",
            **result,
        },
    }


def _states(test_data, frame: pd.DataFrame, function: str = "sum") -> pd.DataFrame:
    states = records(
        test_data / "test_efs/dsgrid_project/dimension_mappings/base_to_supplemental/"
        "lookup_county_to_state.csv"
    )
    mapped = apply_mapping(frame, "geography", states)
    return mapped.groupby(KEYS, as_index=False)["value"].agg(function)


def _rows(frames: dict, expression) -> pd.DataFrame:
    """Base rows of A and B joined on every column, ``expression(a, b)`` of their values."""
    keys = [*DIMS, "timestamp"]
    joined = frames["comstock"].merge(frames["comstock_unpivoted"], on=keys, suffixes=("_a", "_b"))
    assert len(joined) == len(frames["comstock"]) == len(frames["comstock_unpivoted"])
    return joined.assign(value=expression(joined["value_a"], joined["value_b"]))[[*keys, "value"]]


def _close(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    assert len(actual) == len(expected) > 0
    actual = actual.sort_values([*keys, "value"]).reset_index(drop=True)
    expected = expected.sort_values([*keys, "value"]).reset_index(drop=True)
    for key in keys:
        assert list(actual[key]) == list(expected[key]), key
    np.testing.assert_allclose(actual["value"], expected["value"], rtol=1e-9)


def test_product_of_each_dataset_aggregated(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """The suite's expression_product: each dataset summed by state, then multiplied."""
    query = _query("product_each", f"{A} * {B}", [BY_STATE], aggregate_each_dataset=True)
    table, _ = run_query_on(efs_registry_template, query, engine)
    a = _states(test_data, expected_base["comstock"])
    b = _states(test_data, expected_base["comstock_unpivoted"])
    merged = a.merge(b, on=KEYS, suffixes=("_a", "_b"))
    assert len(merged) == len(a) == len(b)
    expected = merged.assign(value=merged["value_a"] * merged["value_b"])
    _close(table, expected[[*KEYS, "value"]], KEYS)


def test_product_of_mapped_rows_then_aggregated(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """Without aggregate_each_dataset: hourly base rows multiplied, then summed by state (not
    the product of the sums)."""
    query = _query("product_rows", f"{A} * {B}", [BY_STATE])
    table, _ = run_query_on(efs_registry_template, query, engine)
    expected = _states(test_data, _rows(expected_base, lambda a, b: a * b))
    _close(table, expected, KEYS)
    each = _states(test_data, expected_base["comstock"])
    assert (expected["value"] < (each["value"] ** 2)).all()


@pytest.mark.parametrize(
    ("expression", "combine", "union_with_a"),
    [
        # '*' before '+' and '-': a + (a * b), a - (b * a)
        (f"{A} + {A} * {B}", lambda a, b: a + a * b, False),
        (f"{A} - {B} * {A}", lambda a, b: a - b * a, False),
        (f"({A} + {B}) * {B}", lambda a, b: (a + b) * b, False),
        # '|' last: (a * b) | a appends a's rows to the product's
        (f"{A} * {B} | {A}", lambda a, b: a * b, True),
    ],
    ids=["plus", "minus", "parentheses", "union"],
)
def test_precedence_as_dsgrid_parses(
    efs_registry_template,
    test_data,
    engine,
    expected_base,
    run_query_on,
    expression,
    combine,
    union_with_a,
):
    query = _query("product_precedence", expression, [BY_STATE])
    table, _ = run_query_on(efs_registry_template, query, engine)
    rows = _rows(expected_base, combine)
    if union_with_a:
        rows = pd.concat([rows, expected_base["comstock"]], ignore_index=True)
    _close(table, _states(test_data, rows), KEYS)


def test_a_sum_of_datasets_under_another_function_combines_rows(
    efs_registry_template, test_data, engine, expected_base, run_query_on
):
    """dsgrid's '+' joins rows: the largest a + b of a state, not the largest row of either
    (rows evaluated as a tree, as for '*')."""
    query = _query(
        "plus_max", f"{A} + {B}", [_agg("max", geography=["US States"], metric=[METRIC])]
    )
    table, _ = run_query_on(efs_registry_template, query, engine)
    expected = _states(test_data, _rows(expected_base, lambda a, b: a + b), "max")
    _close(table, expected, KEYS)


def test_rows_that_do_not_match_stop_the_query(efs_registry_template, run_query_on, duckdb_engine):
    """(a | b) has every state twice: dsgrid's join would change the row count and refuse;
    so does the query instead of answering."""
    query = _query("mismatch", f"({A} | {B}) * {A}", [BY_STATE], aggregate_each_dataset=True)
    with pytest.raises(Exception, match=r"project\.dataset\.expression: .* same rows"):
        run_query_on(efs_registry_template, query, duckdb_engine)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (f"{A} *", "cannot read the expression"),
        (f"{A} ** {B}", "'\\*' where a dataset id is expected"),
        (f"{A} * nope", "'nope', which is not one of the query's"),
        (f"{A} * ({B}", "is not closed"),
    ],
)
def test_bad_products_are_refused(
    efs_registry_template, run_query_on, duckdb_engine, expression, message
):
    query = _query("bad_product", expression, [BY_STATE])
    with pytest.raises(InputError, match=message) as caught:
        run_query_on(efs_registry_template, query, duckdb_engine)
    assert "project.dataset.expression" in str(caught.value)
