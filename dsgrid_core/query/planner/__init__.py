"""One relational plan per project query, built as a sqlglot tree and rendered per engine.

Stages: resolve filters to base ids -> aggregate the datasets in the result's columns (sums
through composed mappings, ``sum_plan``; other functions row by row, ``row_plan``) -> each
further aggregation over the one before (``chain``) -> names -> pivot -> sort / limit /
offset -> reports. An expression with ``*`` is evaluated as a tree of joins (``chain``); a
``comparison`` plans the query once per side and joins both in one tree (``compare``).
Identifiers are quoted; user values appear only as literals in the tree; small tables
(mappings, names, time buckets) go to the engine as rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.expression import combination
from dsgrid_core.query.expression import tree as expression_tree
from dsgrid_core.query.filter_types import resolve_filter
from dsgrid_core.query.planner.chain import (
    chained,
    isolated,
    localize_fail,
    plan_expression,
    stage_shapes,
    union_all,
)
from dsgrid_core.query.planner.compare import plan_comparison
from dsgrid_core.query.planner.finish import ordered_page, peak_load, pivoted, with_names
from dsgrid_core.query.planner.metric_units import with_metric_units
from dsgrid_core.query.planner.outputs import OutputColumn, result_shape
from dsgrid_core.query.planner.projection import plan_with_projections
from dsgrid_core.query.planner.result_zone import BY_GEOGRAPHY, parse_zone, with_zone_column
from dsgrid_core.query.planner.result_zone import by_geography as zoned_by_geography
from dsgrid_core.query.planner.row_plan import plan_rows
from dsgrid_core.query.planner.selection import check_selection
from dsgrid_core.query.planner.sqltree import VALUE, Rows, table
from dsgrid_core.query.planner.sum_plan import plan_sum
from dsgrid_core.query.planner.timekeys import localize
from dsgrid_core.query.units import with_unit

__all__ = ["RESULT_TABLE", "OutputColumn", "Plan", "Rows", "plan_project_query"]

RESULT_TABLE = "__result"


@dataclass
class Plan:
    tree: exp.Select
    tables: dict[str, tuple[str, Any]]  # name -> ("parquet", path) | ("rows", Rows)
    columns: list[OutputColumn]
    time_output: str | None  # "instant", "local", "part" or None
    time_zone: str | None
    reports: dict[str, exp.Select] = field(default_factory=dict)
    reports_from_result: bool = False

    def sql(self, engine) -> str:
        tree = localize_fail(localize(self.tree.copy(), engine), engine.dialect)
        return tree.sql(engine.dialect)

    def report_sql(self, name: str, engine) -> str:
        tree = localize_fail(localize(self.reports[name].copy(), engine), engine.dialect)
        return tree.sql(engine.dialect)


def _group_by_columns(report) -> list[str] | None:
    """peak_load's input (dsgrid's PeakLoadInputModel: ``{group_by_columns: [...]}``)."""
    inputs = report.inputs
    if inputs is None:
        return None
    columns = inputs.get("group_by_columns") if isinstance(inputs, dict) else None
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) for c in columns)
        or (set(inputs) - {"group_by_columns"})
    ):
        raise InputError(
            "result.reports: peak_load inputs are {group_by_columns: [column, ...]} (the "
            f"result's columns to find the peak of each); got {inputs!r}."
        )
    return columns


def _combined(
    context: ProjectContext, query: ProjectQueryConfig, function: str
) -> tuple[ProjectContext, bool]:
    """The datasets the query's expression uses, each with its weight, and whether each is
    aggregated apart (aggregate_each_dataset over a union). What cannot be answered exactly is
    refused here."""
    where = "project.dataset.expression"
    combo = combination(
        query.project.dataset.expression, [ds.dataset_id for ds in context.datasets], where
    )
    if function != "sum" and any(w != 1.0 for w in combo.weights.values()):
        raise InputError(
            f"{where}: '{query.project.dataset.expression}' subtracts or repeats datasets, "
            f"which only a sum can do here; the aggregation function is {function}. Use sum, "
            "or query the datasets apart."
        )
    each = query.result.aggregate_each_dataset and len(combo.weights) > 1
    if each and not (combo.union_only or combo.linear_only):
        raise InputError(
            "result.aggregate_each_dataset with an expression that mixes '|' with '+' or '-' "
            "is not supported yet; use one kind of operator, or split the query."
        )
    datasets = [
        replace(ds, weight=combo.weights[ds.dataset_id])
        for ds in context.datasets
        if ds.dataset_id in combo.weights
    ]
    # '+'/'-' make one dataset row by row: per-dataset sums merge again, as dsgrid's join does
    return replace(context, datasets=datasets), each and combo.union_only


def _as_tree(query: ProjectQueryConfig, ops: set[str]) -> bool:
    """Whether the expression is evaluated as a tree of joins (``chain.plan_expression``)
    rather than as weighted rows: with '*', and with '+' or '-' where weights are not exact
    (a first aggregation other than a sum combines rows, not sums; aggregate_each_dataset with
    several aggregations combines each dataset's last result)."""
    if "*" in ops:
        return True
    if not ops & {"+", "-"}:
        return False
    aggregations = query.result.aggregations
    first = aggregations[0].aggregation_function if aggregations else "sum"
    return first != "sum" or (query.result.aggregate_each_dataset and len(aggregations) > 1)


def _check_repeated_types(shape, query: ProjectQueryConfig, context: ProjectContext) -> None:
    """Several columns of one dimension type (county and its state) are answered in a query
    with one aggregation, no expression joins and no pivot on that type; refused otherwise."""
    repeated = shape.repeated_types
    if not repeated:
        return
    listed = ", ".join(sorted(repeated))
    result = query.result
    if len(result.aggregations) > 1 or query.project.dataset.expression or context.projections:
        raise InputError(
            f"result.aggregations[0]: several {listed} dimensions in one aggregation are "
            "supported in a query with one aggregation, no expression and no projection "
            "dataset; split the query."
        )
    pivot = result.table_format.pivoted_dimension_type
    if result.table_format.format_type == "pivoted" and pivot and pivot.value in repeated:
        raise InputError(
            f"result.table_format: cannot pivot on {pivot.value}, which has several columns; "
            "pivot on another dimension type."
        )


def plan_project_query(context: ProjectContext, query: ProjectQueryConfig) -> Plan:
    if query.comparison is not None:
        # each side planned as a query of its own, both in one tree (planner.compare)
        return plan_comparison(context, query, _plan_one)
    return _plan_one(context, query)


def _plan_one(context: ProjectContext, query: ProjectQueryConfig) -> Plan:
    result = query.result
    context = with_unit(context, result.unit)
    filters = [
        (f"project.dataset.params.dimension_filters[{i}]", f)
        for i, f in enumerate(query.project.dataset.params.dimension_filters)
    ] + [(f"result.dimension_filters[{i}]", f) for i, f in enumerate(result.dimension_filters)]
    resolved = [(where, resolve_filter(context, f, where)) for where, f in filters]
    check_selection(context, resolved)
    conditions = [cond for _, cond in resolved]
    by_geography = result.time_zone == BY_GEOGRAPHY
    time_zone = parse_zone(result.time_zone)
    tables: dict[str, tuple[str, Any]] = {}
    where = "project.dataset.expression"
    expression = expression_tree(
        query.project.dataset.expression, [ds.dataset_id for ds in context.datasets], where
    )
    _check_repeated_types(result_shape(context, query, time_zone), query, context)
    if context.projections:  # projection source datasets
        current, shape = plan_with_projections(
            context, query, expression, conditions, tables, time_zone
        )
    elif _as_tree(query, expression.operators()):
        current, shape = plan_expression(context, query, expression, conditions, tables, time_zone)
    else:
        shape = result_shape(context, query, time_zone)
        context, per_dataset = _combined(context, query, shape.function)
        shape = with_metric_units(context, shape, result.unit, bool(result.aggregations))
        stages = stage_shapes(context, query, time_zone)
        if per_dataset and stages:
            # dsgrid's aggregate_each_dataset: each dataset through every aggregation
            parts = []
            for j, ds in enumerate(context.datasets):
                prefix = f"e{j}_"
                part = isolated(context, ds.dataset_id, shape, conditions, tables, prefix)
                parts.append(chained(part, shape, stages, tables, prefix, result.unit))
            current = union_all(parts)
        else:
            # several columns of one type (county and its state) are added row by row
            summed = shape.function == "sum" and not shape.repeated_types
            build = plan_sum if summed else plan_rows
            current = build(context, shape, conditions, tables, per_dataset)
            current = chained(current, shape, stages, tables, "s", result.unit)
        shape = stages[-1] if stages else shape
    outputs = [*shape.columns, OutputColumn(VALUE, "value")]
    time_output = shape.time.kind if shape.time else None
    if by_geography:
        current, outputs = zoned_by_geography(current, outputs, context, tables, time_output)
        time_output = "local"
    elif time_zone and shape.time_column is not None:
        current, outputs = with_zone_column(current, outputs, time_zone)

    if result.replace_ids_with_names:
        current = with_names(current, outputs, tables)
    if result.table_format.format_type == "pivoted":
        current, outputs = pivoted(current, outputs, result)
    tree = ordered_page(current, outputs, result)

    plan = Plan(
        tree=tree,
        tables=tables,
        columns=outputs,
        time_output=time_output,
        time_zone=BY_GEOGRAPHY if by_geography else time_zone,
    )
    for report in result.reports:
        if report.report_type == "peak_load":
            # Reports read the finished result (table RESULT_TABLE) instead of recomputing it,
            # unless the result is only a page of the whole.
            if result.limit is None and not result.offset:
                source = exp.select(exp.Star()).from_(table(RESULT_TABLE))
                plan.reports_from_result = True
            else:
                source = current
            plan.reports["peak_load"] = peak_load(source, outputs, _group_by_columns(report))
    return plan
