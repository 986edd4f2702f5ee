"""Means, minima, maxima and counts: mappings applied row by row, exactly as dsgrid does.

Stages: scan each dataset -> join its mappings to the project's base dimensions (value x
fraction) -> UNION ALL -> join base -> supplemental mappings -> aggregate. Unlike sums, these
depend on how many rows each mapping makes, so nothing is composed in advance.
"""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.filters import IdCondition
from dsgrid_core.query.planner.dataset_source import dataset_source
from dsgrid_core.query.planner.outputs import Shape
from dsgrid_core.query.planner.sqltree import (
    TIME,
    VALUE,
    alias,
    col,
    in_ids,
    mapping_rows,
    subquery,
    table,
)
from dsgrid_core.query.planner.timekeys import (
    labelled_bucket_rows,
    local_period,
    shifted,
    time_predicate,
)

DATASET_TAG = "__dataset"  # which dataset a row comes from (aggregate_each_dataset)
FUNCTIONS = {"sum": exp.Sum, "mean": exp.Avg, "min": exp.Min, "max": exp.Max, "count": exp.Count}


def _dataset_select(i: int, ds, tables: dict, conditions: list, instants: bool) -> exp.Select:
    """Scan one dataset and express it in the project's base dimensions."""
    select = exp.select().from_(dataset_source(i, ds, tables, needs_instants=instants))
    value: exp.Expression = col(VALUE, "d")
    projections = []
    for t in NON_TIME_TYPES:
        if t in ds.mappings:
            name, m = f"map_{i}_{t}", f"m_{t}"
            tables[name] = ("rows", mapping_rows(ds.mappings[t]))
            select = select.join(
                table(name, m), on=exp.EQ(this=col(t, "d"), expression=col("from_id", m))
            )
            projections.append(alias(col("to_id", m), t))
            value = exp.Mul(this=value, expression=col("fraction", m))
        else:
            projections.append(alias(col(t, "d"), t))
    stored_time = shifted(col(TIME, "d"), ds.time_shift_seconds)
    if instants:
        projections.append(alias(stored_time, TIME))
    projections.append(alias(value, VALUE))
    projections.append(alias(exp.Literal.number(i), DATASET_TAG))
    select = select.select(*projections)
    # Filters on base ids: applied on the mapped columns, so they mean project records.
    where = []
    for cond in conditions:
        if isinstance(cond, IdCondition):
            expr = projections[NON_TIME_TYPES.index(cond.column)].this
            where.append(in_ids(expr.copy(), cond.ids))
        else:
            where.append(time_predicate(stored_time.copy(), cond))
    if where:
        select = select.where(exp.and_(*where))
    return select


def plan_rows(
    context: ProjectContext,
    shape: Shape,
    conditions: list,
    tables: dict,
    per_dataset: bool = False,
) -> exp.Select:
    """The aggregated result, columns ``shape.columns`` then ``value``; with ``per_dataset``
    (aggregate_each_dataset over a union) each dataset's rows are aggregated apart."""
    instants = shape.time is not None or any(not isinstance(c, IdCondition) for c in conditions)
    selects = [
        _dataset_select(i, ds, tables, conditions, instants)
        for i, ds in enumerate(context.datasets)
    ]
    union: exp.Expression = selects[0]
    for other in selects[1:]:
        union = exp.union(union, other, distinct=False)
    select = exp.select().from_(subquery(union, "u"))
    local = shape.time is not None and shape.time.local
    value: exp.Expression = col(VALUE, "u")
    group: list[exp.Expression] = []
    buckets = labelled_bucket_rows(context.datasets, shape.time) if local else None
    if buckets is not None:
        # local times and parts from a table computed in Python (every time function; the
        # same answer on every engine), as the summed plan does
        tables["time_rows"] = ("rows", buckets)
        select = select.join(
            table("time_rows", "tb"),
            on=exp.EQ(this=col(TIME, "u"), expression=col("instant", "tb")),
        )
    for k, c in enumerate(shape.columns):
        if c.type == "time":
            source = col(TIME, "u")
            if buckets is not None:
                group.append(col("bucket", "tb"))
            else:
                group.append(local_period(source, shape.time) if local else source)
            continue
        if c.supplemental is None:
            group.append(col(c.type, "u"))
            continue
        # one join per column: a type may have several (county and its state)
        m, name = f"s_{k}", f"supp_{c.type}_{c.supplemental.dimension.id}"
        tables[name] = (
            "rows",
            mapping_rows([r for r in c.supplemental.mapping if r[1] is not None]),
        )
        select = select.join(
            table(name, m), on=exp.EQ(this=col(c.type, "u"), expression=col("from_id", m))
        )
        group.append(col("to_id", m))
        value = exp.Mul(this=value, expression=col("fraction", m))
    projections = [alias(g.copy(), c.name) for g, c in zip(group, shape.columns, strict=True)]
    projections.append(alias(FUNCTIONS[shape.function](this=value), VALUE))
    select = select.select(*projections)
    if per_dataset:
        group.append(col(DATASET_TAG, "u"))
    if group:
        select = select.group_by(*[g.copy() for g in group])
    return select
