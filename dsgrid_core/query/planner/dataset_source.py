"""Each dataset's rows as the rest of the plan reads them (alias ``d``): its dimension columns,
``timestamp`` (an instant of the project's time) and ``value``.

A datetime or no-op dataset is its stored table (a datetime one reaches the project's time by
a constant shift, ``context.time_shift_seconds``). A dataset with annual, index or
representative-period time, or datetimes wrapped around the project's span
(``wrap_time_allowed``), is its table joined to its time map (``query.dataset_time``):
every stored row becomes the project instants it stands for, its value times the map's
factor (an annual total spread over the year's steps), its time read in its geography's zone
where the time is local. When the result keeps no time and filters none, the map is summed per
stored key first, so a row is multiplied by its total factor instead of repeated per instant
(sums only: other functions count rows); a dataset without a time map is then read from its
summary over time where its version has one (``data.summaries``). A sum over local periods
may read one of its summaries by local period instead (``period``: ``sum_plan`` decides),
whose rows have a column named by its period (``day``, ``month``) in place of ``timestamp``
(and none of a dimension it is summed over).
"""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.time_dimension import NoOpTimeConfig
from dsgrid_core.data.summaries import PeriodSummary
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import SourceDataset
from dsgrid_core.query.dataset_time import ZONE
from dsgrid_core.query.planner.sqltree import (
    TIME,
    VALUE,
    Rows,
    alias,
    col,
    data_type,
    subquery,
    table,
    times,
)

ROW = "d"


def dataset_source(
    i: int,
    ds: SourceDataset,
    tables: dict,
    *,
    needs_instants: bool = True,
    sums: bool = False,
    period: PeriodSummary | None = None,
) -> exp.Expression:
    """The FROM item (aliased ``d``) of dataset ``i``; registers what it reads in ``tables``.
    ``needs_instants`` false: the caller uses no time column; with ``sums`` too (the caller
    only sums) the time map is summed per stored key. Other functions see a row per project
    instant, as dsgrid maps time before aggregating (the largest hourly value, not the
    largest annual total). ``period``: one of the version's summaries by local period (the
    caller has checked that it answers the sum)."""
    scan = f"ds_{i}"
    if period is not None:
        if period not in ds.period_summaries or ds.time_join is not None or not sums:
            raise ValueError(f"dataset '{ds.dataset_id}': no {period.label} here")
        tables[scan] = ("parquet", str(period.location))
        return table(scan, ROW)
    tables[scan] = ("parquet", str(ds.table_path))
    if needs_instants and isinstance(ds.time_config, NoOpTimeConfig):
        raise InputError(
            f"dataset '{ds.dataset_id}' has no time (its time dimension is no-op: values such "
            "as growth factors that hold at every time); leave time out of the aggregation "
            "(an empty time list) and filter no time."
        )
    join = ds.time_join
    if join is None:
        if sums and not needs_instants and ds.summary_path is not None:
            # the version's rows summed over time (data.summaries): the same sums, fewer rows
            tables[scan] = ("parquet", str(ds.summary_path))
        return table(scan, ROW)
    keys = list(join.key_columns) + ([ZONE] if join.zones is not None else [])
    map_name = f"timemap_{i}"
    summed = sums and not needs_instants
    if not summed:
        columns = [*keys, "instant", "factor"]
        rows = join.rows
    else:
        columns = [*keys, "factor"]
        rows = join.summed()
    # keys: the stored time columns (integers, or datetime instants) and the zone
    types = {ZONE: "string", "instant": "instant", "factor": "double", TIME: "instant"}
    tables[map_name] = ("rows", Rows([(c, types.get(c, "integer")) for c in columns], rows))

    source = exp.select().from_(table(scan, "s"))
    if join.zones is not None:
        zones_name = f"zones_{i}"
        tables[zones_name] = (
            "rows",
            Rows([("from_id", "string"), (ZONE, "string")], sorted(join.zones.items())),
        )
        source = source.join(
            table(zones_name, "z"),
            on=exp.EQ(this=col("geography", "s"), expression=col("from_id", "z")),
        )
    matches = [exp.EQ(this=col(k, "s"), expression=col(k, "m")) for k in join.key_columns]
    if join.zones is not None:
        matches.append(exp.EQ(this=col(ZONE, "z"), expression=col(ZONE, "m")))
    source = source.join(table(map_name, "m"), on=exp.and_(*matches))

    projections = []
    for t in NON_TIME_TYPES:
        if t == "model_year" and join.model_year_from:
            year = exp.cast(col(join.model_year_from, "s"), data_type("text"))
            projections.append(alias(year, t))
        else:
            projections.append(alias(col(t, "s"), t))
    if not summed:
        projections.append(alias(col("instant", "m"), TIME))
    projections.append(alias(times(col(VALUE, "s"), col("factor", "m")), VALUE))
    return subquery(source.select(*projections), ROW)
