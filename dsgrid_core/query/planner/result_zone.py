"""The result's ``time_zone``: one zone by name, or dsgrid's ``"geography"`` (each row's time
read on the clock of its own geography record's zone). Either way, as in dsgrid, the times are
then wall-clock times without a zone, named in a ``time_zone`` column after the time column.

For "geography", the conversion follows the aggregation: the result's geography column gives each
row its zone (the ``time_zone`` of that record), and its instants become that zone's local
wall-clock times. The local times are computed in Python for every (zone, instant) the result
can hold, and joined as a small table, so every engine gives the same answer.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlglot import exp

from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.config.time_zones import to_iana_time_zone
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.planner.outputs import OutputColumn
from dsgrid_core.query.planner.sqltree import Rows, alias, col, subquery, table

GEOGRAPHY = "geography"
TIME_ZONE = "time_zone"
WHERE = "result.time_zone"
BY_GEOGRAPHY = "geography"  # the value of result.time_zone that asks for each row's own zone


def parse_zone(value: str | None) -> str | None:
    """The IANA zone a result's time is converted to; None for none (or "geography")."""
    if not value or value == BY_GEOGRAPHY:
        return None
    try:
        return to_iana_time_zone(value)
    except ValueError as exc:
        raise InputError(f"{WHERE}: {exc}") from None


def with_zone_column(
    current: exp.Select, outputs: list[OutputColumn], zone: str
) -> tuple[exp.Select, list[OutputColumn]]:
    """A result converted to one zone carries it in a 'time_zone' column after the time."""
    names = [o.name for o in outputs]
    at = next(i for i, o in enumerate(outputs) if o.type == "time") + 1
    columns = [*outputs[:at], OutputColumn(TIME_ZONE, TIME_ZONE), *outputs[at:]]
    projections: list[exp.Expression] = [col(n, "z") for n in names]
    projections.insert(at, alias(exp.Literal.string(zone), TIME_ZONE))
    return exp.select(*projections).from_(subquery(current, "z")), columns


def _geography_column(outputs: list[OutputColumn]) -> OutputColumn:
    found = [o for o in outputs if o.type == GEOGRAPHY]
    if len(found) != 1:
        raise InputError(
            f"{WHERE} 'geography' reads each row's time in its geography's zone, so the result "
            "needs one geography column (a geography dimension in the aggregation); add one, "
            "or give a time zone by name."
        )
    return found[0]


def _zones(column: OutputColumn) -> dict[str, str]:
    records = column.dimension.records
    zones = {r["id"]: r.get("time_zone") for r in records}
    missing = sorted(i for i, z in zones.items() if not z)
    if missing:
        raise InputError(
            f"{WHERE} 'geography': the records of '{column.dimension.name}' give no time_zone "
            f"(e.g. '{missing[0]}'); aggregate by a geography whose records name their zones "
            "(the project's base geography), or give a time zone by name."
        )
    return {i: to_iana_time_zone(z, notify=False) for i, z in zones.items()}


def _labels(context: ProjectContext) -> list:
    """Every project-labelled instant the result's time column can hold."""
    labels = set()
    for ds in context.datasets:
        if not isinstance(ds.time_config, DatetimeTimeConfig):
            continue
        shift = timedelta(seconds=ds.time_shift_seconds)
        labels.update(t + shift for t in ds.time_config.instants())
    return sorted(labels)


def by_geography(
    current: exp.Select,
    outputs: list[OutputColumn],
    context: ProjectContext,
    tables: dict,
    time_kind: str | None,
) -> tuple[exp.Select, list[OutputColumn]]:
    """The result with its time column on each row's local clock and a ``time_zone`` column
    after it."""
    time = next((o for o in outputs if o.type == "time"), None)
    if time is None:
        raise InputError(
            f"{WHERE} 'geography' converts the result's times, but the result has no time "
            "column; keep the time dimension in the aggregation, or remove time_zone."
        )
    if time_kind != "instant":
        raise InputError(
            f"{WHERE} 'geography' converts the result's timestamps after aggregating (as "
            "dsgrid does); with a time function they are no longer timestamps. Leave the "
            "function out, or give a time zone by name."
        )
    geography = _geography_column(outputs)
    zones = _zones(geography)
    tables["geo_zones"] = (
        "rows",
        Rows([("id", "string"), (TIME_ZONE, "string")], sorted(zones.items())),
    )
    labels = _labels(context)
    clock = [
        (name, t, t.astimezone(ZoneInfo(name)).replace(tzinfo=None))
        for name in sorted(set(zones.values()))
        for t in labels
    ]
    tables["geo_clock"] = (
        "rows",
        Rows([(TIME_ZONE, "string"), ("instant", "instant"), ("local", "wallclock")], clock),
    )
    projections: list[exp.Expression] = []
    columns: list[OutputColumn] = []
    for o in outputs:
        if o.type == "time":
            projections.append(alias(col("local", "c"), o.name))
            projections.append(alias(col(TIME_ZONE, "z"), TIME_ZONE))
            columns += [o, OutputColumn(TIME_ZONE, TIME_ZONE)]
        else:
            projections.append(col(o.name, "r"))
            columns.append(o)
    select = (
        exp.select(*projections)
        .from_(subquery(current, "r"))
        .join(
            table("geo_zones", "z"),
            on=exp.EQ(this=col(geography.name, "r"), expression=col("id", "z")),
        )
        .join(
            table("geo_clock", "c"),
            on=exp.and_(
                exp.EQ(this=col(TIME_ZONE, "z"), expression=col(TIME_ZONE, "c")),
                exp.EQ(this=col(time.name, "r"), expression=col("instant", "c")),
            ),
        )
    )
    return select, columns
