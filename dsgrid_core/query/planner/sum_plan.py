"""Summed results: every dataset's mappings composed into one small table per dimension (see
``treatments``), and rows aggregated before they are multiplied out when that shrinks them.

Per dataset::

    [stage A, when it pays]  SELECT kept raw columns, time key, SUM(value * factors)
                             FROM data JOIN factor tables [LEFT JOIN time buckets]
                             WHERE filters GROUP BY kept raw columns, time key
    stage B                  SELECT output ids (map tables' to_id), time key,
                             value * fractions FROM (stage A | data) JOIN map tables

then UNION ALL over datasets and one GROUP BY. A project whose datasets expand one stored row
into many (model-year and scenario multipliers, many-to-many geography) no longer pays for the
expansion row by row.
"""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext, SourceDataset
from dsgrid_core.query.filters import IdCondition, TimeCondition
from dsgrid_core.query.planner.dataset_source import dataset_source
from dsgrid_core.query.planner.outputs import Shape
from dsgrid_core.query.planner.sqltree import (
    TIME,
    VALUE,
    alias,
    col,
    factor_rows,
    in_ids,
    mapping_rows,
    subquery,
    table,
    times,
)
from dsgrid_core.query.planner.time_buckets import TimeBuckets
from dsgrid_core.query.planner.timekeys import (
    local_period,
    shifted,
    time_predicate,
)
from dsgrid_core.query.planner.treatments import Treatment, treatments

TIME_KEY = "__time"
DATASET_TAG = "__dataset"  # which dataset a row comes from (aggregate_each_dataset)
# Aggregate before mapping when that leaves at most this share of the stored rows.
PREAGGREGATE_SHARE = 1 / 8


def selected_ids(conditions) -> dict[str, set[str]]:
    """Base ids allowed per dimension type: the intersection of every filter on that type."""
    selected: dict[str, set[str]] = {}
    for cond in conditions:
        if isinstance(cond, IdCondition):
            ids = set(cond.ids)
            selected[cond.column] = selected[cond.column] & ids if cond.column in selected else ids
    return selected


def _uses_buckets(context: ProjectContext, shape: Shape) -> bool:
    return (
        shape.time is not None
        and shape.time.local
        and all(isinstance(ds.time_config, DatetimeTimeConfig) for ds in context.datasets)
    )


def _time_key_count(ds: SourceDataset, bucket) -> int | None:
    if bucket is not None:
        return len({b for _, b in bucket.rows})
    if isinstance(ds.time_config, DatetimeTimeConfig):
        return len(ds.time_config.local_timestamps())
    return None


def _worth_preaggregating(ds: SourceDataset, kept: list[Treatment], time_keys: int | None) -> bool:
    if not ds.row_count or time_keys is None:
        return False
    groups = time_keys
    for tr in kept:
        groups *= max(tr.cardinality, 1)
    return groups <= ds.row_count * PREAGGREGATE_SHARE


