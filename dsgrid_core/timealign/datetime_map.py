"""Datetime -> datetime: another zone, another interval type, wrapped time, leap days.

Rules (chronify's `MapperDatetimeToDatetime`, as dsgrid 0.4 calls it):
* the frequencies must be equal (no resampling);
* the dataset must have as many time steps as the project needs, unless
  ``wrap_time_allowed``;
* labels move by one step when the interval types differ, then wrap into the project's span
  (also when ``wrap_time_allowed``);
* the result must be exactly the project's time steps (less a leap-day adjustment's day).

Timestamps aligned in each geography's standard clock time are mapped per zone by
`std_clock_map` (`align` picks it for them), which lays each zone's instants onto the project's
time with the helpers here, as `index_map` does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.timealign.model import AlignOptions, TimeMap
from dsgrid_core.timealign.project_steps import project_instants
from dsgrid_core.timealign.shift import interval_shift, wrap
from dsgrid_core.timealign.zones import dataset_zone


class AlignmentError(ValueError):
    """The dataset's time cannot be laid onto the project's; the text says why."""


def instants_in_zone(config, zone: tzinfo) -> list[datetime]:
    """A datetime dimension's (or index ranges') timestamps read in ``zone``, as aware UTC
    instants: each range steps in absolute time from its start; with a step of a day or
    more, on the clock face (each day at the same clock time)."""
    out: list[datetime] = []
    for rng in config.ranges:
        if hasattr(rng, "starting_timestamp"):
            start = rng.first()
            count = rng.end - rng.start + 1
        else:
            start, end = rng.bounds()
            count = (end - start) // rng.frequency + 1
        freq = rng.frequency
        if freq >= timedelta(days=1):
            out.extend(
                (start + i * freq).replace(tzinfo=zone).astimezone(UTC) for i in range(count)
            )
            continue
        first = start.replace(tzinfo=zone).astimezone(UTC)
        out.extend(first + i * freq for i in range(count))
    return out


def steps_of(config) -> set[timedelta]:
    return {rng.frequency for rng in config.ranges}


def check_same_step(dataset_time, project_time: DatetimeTimeConfig) -> timedelta:
    ds_steps, pj_steps = steps_of(dataset_time), steps_of(project_time)
    if len(pj_steps) != 1 or ds_steps != pj_steps:
        shown = ", ".join(str(s) for s in sorted(ds_steps))
        raise AlignmentError(
            f"the dataset's time frequency is {shown}, the project's "
            f"{', '.join(str(s) for s in sorted(pj_steps))}: changing the time resolution is "
            "not supported (dsgrid does not resample); give the data at the project's frequency"
        )
    return next(iter(pj_steps))


def lay_onto_project(
    stored: list[datetime],
    source_interval,
    project_time: DatetimeTimeConfig,
    step: timedelta,
    options: AlignOptions,
    what: str,
) -> tuple[list[datetime], list[datetime], int | None]:
    """Map stored instants onto the project's steps; return (mapped, project steps, shift in
    seconds when the map is a constant shift, else None)."""
    need = project_instants(project_time, options.adjustment.leap_day_adjustment)
    if len(stored) != len(need) and not options.wrap_time_allowed:
        raise AlignmentError(
            f"{what} has {len(stored):,} time steps, the project needs {len(need):,}"
            + (
                " (after the leap-day adjustment)"
                if len(need) != len(project_time.instants())
                else ""
            )
            + ": they must match, or set wrap_time_allowed: true in the dataset's entry of "
            "the project config"
        )
    try:
        shift = interval_shift(source_interval, project_time.time_interval_type, step)
    except ValueError as exc:
        raise AlignmentError(str(exc)) from None
    moved = [t + shift for t in stored]
    span = sorted(need)
    mapped = wrap(moved, span, step) if (shift or options.wrap_time_allowed) else moved
    _check_cover(mapped, need, what)
    constant = mapped == moved
    return mapped, need, int(shift.total_seconds()) if constant else None


def _check_cover(mapped: list[datetime], need: list[datetime], what: str) -> None:
    fmt = "%Y-%m-%d %H:%M UTC"
    seen: set[datetime] = set()
    dupes = [t for t in mapped if t in seen or seen.add(t)]
    if dupes:
        raise AlignmentError(
            f"{what}: after alignment {len(dupes):,} project time step(s) get two values, "
            f"first {dupes[0].strftime(fmt)}"
        )
    need_set = set(need)
    lacking = [t for t in need if t not in seen]
    extra = sorted(t for t in seen if t not in need_set)
    if lacking or extra:
        parts = []
        if lacking:
            parts.append(
                f"{len(lacking):,} of the project's {len(need):,} time steps get no value "
                f"(from {lacking[0].strftime(fmt)} to {lacking[-1].strftime(fmt)})"
            )
        if extra:
            parts.append(
                f"{len(extra):,} of the dataset's fall outside the project's time (from "
                f"{extra[0].strftime(fmt)} to {extra[-1].strftime(fmt)})"
            )
        raise AlignmentError(
            f"{what}: after aligning time (zones, interval type"
            + (", wrapping" if lacking or extra else "")
            + "), "
            + "; ".join(parts)
            + ". Check the dataset time dimension's ranges, time zone and "
            "time_interval_type, or the dataset's wrap_time_allowed and "
            "time_based_data_adjustment in the project config"
        )


def map_datetime(
    dataset_time: DatetimeTimeConfig, project_time: DatetimeTimeConfig, options: AlignOptions
) -> TimeMap:
    """A datetime dimension kept in one zone (or UTC) onto the project's datetime time."""
    step = check_same_step(dataset_time, project_time)
    zone = dataset_zone(dataset_time, project_time)
    stored = instants_in_zone(dataset_time, zone)
    mapped, need, shift = lay_onto_project(
        stored, dataset_time.time_interval_type, project_time, step, options, "the dataset"
    )
    rows = [(s, m, 1.0) for s, m in zip(stored, mapped, strict=True)]
    return TimeMap(["timestamp"], rows, need, shift_seconds=shift)
