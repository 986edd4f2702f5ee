"""The time column of a result: instants, local wall-clock times, or local periods.

Local periods (hour, day, week, month, year in a time zone) are computed in Python over the
dataset's time dimension (a few thousand instants) and joined to the data as a small table, so
no engine converts time zones row by row and both engines give the same answer by
construction. Where a dataset has no datetime time dimension, the engine converts the
already-aggregated rows instead (through a placeholder node each engine spells its own way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlglot import exp

from dsgrid_core.config.query import DimensionRef
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.filters import TimeCondition
from dsgrid_core.query.planner.sqltree import Rows, data_type

LOCAL_TIME = "__dsgrid_local_time"


def _wallclock(t: datetime) -> datetime:
    return t.replace(tzinfo=None)


def _week(t: datetime) -> datetime:
    return datetime(t.year, t.month, t.day) - timedelta(days=t.weekday())


# dsgrid's time functions: the pyspark.sql.functions of that name applied to the (local) time,
# an integer each; Spark numbers the days of the week 1 (Sunday) to 7 (Saturday) and the
# weeks of the year as ISO 8601 does.
PARTS = {
    "hour": lambda t: t.hour,
    "minute": lambda t: t.minute,
    "second": lambda t: t.second,
    "day": lambda t: t.day,
    "dayofmonth": lambda t: t.day,
    "dayofweek": lambda t: t.isoweekday() % 7 + 1,
    "dayofyear": lambda t: t.timetuple().tm_yday,
    "weekofyear": lambda t: t.isocalendar()[1],
    "month": lambda t: t.month,
    "quarter": lambda t: (t.month - 1) // 3 + 1,
    "year": lambda t: t.year,
}
# Our addition: the local time cut to the start of its period (weeks start on Monday), the
# result's time column then stays a time.
TRUNCATE = {
    None: _wallclock,
    "start_of_hour": lambda t: datetime(t.year, t.month, t.day, t.hour),
    "start_of_day": lambda t: datetime(t.year, t.month, t.day),
    "start_of_week": _week,
    "start_of_month": lambda t: datetime(t.year, t.month, 1),
    "start_of_year": lambda t: datetime(t.year, 1, 1),
}
TIME_FUNCTIONS = (*PARTS, *(f for f in TRUNCATE if f))
# parts the engines compute alike (for datasets without a datetime time dimension)
_ENGINE_PARTS = ("hour", "minute", "second", "dayofmonth", "dayofyear", "month", "quarter", "year")


@dataclass(frozen=True)
class TimeOutput:
    """How the result's time column is made: ``kind`` is "instant" (UTC), "local" (local
    wall-clock times, or the start of their period) or "part" (an integer of the local time,
    dsgrid's time functions: hour of the day, month of the year...)."""

    kind: str
    zone: str | None = None  # IANA zone of local times
    function: str | None = None

    @property
    def local(self) -> bool:
        return self.kind in ("local", "part")

    @property
    def part(self) -> bool:
        return self.kind == "part"


def time_output(ref: DimensionRef | None, time_zone: str | None, default_zone: str) -> TimeOutput:
    """Instants (UTC) unless a time zone or a function is asked for."""
    function = ref.function if ref is not None else None
    if function and function not in TIME_FUNCTIONS:
        hint = " (the start of each week: start_of_week)" if function == "week" else ""
        raise InputError(
            f"time function '{function}' is not one of {', '.join(TIME_FUNCTIONS)}{hint}."
        )
    if time_zone is None and not function:
        return TimeOutput("instant")
    kind = "part" if function in PARTS else "local"
    return TimeOutput(kind, time_zone or default_zone, function)


def bucket_rows(time_config, shift_seconds: int, output: TimeOutput) -> Rows | None:
    """Stored instant -> local time, period start or part, for every instant of a dataset's
    time dimension; None when the dataset's time dimension is not a datetime one."""
    if not isinstance(time_config, DatetimeTimeConfig):
        return None
    zone = ZoneInfo(output.zone or "UTC")
    shift = timedelta(seconds=shift_seconds)
    cut = PARTS[output.function] if output.part else TRUNCATE[output.function]
    rows = [(t, cut((t + shift).astimezone(zone))) for t in time_config.instants()]
    kind = "integer" if output.part else "wallclock"
    return Rows([("instant", "instant"), ("bucket", kind)], rows)


def labelled_bucket_rows(datasets, output: TimeOutput) -> Rows | None:
    """Project-labelled instant (a dataset's stored instant after its shift) -> local time,
    period start or part, over every dataset's instants; None unless every dataset's time is
    a datetime one."""
    if not all(isinstance(ds.time_config, DatetimeTimeConfig) for ds in datasets):
        return None
    zone = ZoneInfo(output.zone or "UTC")
    cut = PARTS[output.function] if output.part else TRUNCATE[output.function]
    labels = set()
    for ds in datasets:
        shift = timedelta(seconds=ds.time_shift_seconds)
        labels.update(t + shift for t in ds.time_config.instants())
    rows = [(t, cut(t.astimezone(zone))) for t in sorted(labels)]
    kind = "integer" if output.part else "wallclock"
    return Rows([("instant", "instant"), ("bucket", kind)], rows)


def local_time(expr: exp.Expression, zone: str) -> exp.Expression:
    """Placeholder for 'this instant as wall-clock time in a zone'; each engine spells it."""
    return exp.Anonymous(this=LOCAL_TIME, expressions=[expr, exp.Literal.string(zone)])


def local_period(expr: exp.Expression, output: TimeOutput) -> exp.Expression:
    """The local time (truncated) of an instant expression, for the engine to compute."""
    local = local_time(expr, output.zone or "UTC")
    if not output.function:
        return local
    if output.part:
        if output.function not in _ENGINE_PARTS and output.function != "day":
            raise InputError(
                f"time function '{output.function}' needs a dataset with datetime time; use "
                f"one of {', '.join(_ENGINE_PARTS)} here."
            )
        name = "dayofmonth" if output.function == "day" else output.function
        # these functions are spelled, and count, the same in DuckDB and Spark SQL
        return exp.Anonymous(this=name, expressions=[local])
    # date_trunc(unit, ts) is spelled the same in DuckDB and Spark SQL
    unit = output.function.removeprefix("start_of_")
    return exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), local])


