"""One relational plan per project query, built as a sqlglot tree and rendered per engine.

Stages: resolve filters to base ids -> aggregate the datasets in the result's columns (sums
through composed mappings, ``sum_plan``; other functions row by row, ``row_plan``) -> names ->
pivot -> sort / limit / offset -> reports. Identifiers are quoted; user values appear only as
literals in the tree; small tables (mappings, names, time buckets) go to the engine as rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context import ProjectContext
from dsgrid_core.query.expression import combination
from dsgrid_core.query.filters import resolve_filter
from dsgrid_core.query.planner.finish import ordered_page, peak_load, pivoted, with_names
from dsgrid_core.query.planner.metric_units import with_metric_units
from dsgrid_core.query.planner.outputs import OutputColumn, result_shape
from dsgrid_core.query.planner.row_plan import plan_rows
from dsgrid_core.query.planner.selection import check_selection
from dsgrid_core.query.planner.sqltree import VALUE, Rows, alias, col, subquery, table
from dsgrid_core.query.planner.sum_plan import plan_sum
from dsgrid_core.query.planner.timekeys import localize
from dsgrid_core.query.units import with_unit

__all__ = ["RESULT_TABLE", "OutputColumn", "Plan", "Rows", "plan_project_query"]

RESULT_TABLE = "__result"
TIME_ZONE = "time_zone"


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
        return localize(self.tree.copy(), engine).sql(engine.dialect)

    def report_sql(self, name: str, engine) -> str:
        return localize(self.reports[name].copy(), engine).sql(engine.dialect)


def _time_zone(value: str | None) -> str | None:
    if not value:
        return None
    from dsgrid_core.config.time_dimension import to_iana_time_zone

    try:
        return to_iana_time_zone(value)
    except ValueError as exc:
        raise InputError(f"result.time_zone: {exc}") from None


def _with_zone_column(
    current: exp.Select, outputs: list[OutputColumn], zone: str
) -> tuple[exp.Select, list[OutputColumn]]:
    """dsgrid's results converted to a time zone carry it in a 'time_zone' column, after the
    time column (their times are then wall-clock times without a zone)."""
    names = [o.name for o in outputs]
    at = next(i for i, o in enumerate(outputs) if o.type == "time") + 1
    zone_column = OutputColumn(TIME_ZONE, "time_zone")
    columns = [*outputs[:at], zone_column, *outputs[at:]]
    projections = [col(n, "z") for n in names]
    projections.insert(at, alias(exp.Literal.string(zone), TIME_ZONE))
    return exp.select(*projections).from_(subquery(current, "z")), columns


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


def plan_project_query(context: ProjectContext, query: ProjectQueryConfig) -> Plan:
    result = query.result
    context = with_unit(context, result.unit)
    filters = [
        (f"project.dataset.params.dimension_filters[{i}]", f)
        for i, f in enumerate(query.project.dataset.params.dimension_filters)
    ] + [(f"result.dimension_filters[{i}]", f) for i, f in enumerate(result.dimension_filters)]
    resolved = [(where, resolve_filter(context, f, where)) for where, f in filters]
    check_selection(context, resolved)
    conditions = [cond for _, cond in resolved]
    time_zone = _time_zone(result.time_zone)
    shape = result_shape(context, query, time_zone)
    context, per_dataset = _combined(context, query, shape.function)
    shape = with_metric_units(context, shape, result.unit, bool(result.aggregations))
    tables: dict[str, tuple[str, Any]] = {}
    build = plan_sum if shape.function == "sum" else plan_rows
    current = build(context, shape, conditions, tables, per_dataset)
    outputs = [*shape.columns, OutputColumn(VALUE, "value")]
    if time_zone and shape.time_column is not None:
        current, outputs = _with_zone_column(current, outputs, time_zone)

    if result.replace_ids_with_names:
        current = with_names(current, outputs, tables)
    if result.table_format.format_type == "pivoted":
        current, outputs = pivoted(current, outputs, result)
    tree = ordered_page(current, outputs, result)

    plan = Plan(
        tree=tree,
        tables=tables,
        columns=outputs,
        time_output=shape.time.kind if shape.time else None,
        time_zone=time_zone,
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
