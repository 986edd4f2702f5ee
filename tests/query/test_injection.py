"""Injection attempts through filter values, column aliases and raw expressions: user text
reaches the SQL only as quoted identifiers or literals, each engine's SQL is one SELECT
(checked against a stored snapshot per dialect), and the query still answers correctly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from dsgrid_core.engine.duckdb_engine import DuckDBEngine
from dsgrid_core.engine.spark_engine import SparkEngine
from dsgrid_core.errors import InputError
from dsgrid_core.query.planner import plan_project_query
from dsgrid_core.query.run import load_context, parse_query
from dsgrid_core.registry.registry import Registry

SNAPSHOTS = Path(__file__).parent / "snapshots"
ALIAS = 'geo"; DROP TABLE versions; --'
SNEAKY_VALUE = "CA' OR '1'='1"
FORBIDDEN = (exp.Drop, exp.Insert, exp.Delete, exp.Update, exp.Create, exp.Command)


def _query(**result) -> dict:
    return {
        "name": "sneaky",
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": "sneaky",
                "source_datasets": [{"dataset_id": "test_efs_comstock"}],
            },
        },
        "result": {
            "aggregations": [{"dimensions": {"geography": [
                {"dimension_name": "US States", "alias": ALIAS}]}}],
            "dimension_filters": [
                {"filter_type": "supplemental_column_operator", "dimension_type": "geography",
                 "dimension_name": "US States", "operator": "isin",
                 "value": [SNEAKY_VALUE, "TX"]},
                {"filter_type": "expression", "dimension_type": "metric",
                 "dimension_name": "EFS Detailed End Uses - ComStock Only",
                 "column": "fuel_id", "operator": "!=", "value": "' OR 1=1 --"},
            ],
            "sort_columns": [ALIAS],
            "unit": "kWh",  # end uses in MWh and kWh summed over
            "column_type": "dimension_types",
            **result,
        },
    }  # fmt: skip


class _SparkDialect:
    """Spark's SQL spelling without starting Spark (only rendering is looked at)."""

    dialect = "spark"
    local_time = SparkEngine.local_time


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_user_text_is_only_quoted_in_one_select(efs_registry_template, dialect):
    with Registry(efs_registry_template, read_only=True) as registry:
        query = parse_query(_query(time_zone="America/New_York"))
        plan = plan_project_query(load_context(registry, query), query)
    engine = DuckDBEngine() if dialect == "duckdb" else _SparkDialect()
    try:
        sql = plan.sql(engine)
    finally:
        if dialect == "duckdb":
            engine.close()
    statements = sqlglot.parse(sql, read=dialect)
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    assert not any(isinstance(node, FORBIDDEN) for node in statements[0].walk())
    assert SNEAKY_VALUE not in sql  # filters became ids of real records before any SQL
    aliases = {a.alias for a in statements[0].find_all(exp.Alias)}
    assert ALIAS in aliases  # the alias is one identifier, quotes and all
    snapshot = SNAPSHOTS / f"injection.{dialect}.sql"
    if os.environ.get("DSGRID_UPDATE_SNAPSHOTS"):
        snapshot.write_text(sql + "\n")
    assert sql + "\n" == snapshot.read_text(), "generated SQL changed: review, then update"


def test_the_sneaky_query_still_answers(efs_registry_template, engine, run_query_on):
    table, _ = run_query_on(efs_registry_template, _query(), engine)
    assert list(table.columns) == [ALIAS, "value"]
    assert list(table[ALIAS]) == ["TX"]  # the OR in the value matched nothing


@pytest.mark.parametrize(
    "raw",
    [
        "id IN (SELECT id FROM read_csv('/etc/passwd'))",
        "id = 'a'; DROP TABLE versions",
        "read_parquet('x') IS NULL",
        "id = current_setting('threads')",
    ],
)
def test_raw_expressions_that_are_not_comparisons_are_refused(efs_registry_template, raw):
    query = _query()
    query["result"]["dimension_filters"] = [
        {"filter_type": "expression_raw", "dimension_type": "geography",
         "dimension_name": "US States", "value": raw}
    ]  # fmt: skip
    with Registry(efs_registry_template, read_only=True) as registry:
        parsed = parse_query(query)
        with pytest.raises(InputError, match="expression_raw"):
            plan_project_query(load_context(registry, parsed), parsed)
