"""The daylight-saving adjustment of index time (time_based_data_adjustment
.daylight_saving_adjustment), as chronify 0.7 applies it for dsgrid 0.4
(``MapperIndexTimeToDatetime`` with ``DROP_SPRING_FORWARD_DUPLICATE_FALLBACK`` or
``..._INTERPOLATE_FALLBACK``).

The data are profiles modelled in standard time: index ``start + k`` stands for the clock
time ``starting_timestamp + k * frequency`` with no daylight saving (every day has 24 hours).
They become clock-time profiles of each geography's zone:

* the instants are those of the index range read in the zone (local start pinned in the
  zone, later steps in absolute time: the same instants as without the adjustment);
* each instant takes the value of the index whose standard clock time equals the instant's
  local clock time (daylight saving included);
* spring forward: no instant reads the skipped clock hour, so its indices are dropped;
* fall back: the repeated clock hour is read twice. ``duplicate``: its second reading takes
  the same indices again. ``interpolate``: the m-th step of the second reading (m = 1..n,
  n steps per hour) takes ``(1 - m/(n+1))`` of the value at the clock time just before it
  and ``m/(n+1)`` of the value at the clock time just after it (hourly: half of 01:00 and
  half of 02:00).

An instant whose local clock time has no index (after spring forward, a range that does not
also hold the fall back ends one step short) gets no value; the caller refuses that.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import IndexTimeConfig
from dsgrid_core.timealign.datetime_map import AlignmentError

Contribution = tuple[int, float]  # (index, factor)


def check_dst_step(step: timedelta) -> None:
    """Only steps that divide an hour read the repeated hour as whole steps."""
    hour = timedelta(hours=1)
    if step > hour or hour % step:
        raise AlignmentError(
            f"daylight_saving_adjustment needs a time step that divides one hour (1 h, 30 min, "
            f"15 min, ...); the dataset's index time steps by {step}. Remove "
            "time_based_data_adjustment.daylight_saving_adjustment from the dataset's entry "
            "in the project config, or give the data at an hourly or finer step"
        )


def clock_indices(dataset_time: IndexTimeConfig) -> dict[datetime, int]:
    """Standard (no daylight saving) clock time -> index, over all ranges."""
    out: dict[datetime, int] = {}
    for rng in dataset_time.ranges:
        first = rng.first()
        for k in range(rng.end - rng.start + 1):
            out.setdefault(first + k * rng.frequency, rng.start + k)
    return out


def local_readings(rng, zone: ZoneInfo) -> tuple[list[datetime], list[datetime]]:
    """One range's instants (aware UTC) and their local clock times (naive) in ``zone``."""
    start = rng.first().replace(tzinfo=zone).astimezone(UTC)
    instants = [start + k * rng.frequency for k in range(rng.end - rng.start + 1)]
    clocks = [t.astimezone(zone).replace(tzinfo=None, fold=0) for t in instants]
    return instants, clocks


def _interpolated(
    clocks: list[datetime], per_hour: int, zone_name: str
) -> list[list[tuple[datetime, float]]]:
    """Per reading: (clock time, factor) pairs; repeated readings are interpolated."""
    seen: set[datetime] = set()
    repeated = []
    for clock in clocks:
        repeated.append(clock in seen)
        seen.add(clock)
    out: list[list[tuple[datetime, float]]] = []
    run = 0
    for j, clock in enumerate(clocks):
        if not repeated[j]:
            run = 0
            out.append([(clock, 1.0)])
            continue
        run += 1
        before = j - run
        after = next((i for i in range(j + 1, len(clocks)) if not repeated[i]), None)
        if run > per_hour or before < 0 or after is None or after - before - 1 > per_hour:
            raise AlignmentError(
                f"fall_back_hour interpolate: the repeated clock hour at {clock:%Y-%m-%d %H:%M} "
                f"in {zone_name} cannot be interpolated: the dataset's index range ends within "
                "it. Extend the range past the fall-back hour, or use fall_back_hour: duplicate"
            )
        upper = run / (per_hour + 1)
        out.append([(clocks[before], 1.0 - upper), (clocks[after], upper)])
    return out


def dst_readings(
    dataset_time: IndexTimeConfig, zone_name: str, interpolate: bool
) -> tuple[list[datetime], list[list[Contribution]]]:
    """The index time's instants in ``zone_name`` (in the ranges' order) and, for each, the
    (index, factor) pairs its value is the sum of (empty: no index has its clock time)."""
    zone = ZoneInfo(zone_name)
    by_clock = clock_indices(dataset_time)
    instants: list[datetime] = []
    values: list[list[Contribution]] = []
    for rng in dataset_time.ranges:
        check_dst_step(rng.frequency)
        times, clocks = local_readings(rng, zone)
        instants.extend(times)
        if interpolate:
            per_hour = timedelta(hours=1) // rng.frequency
            pairs = _interpolated(clocks, per_hour, zone_name)
        else:
            pairs = [[(clock, 1.0)] for clock in clocks]
        values.extend([(by_clock[c], f) for c, f in p if c in by_clock] for p in pairs)
    return instants, values


def check_readings(
    mapped: list[datetime], values: list[list[Contribution]], zone_name: str
) -> None:
    """Every project time step needs a whole value: no index, or part of an interpolation
    missing, is refused (the reference leaves such a step without value or fails)."""
    fmt = "%Y-%m-%d %H:%M UTC"
    empty = sorted(t for t, v in zip(mapped, values, strict=True) if not v)
    if empty:
        raise AlignmentError(
            f"with the daylight-saving adjustment, {len(empty):,} project time step(s) get "
            f"no value in {zone_name} (first {empty[0].strftime(fmt)}): their local clock "
            "time is past the dataset's index range. A range that holds the spring-forward "
            "day but not the fall-back day ends one step short; give index ranges that "
            "cover both changes (e.g. a whole year), or remove the adjustment"
        )
    partial = sorted(
        t for t, v in zip(mapped, values, strict=True) if abs(sum(f for _, f in v) - 1) > 1e-9
    )
    if partial:
        raise AlignmentError(
            f"fall_back_hour interpolate: {len(partial):,} project time step(s) in "
            f"{zone_name} (first {partial[0].strftime(fmt)}) need a clock time outside the "
            "dataset's index range. Extend the range, or use fall_back_hour: duplicate"
        )
