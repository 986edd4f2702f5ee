"""Which columns a query's result has: the aggregation read against the project's dimensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.query import DimensionRef, ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context import ProjectContext, SupplementalInfo
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
    def time_column(self) -> OutputColumn | None:
        return next((c for c in self.columns if c.type == "time"), None)


def result_shape(
    context: ProjectContext, query: ProjectQueryConfig, time_zone: str | None
) -> Shape:
    aggregation = query.result.aggregations[0] if query.result.aggregations else None
    if aggregation is None:
        columns = [OutputColumn(t, t, context.base[t]) for t in NON_TIME_TYPES]
        columns.append(OutputColumn(TIME, "time"))
        return Shape(columns, time_output(None, time_zone, context.time_zone), "sum")
    columns: list[OutputColumn] = []
    time = None
    for dim_type, names in aggregation.dimensions.items():
        t = dim_type.value
        if not names:
            continue
        if len(names) > 1:
            raise InputError(f"result.aggregations: give one {t} dimension (got {len(names)}).")
        ref = (
            names[0]
            if isinstance(names[0], DimensionRef)
            else DimensionRef(dimension_name=names[0])
        )
        if t == "time":
            project_time = context.base["time"]
            if ref.dimension_name not in (project_time.name, project_time.id, "time"):
                raise InputError(
                    f"result.aggregations: the project's time dimension is "
                    f"'{project_time.name}', not '{ref.dimension_name}'."
                )
            time = time_output(ref, time_zone, context.time_zone)
            # dsgrid names a function's column "<function>__<dimension name>"
            default = f"{ref.function}__{ref.dimension_name}" if time.part else TIME
            columns.append(OutputColumn(ref.alias or default, "time"))
            continue
        info, supp = context.dimension(t, ref.dimension_name)
        columns.append(OutputColumn(ref.alias or t, t, info, supp))
    return Shape(columns, time, aggregation.aggregation_function)