def _dataset_rows(
    i: int,
    ds: SourceDataset,
    shape: Shape,
    selected: dict[str, set[str]],
    time_conditions: list[TimeCondition],
    buckets: TimeBuckets | None,
    tables: dict,
) -> exp.Select:
    """One dataset in the result's columns (not yet summed across datasets); ``buckets``: the
    plan's time buckets, where the result's periods are local ones."""
    kept_types = {c.type: c.supplemental for c in shape.columns if c.type != "time"}
    plans = treatments(ds, kept_types, selected, NON_TIME_TYPES)
    instants = shape.time is not None or bool(time_conditions)
    bucket_name = bucket = summary = None
    if shape.time is not None and buckets is not None:
        bucket = buckets.bucket(ds)[1]
        summary = buckets.summary(ds, time_conditions, plans)
        if summary is None:
            bucket_name = buckets.read_through_bucket(ds)
    period = summary[0] if summary else None
    source = exp.select().from_(
        dataset_source(i, ds, tables, needs_instants=instants, sums=True, period=period)
    )
    value: exp.Expression = col(VALUE, "d")
    if ds.weight != 1.0:
        value = times(value, ds.weight)
    where: list[exp.Expression] = []
    kept: list[Treatment] = []
    columns: dict[str, exp.Expression] = {}
    for tr in plans:
        if tr.kind == "none":
            # Nothing of this dataset survives the filters (another dataset's rows may): no
            # rows, but a column of the right type for the UNION ALL with the others.
            where.append(exp.false())
            columns[tr.type] = exp.cast(exp.null(), exp.DataType.build("text"))
            continue
        if tr.keep_ids is not None:
            where.append(in_ids(col(tr.type, "d"), sorted(tr.keep_ids)))
        if tr.kind == "scale":
            value = times(value, tr.constant)
        elif tr.kind == "factor":
            name, f = f"factor_{i}_{tr.type}", f"f_{tr.type}"
            tables[name] = ("rows", factor_rows(tr.factors))
            source = source.join(
                table(name, f), on=exp.EQ(this=col(tr.type, "d"), expression=col("from_id", f))
            )
            value = times(value, col("factor", f))
        else:
            kept.append(tr)
    stored_time = shifted(col(TIME, "d"), ds.time_shift_seconds)
    where += [time_predicate(stored_time, cond) for cond in time_conditions]

    time_key = None
    if summary is not None:  # a summary by local period, each of its periods in one of ours
        period, name = summary[0].period, summary[1]
        source = source.join(
            table(name, "tb"), on=exp.EQ(this=col(period, "d"), expression=col(period, "tb"))
        )
        time_key = col("bucket", "tb")
    elif bucket_name is not None:
        source = source.join(
            table(bucket_name, "tb"),
            on=exp.EQ(this=col(TIME, "d"), expression=col("instant", "tb")),
            join_type="left",
        )
        time_key = col("bucket", "tb")
    elif shape.time is not None:
        time_key = stored_time

    time_keys = _time_key_count(ds, bucket) if time_key is not None else 1
    nothing = any(tr.kind == "none" for tr in plans)  # (an aggregate of no rows is a row)
    if not nothing and _worth_preaggregating(ds, kept, time_keys):
        keys = [alias(col(tr.type, "d"), tr.type) for tr in kept]
        if time_key is not None:
            keys.append(alias(time_key, TIME_KEY))
        stage = source.select(*keys, alias(exp.Sum(this=value), VALUE))
        if where:
            stage = stage.where(exp.and_(*where))
        if keys:
            stage = stage.group_by(*[k.this.copy() for k in keys])
        source, row, where = exp.select().from_(subquery(stage, "a")), "a", []
        value, time_key = col(VALUE, "a"), (col(TIME_KEY, "a") if time_key is not None else None)
    else:
        row = "d"

    for tr in kept:
        if tr.kind == "map":
            name, m = f"map_{i}_{tr.type}", f"m_{tr.type}"
            tables[name] = ("rows", mapping_rows(tr.rows))
            source = source.join(
                table(name, m), on=exp.EQ(this=col(tr.type, row), expression=col("from_id", m))
            )
            if any(x != 1.0 for _, _, x in tr.rows):
                value = times(value, col("fraction", m))
            columns[tr.type] = col("to_id", m)
        else:
            columns[tr.type] = col(tr.type, row)
    projections = []
    for c in shape.columns:
        expr = time_key if c.type == "time" else columns[c.type]
        projections.append(alias(expr.copy(), c.name))
    projections.append(alias(value, VALUE))
    projections.append(alias(exp.Literal.number(i), DATASET_TAG))
    rows = source.select(*projections)
    if where:
        rows = rows.where(exp.and_(*where))
    return rows


def plan_sum(
    context: ProjectContext,
    shape: Shape,
    conditions: list,
    tables: dict,
    per_dataset: bool = False,
) -> exp.Select:
    """The summed result, columns ``shape.columns`` then ``value``; with ``per_dataset``
    (dsgrid's aggregate_each_dataset over a union) each dataset's rows are summed apart, so a
    combination of columns may have a row per dataset."""
    if shape.repeated_types:  # each type is composed into one column here
        raise InputError(
            "several columns of one dimension type are added row by row (row_plan), not here"
        )
    selected = selected_ids(conditions)
    time_conditions = [c for c in conditions if isinstance(c, TimeCondition)]
    use_buckets = _uses_buckets(context, shape)
    buckets = TimeBuckets(shape, tables) if use_buckets else None
    parts = [
        _dataset_rows(i, ds, shape, selected, time_conditions, buckets, tables)
        for i, ds in enumerate(context.datasets)
    ]
    union: exp.Expression = parts[0]
    for other in parts[1:]:
        union = exp.union(union, other, distinct=False)
    names = [c.name for c in shape.columns]
    keys = [*names, DATASET_TAG] if per_dataset else names
    total = exp.select(*[col(n, "u") for n in keys], alias(exp.Sum(this=col(VALUE, "u")), VALUE))
    total = total.from_(subquery(union, "u"))
    if keys:
        total = total.group_by(*[col(n, "u") for n in keys])
    if shape.time is None or not shape.time.local or use_buckets:
        return _without_tag(total, names) if per_dataset else total
    # No time buckets (a dataset without a datetime time dimension): sum on instants, then
    # convert the far fewer summed rows to local time and sum again.
    time_name = shape.time_column.name
    converted = [
        local_period(col(n, "s"), shape.time) if n == time_name else col(n, "s") for n in keys
    ]
    again = (
        exp.select(
            *[alias(e, n) for e, n in zip(converted, keys, strict=True)],
            alias(exp.Sum(this=col(VALUE, "s")), VALUE),
        )
        .from_(subquery(total, "s"))
        .group_by(*[e.copy() for e in converted])
    )
    return _without_tag(again, names) if per_dataset else again


def _without_tag(select: exp.Select, names: list[str]) -> exp.Select:
    return exp.select(*[col(n, "t") for n in names], col(VALUE, "t")).from_(subquery(select, "t"))
