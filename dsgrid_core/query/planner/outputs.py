"""Which columns a query's result has: the aggregation read against the project's dimensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.query import DimensionRef, ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext, SupplementalInfo
from dsgrid_core.query.planner.sqltree import TIME
from dsgrid_core.query.planner.timekeys import TimeOutput, time_output


@dataclass
class OutputColumn:
    name: str
    type: str  # dimension type, "time" or "value"
    dimension: Any = None  # DimensionInfo, for names and pivots
    supplemental: SupplementalInfo | None = None  # set when the column is a supplemental one


@dataclass
class Shape:
    columns: list[OutputColumn]  # in the order asked for, without the value column
    time: TimeOutput | None
    function: str  # sum, mean, min, max, count

    @property
    def dimensions(self) -> dict[str, OutputColumn]:
        return {c.type: c for c in self.columns if c.type != "time"}

    @property
    def repeated_types(self) -> set[str]:
        """Dimension types with more than one column (county and state)."""
        types = [c.type for c in self.columns]
        return {t for t in types if types.count(t) > 1}

    @property
    def time_column(self) -> OutputColumn | None:
        return next((c for c in self.columns if c.type == "time"), None)


def _time_name(ref: DimensionRef, time, name: str, by_name: bool) -> str:
    """dsgrid's time column: a function's is "<function>__<time dimension name>"; otherwise
    the time dimension's name, or 'timestamp' when columns are named by type."""
    if ref.function and (time.part or by_name):
        return f"{ref.function}__{name}"
    return name if by_name else TIME


def result_shape(
    context: ProjectContext, query: ProjectQueryConfig, time_zone: str | None
) -> Shape:
    """The columns of the query's first aggregation (all the base dimensions without one)."""
    by_name = query.result.column_type == "dimension_names"
    aggregation = query.result.aggregations[0] if query.result.aggregations else None
    if aggregation is None:
        columns = [
            OutputColumn(context.base[t].name if by_name else t, t, context.base[t])
            for t in NON_TIME_TYPES
        ]
        columns.append(OutputColumn(context.base["time"].name if by_name else TIME, "time"))
        return Shape(columns, time_output(None, time_zone, context.time_zone), "sum")
    return aggregation_shape(context, aggregation, by_name, time_zone)


def aggregation_shape(
    context: ProjectContext,
    aggregation,
    by_name: bool,
    time_zone: str | None,
    where: str = "result.aggregations",
) -> Shape:
    """The columns one aggregation keeps (``where`` names it in messages)."""
    columns: list[OutputColumn] = []
    time = None
    for dim_type, names in aggregation.dimensions.items():
        t = dim_type.value
        if not names:
            continue
        if len(names) > 1:
            columns += _several_of_one_type(context, t, names, by_name, where)
            continue
        ref = (
            names[0]
            if isinstance(names[0], DimensionRef)
            else DimensionRef(dimension_name=names[0])
        )
        if t == "time":
            project_time = context.base["time"]
            if ref.dimension_name not in (project_time.name, project_time.id, "time"):
                raise InputError(
                    f"{where}: the project's time dimension is "
                    f"'{project_time.name}', not '{ref.dimension_name}'."
                )
            time = time_output(ref, time_zone, context.time_zone)
            name = _time_name(ref, time, project_time.name, by_name)
            columns.append(OutputColumn(ref.alias or name, "time"))
            continue
        info, supp = context.dimension(t, ref.dimension_name)
        columns.append(OutputColumn(ref.alias or (info.name if by_name else t), t, info, supp))
    return Shape(columns, time, aggregation.aggregation_function)


def _several_of_one_type(
    context: ProjectContext, t: str, names: list, by_name: bool, where: str
) -> list[OutputColumn]:
    """dsgrid's added columns: more than one dimension of a type (county and its state), each
    made from the base column through the base -> supplemental mapping (rows x fraction)."""
    if t in ("time", "metric"):
        raise InputError(f"{where}: give one {t} dimension (got {len(names)}).")
    if not by_name:
        raise InputError(
            f"{where}: {len(names)} {t} dimensions would all be named '{t}' with column_type "
            "dimension_types; use column_type dimension_names (dsgrid's default)."
        )
    columns = []
    for name in names:
        ref = name if isinstance(name, DimensionRef) else DimensionRef(dimension_name=name)
        if ref.function:
            raise InputError(
                f"{where}: a function on the {t} dimension '{ref.dimension_name}' is not "
                "supported (dsgrid refuses it on added columns too)."
            )
        info, supp = context.dimension(t, ref.dimension_name)
        columns.append(OutputColumn(ref.alias or info.name, t, info, supp))
    taken = [c.name for c in columns]
    if len(set(taken)) != len(taken):
        raise InputError(f"{where}: the {t} dimensions listed repeat one ({', '.join(taken)}).")
    return columns
