"""Project queries with projection source datasets (dsgrid's ProjectionDatasetModel).

dsgrid builds a projection from the two datasets mapped to the project's base dimensions
(``dsgrid/dataset/growth_rates.py``): the initial-value rows of the base year, their model
year dropped, once per model year of the growth-rate dataset (a cross join with its distinct
model years), joined (inner) with the growth-rate rows on every other dimension and, for
``exponential_growth``, value x (1 + rate) ** (CAST(model_year AS INTEGER) - base_year).
``annual_multiplier`` (which dsgrid 0.4.0 names but cannot run: its ``apply_annual_multiplier``
reads a ``value_gr`` column only the exponential path makes) is that function as written:
each initial-value row times the growth dataset's value on every dimension but time, model
year included (``P(t) = P0(t) x r(t)``). The
query's expression and aggregations then apply to those rows as to any dataset's.

Here every source dataset is planned apart in the base dimensions (``chain.isolated``), a
projection as that join of its two datasets' plans (the growth rates without time), and the
expression is evaluated as a tree over them (``chain.evaluated``), then the aggregations: the
same steps as ``chain.plan_expression``. Filters apply to both datasets of a projection, but
model-year filters only to the growth rates (the initial values are at the base year; the
projection's model years are the growth rates'), time filters only to the initial values.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.query.context_types import ProjectContext, Projection
from dsgrid_core.query.expression import Node
from dsgrid_core.query.filters import IdCondition, TimeCondition
from dsgrid_core.query.planner.chain import (
    aggregate_stage,
    chained,
    evaluated,
    isolated,
    stage_shapes,
)
from dsgrid_core.query.planner.metric_units import with_metric_units
from dsgrid_core.query.planner.outputs import Shape, result_shape
from dsgrid_core.query.planner.sqltree import VALUE, alias, col, subquery
from dsgrid_core.query.projection_context import base_model_years
from dsgrid_core.query.units import with_unit


def projected(
    context: ProjectContext,
    projection: Projection,
    base: Shape,
    conditions: list,
    tables: dict,
    prefix: str,
    unit: str | None = None,
) -> exp.Select:
    """The projection's rows in ``base``'s columns (every base dimension and time); with
    ``unit`` (result.unit) the initial values are converted, never the growth rates."""
    multiplier = projection.method == "annual_multiplier"
    if multiplier:
        # each model year's initial values times that year's multiplier: both filtered alike
        initial_conditions = list(conditions)
    else:
        year = str(projection.base_year)
        initial_years = base_model_years(projection.initial)
        model_year = [
            c for c in conditions if isinstance(c, IdCondition) and c.column == "model_year"
        ]
        initial_conditions = [c for c in conditions if not any(c is m for m in model_year)]
        if len(initial_years) > 1:  # dsgrid filters only then (one year is the base year)
            initial_conditions.append(IdCondition("model_year", [year]))
    growth_conditions = [c for c in conditions if not isinstance(c, TimeCondition)]

    initial = with_unit(replace(context, datasets=[projection.initial]), unit).datasets[0]
    growth = projection.growth
    i_leaf = isolated(
        replace(context, datasets=[initial]),
        initial.dataset_id,
        base,
        initial_conditions,
        tables,
        f"{prefix}iv_",
    )
    growth_shape = Shape([c for c in base.columns if c.type != "time"], None, "sum")
    g_leaf = isolated(
        replace(context, datasets=[growth]),
        growth.dataset_id,
        growth_shape,
        growth_conditions,
        tables,
        f"{prefix}gr_",
    )
    joined_on = ("time",) if multiplier else ("time", "model_year")
    keys = [c.name for c in base.columns if c.type not in joined_on]
    on = exp.and_(*[exp.EQ(this=col(k, "i"), expression=col(k, "g")) for k in keys])
    if multiplier:
        factor: exp.Expression = col(VALUE, "g")
    else:
        year_column = next(c.name for c in base.columns if c.type == "model_year")
        exponent = exp.Sub(
            this=exp.cast(col(year_column, "g"), exp.DataType.build("int")),
            expression=exp.Literal.number(projection.base_year),
        )
        rate = exp.Paren(this=exp.Add(this=exp.Literal.number(1), expression=col(VALUE, "g")))
        factor = exp.Pow(this=rate, expression=exp.Paren(this=exponent))
    projections = [
        alias(col(c.name, "g" if c.type == "model_year" else "i"), c.name) for c in base.columns
    ]
    projections.append(alias(exp.Mul(this=col(VALUE, "i"), expression=factor), VALUE))
    select = exp.select(*projections).from_(subquery(i_leaf, "i"))
    return select.join(subquery(g_leaf, "g"), on=on if keys else exp.true(), join_type="inner")


def plan_with_projections(
    context: ProjectContext,
    query: ProjectQueryConfig,
    node: Node,
    conditions: list,
    tables: dict,
    time_zone: str | None,
) -> tuple[exp.Select, Shape]:
    """The query's result when a source dataset is a projection: the tree and its shape."""
    result = query.result
    unit = result.unit
    text = query.project.dataset.expression or ""
    first = with_metric_units(context, result_shape(context, query, time_zone), unit, True)
    stages = stage_shapes(context, query, time_zone)
    final = stages[-1] if stages else first
    base_query = query.model_copy(update={"result": result.model_copy(update={"aggregations": []})})
    base = result_shape(context, base_query, None)
    reshaped = base.columns != first.columns or base.time != first.time
    leaves = {}
    for j, dataset_id in enumerate(node.dataset_ids()):
        prefix = f"e{j}_"
        if dataset_id in context.projections:
            projection = context.projections[dataset_id]
            leaves[dataset_id] = projected(
                context, projection, base, conditions, tables, prefix, unit
            )
        else:
            leaves[dataset_id] = isolated(context, dataset_id, base, conditions, tables, prefix)
    where = "result.aggregations[0]" if result.aggregations else "result"
    if result.aggregate_each_dataset and result.aggregations:
        # dsgrid: each dataset through every aggregation, then the expression
        for j, (dataset_id, leaf) in enumerate(leaves.items()):
            if reshaped:
                leaf = aggregate_stage(
                    leaf, base, first, tables, f"e{j}_s0", where, "the dataset's rows", unit
                )
            leaves[dataset_id] = chained(leaf, first, stages, tables, f"e{j}_s", unit)
        return evaluated(node, leaves, [c.name for c in final.columns], text), final
    current = evaluated(node, leaves, [c.name for c in base.columns], text)
    if reshaped:
        current = aggregate_stage(
            current, base, first, tables, "s0", where, "the expression's rows", unit
        )
    return chained(current, first, stages, tables, "s", unit), final