def localize(tree: exp.Expression, engine) -> exp.Expression:
    """Replace every local-time placeholder with the engine's own function."""

    def swap(node):
        if isinstance(node, exp.Anonymous) and node.name == LOCAL_TIME:
            expr, zone = node.expressions
            return engine.local_time(expr, zone.name)
        return node

    return tree.transform(swap)


def shifted(expr: exp.Expression, seconds: int) -> exp.Expression:
    if not seconds:
        return expr
    interval = exp.Interval(this=exp.Literal.string(str(abs(seconds))), unit=exp.var("SECOND"))
    return (
        exp.Add(this=expr, expression=interval)
        if seconds > 0
        else exp.Sub(this=expr, expression=interval)
    )


def _time_literal(value: datetime) -> exp.Expression:
    return exp.cast(exp.Literal.string(value.strftime("%Y-%m-%d %H:%M:%S")), data_type("timestamp"))


def time_predicate(expr: exp.Expression, cond: TimeCondition) -> exp.Expression:
    parts = []
    for bound, strict, loose, tight in (
        (cond.lower, cond.lower_strict, exp.GTE, exp.GT),
        (cond.upper, cond.upper_strict, exp.LTE, exp.LT),
    ):
        if bound is not None:
            op = tight if strict else loose
            parts.append(op(this=expr.copy(), expression=_time_literal(bound)))
    predicate = exp.and_(*parts) if parts else exp.true()
    return exp.Not(this=exp.Paren(this=predicate)) if cond.negate else predicate
