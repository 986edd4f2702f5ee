"""Interval-type shifts and wrapping of instants into the project's span (chronify's rules).

A period-ending label moves back one step to label the beginning of its period (and a
period-beginning label forward one step to label the end). Instants that then fall outside
the project's span, by less than the span, are wrapped around it: with a one-year project,
the hour before the year starts becomes its last hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dsgrid_core.config.time_dimension import TimeInterval


def interval_shift(source: TimeInterval, target: TimeInterval, step: timedelta) -> timedelta:
    """What to add to a ``source``-labelled instant so that it labels like ``target``."""
    if source == target:
        return timedelta(0)
    pair = (source, target)
    if pair == (TimeInterval.PERIOD_ENDING, TimeInterval.PERIOD_BEGINNING):
        return -step
    if pair == (TimeInterval.PERIOD_BEGINNING, TimeInterval.PERIOD_ENDING):
        return step
    raise ValueError(
        f"cannot convert time_interval_type {source.value} to {target.value}: instantaneous "
        "values are not periods"
    )


def wrap(instants: list[datetime], span: list[datetime], step: timedelta) -> list[datetime]:
    """Move instants before/after ``span`` (sorted project instants) by the span's length."""
    low, high = span[0], span[-1]
    length = high - low + step
    out = []
    for t in instants:
        if t < low:
            t = t + length
        elif t > high:
            t = t - length
        out.append(t)
    return out
