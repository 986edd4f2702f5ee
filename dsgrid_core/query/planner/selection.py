"""Refusing filters that together select nothing.

Each filter is checked on its own when it is resolved (``filters.resolve_filter``); here the
filters of a query are checked together and against what its datasets hold: filters on one
dimension with no record in common, records no dataset of the query has data for, a time range
outside every dataset's timestamps. Such a query is certain to be empty, which is almost always
a mistake (a typo in a value, the wrong dimension or year), so it is refused with the filters
named, as dsgrid refuses a dataset filter that "produced empty records". The planner could not
plan it either: a dimension the result keeps would have no column to come from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.filters import IdCondition, TimeCondition
from dsgrid_core.query.planner.treatments import _dataset_paths

# Datasets in each geography's own time zone (LOCAL) store instants up to this far from their
# clock times read as UTC: a time filter is refused only when it misses them by more.
LOCAL_SLACK = timedelta(hours=14)


def _some(values, shown: int = 5) -> str:
    values = sorted(values)
    head = ", ".join(str(v) for v in values[:shown])
    return head if len(values) <= shown else f"{head}, ... ({len(values)} in all)"


def _held(context, t: str) -> set[str] | None:
    """Base ids of ``t`` that some dataset of the query has data for (None: not known)."""
    held: set[str] = set()
    for ds in context.datasets:
        if t not in ds.mappings and t not in ds.record_ids:
            return None
        held |= {b for _, b, _ in _dataset_paths(ds, t)}
    return held


def check_selection(context, resolved: list[tuple[str, IdCondition | TimeCondition]]) -> None:
    """Raise InputError when the filters (``where`` -> resolved condition) leave nothing."""
    by_type: dict[str, tuple[set[str], list[str]]] = {}
    for where, cond in resolved:
        if not isinstance(cond, IdCondition):
            continue
        t, ids = cond.column, set(cond.ids)
        if t not in by_type:
            by_type[t] = (ids, [where])
            continue
        before, wheres = by_type[t]
        if not before & ids:
            raise InputError(
                f"{where}: this filter and {' and '.join(wheres)} select no record of dimension "
                f"{t} together: each selects some records of '{context.base[t].name}', but none "
                f"in common (this one: {_some(ids)}; the other: {_some(before)}). A query with "
                "these filters would be empty."
            )
        by_type[t] = (before & ids, [*wheres, where])
    datasets = ", ".join(ds.dataset_id for ds in context.datasets)
    for t, (ids, wheres) in by_type.items():
        held = _held(context, t)
        if held is not None and not ids & held:
            raise InputError(
                f"{' and '.join(wheres)}: the filter selects {t} records {_some(ids)}, but no "
                f"dataset the query reads ({datasets}) has data for them; they have records "
                f"like {_some(held)}. A query with this filter would be empty."
            )
    for where, cond in resolved:
        if isinstance(cond, TimeCondition) and _misses_every_dataset(context, cond):
            spans = "; ".join(
                f"{ds.dataset_id}: {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} UTC"
                for ds, (lo, hi) in _spans(context)
            )
            raise InputError(
                f"{where}: the time filter selects no timestamp of the data ({spans}). A query "
                "with this filter would be empty: change its bounds."
            )


def _spans(context) -> list:
    """(dataset, (first, last)) for the datasets whose time range is known."""
    out = []
    for ds in context.datasets:
        span = _span(ds)
        if span is not None:
            out.append((ds, span))
    return out


def _span(ds) -> tuple[datetime, datetime] | None:
    """The first and last stored instants of a dataset, as the plan compares them (shifted to
    the project's convention), or None when its time is not a datetime range."""
    config = ds.time_config
    if not isinstance(config, DatetimeTimeConfig) or not config.ranges:
        return None
    zone_name = config.time_zone
    local = zone_name in ("LOCAL", "NONE")
    zone = ZoneInfo("UTC" if local else zone_name)
    bounds = []
    for rng in config.ranges:
        fmt = rng.str_format or config.str_format
        for text in (rng.start, rng.end):
            bounds.append(datetime.strptime(text, fmt).replace(tzinfo=zone).astimezone(UTC))
    shift = timedelta(seconds=ds.time_shift_seconds)
    slack = LOCAL_SLACK if local else timedelta(0)
    return min(bounds) + shift - slack, max(bounds) + shift + slack


def _misses(cond: TimeCondition, first: datetime, last: datetime) -> bool:
    """Whether no instant in [first, last] passes ``cond`` (bounds to the second, as in SQL)."""
    lower = cond.lower.replace(microsecond=0) if cond.lower is not None else None
    upper = cond.upper.replace(microsecond=0) if cond.upper is not None else None
    if not cond.negate:
        below = upper is not None and (upper < first or (cond.upper_strict and upper == first))
        above = lower is not None and (lower > last or (cond.lower_strict and lower == last))
        return below or above
    covers_first = lower is None or lower < first or (not cond.lower_strict and lower == first)
    covers_last = upper is None or upper > last or (not cond.upper_strict and upper == last)
    return covers_first and covers_last


def _misses_every_dataset(context, cond: TimeCondition) -> bool:
    spans = [_span(ds) for ds in context.datasets]
    if not spans or any(s is None for s in spans):
        return False  # a dataset whose time range is not known: the query may have rows
    return all(_misses(cond, first, last) for first, last in spans)
