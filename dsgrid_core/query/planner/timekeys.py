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

TIME_FUNCTIONS = ("hour", "day", "week", "month", "year")
LOCAL_TIME = "__dsgrid_local_time"
BUCKET_COLUMNS = [("instant", "instant"), ("bucket", "wallclock")]


@dataclass(frozen=True)
class TimeOutput:
    """How the result's time column is made: ``kind`` is "instant" (UTC) or "local"."""

    kind: str
    zone: str | None = None  # IANA zone of local times
    function: str | None = None  # truncation of local times

    @property
    def local(self) -> bool:
        return self.kind == "local"


def time_output(ref: DimensionRef | None, time_zone: str | None, default_zone: str) -> TimeOutput:
    """Instants (UTC) unless a time zone or a resolution is asked for."""
    function = ref.function if ref is not None else None
    if function and function not in TIME_FUNCTIONS:
        raise InputError(f"time function '{function}' is not one of {', '.join(TIME_FUNCTIONS)}.")
    if time_zone is None and not function:
        return TimeOutput("instant")
    return TimeOutput("local", time_zone or default_zone, function)


def _wallclock(t: datetime) -> datetime:
    return t.replace(tzinfo=None)


def _week(t: datetime) -> datetime:
    return datetime(t.year, t.month, t.day) - timedelta(days=t.weekday())


# Local time -> naive start of its period, like SQL date_trunc (weeks start on Monday).
TRUNCATE = {
    None: _wallclock,
    "hour": lambda t: datetime(t.year, t.month, t.day, t.hour),
    "day": lambda t: datetime(t.year, t.month, t.day),
    "week": _week,
    "month": lambda t: datetime(t.year, t.month, 1),
    "year": lambda t: datetime(t.year, 1, 1),
}


def bucket_rows(time_config, shift_seconds: int, output: TimeOutput) -> Rows | None:
    """Stored instant -> local period, for every instant of a dataset's time dimension; None
    when the dataset's time dimension is not a datetime one."""
    if not isinstance(time_config, DatetimeTimeConfig):
        return None
    zone = ZoneInfo(output.zone or "UTC")
    shift = timedelta(seconds=shift_seconds)
    cut = TRUNCATE[output.function]
    rows = [(t, cut((t + shift).astimezone(zone))) for t in time_config.instants()]
    return Rows(BUCKET_COLUMNS, rows)


def local_time(expr: exp.Expression, zone: str) -> exp.Expression:
    """Placeholder for 'this instant as wall-clock time in a zone'; each engine spells it."""
    return exp.Anonymous(this=LOCAL_TIME, expressions=[expr, exp.Literal.string(zone)])


def local_period(expr: exp.Expression, output: TimeOutput) -> exp.Expression:
    """The local time (truncated) of an instant expression, for the engine to compute."""
    local = local_time(expr, output.zone or "UTC")
    if not output.function:
        return local
    # date_trunc(unit, ts) is spelled the same in DuckDB and Spark SQL
    return exp.Anonymous(
        this="date_trunc", expressions=[exp.Literal.string(output.function), local]
    )


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
