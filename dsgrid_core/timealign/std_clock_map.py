"""Datetime time ``aligned_in_std_clock_time`` -> the project's datetime time.

Every geography's data cover the same clock times of the ranges, each in its own zone (the
geography record's ``time_zone``, one of the dimension's ``time_zones``). As dsgrid 0.4
localizes such data at registration (chronify's ``TimeZoneLocalizerByColumn``), the
timestamps of a row in zone Z are the ranges read in Z: the start pinned in Z, later steps in
absolute time (with tz-naive timestamps the zones have fixed offsets, so this is Z's
standard clock). The localized instants are then laid onto the project's time per zone as
other datetimes are (interval type, wrapping, leap day).

The map's key is (``timestamp``: the localized instant, ``time_zone``): the instants of two
zones differ, and each zone is laid onto the project's span separately.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.timealign.datetime_map import (
    AlignmentError,
    check_same_step,
    instants_in_zone,
    lay_onto_project,
)
from dsgrid_core.timealign.model import AlignOptions, TimeMap


def map_std_clock(
    dataset_time: DatetimeTimeConfig, project_time: DatetimeTimeConfig, options: AlignOptions
) -> TimeMap:
    listed = dataset_time.time_zone_format.zones()
    if not options.time_zones:
        raise AlignmentError(
            "the dataset's time is aligned_in_std_clock_time (each geography's own clock), "
            "but its geography records have no time_zone column; add each record's zone (one "
            f"of time_zone_format.time_zones: {', '.join(listed)})"
        )
    unlisted = [z for z in options.time_zones if z not in listed]
    if unlisted:
        # dsgrid joins each row's zone to the listed zones: rows of another zone would be
        # dropped from the mapped data without a word.
        raise AlignmentError(
            f"geography records have time zone(s) {', '.join(unlisted)}, which the time "
            f"dimension's time_zone_format.time_zones ({', '.join(listed)}) does not list; "
            "add them to time_zones, or correct the records' time_zone"
        )
    step = check_same_step(dataset_time, project_time)
    rows = []
    need: list = []
    for name in options.time_zones:
        stored = instants_in_zone(dataset_time, ZoneInfo(name))
        mapped, need, _ = lay_onto_project(
            stored,
            dataset_time.time_interval_type,
            project_time,
            step,
            options,
            f"the dataset's timestamps read in {name}",
        )
        rows.extend((s, name, m, 1.0) for s, m in zip(stored, mapped, strict=True))
    return TimeMap(["timestamp", "time_zone"], rows, need)
