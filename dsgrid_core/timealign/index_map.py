"""Index -> datetime. Index ``start + k`` of a range stands for ``starting_timestamp + k *
frequency`` read in each geography's own zone (the geography records' ``time_zone``): the
local start is pinned in that zone and later steps follow in absolute time (chronify's
index-with-time-zone rule). The instants are then laid onto the project's time as datetimes
are (interval type, wrapping, leap day).

With the dataset entry's daylight-saving adjustment the same instants take the values of
the indices whose standard clock time matches their local clock time (see `dst`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dsgrid_core.config.time_adjustment import FallBackHour
from dsgrid_core.config.time_dimension import DatetimeTimeConfig, IndexTimeConfig
from dsgrid_core.timealign.datetime_map import (
    AlignmentError,
    check_same_step,
    instants_in_zone,
    lay_onto_project,
)
from dsgrid_core.timealign.dst import check_readings, dst_readings
from dsgrid_core.timealign.model import AlignOptions, TimeMap


def map_index(
    dataset_time: IndexTimeConfig, project_time: DatetimeTimeConfig, options: AlignOptions
) -> TimeMap:
    if not options.time_zones:
        raise AlignmentError(
            "index time is read in each geography's time zone, but the dataset's geography "
            "records have no time_zone column"
        )
    step = check_same_step(dataset_time, project_time)
    dst = options.adjustment.daylight_saving_adjustment
    rows = []
    need: list = []
    for name in options.time_zones:
        what = f"the dataset's index time read in {name}"
        if dst.active:
            interpolate = dst.fall_back_hour == FallBackHour.INTERPOLATE
            stored, values = dst_readings(dataset_time, name, interpolate)
        else:
            stored = instants_in_zone(dataset_time, ZoneInfo(name))
            values = [[(i, 1.0)] for i in dataset_time.indices()]
        mapped, need, _ = lay_onto_project(
            stored, dataset_time.time_interval_type, project_time, step, options, what
        )
        check_readings(mapped, values, name)
        rows.extend(
            (i, name, m, f) for m, pairs in zip(mapped, values, strict=True) for i, f in pairs
        )
    notes = []
    if dst.active:
        notes.append(
            f"daylight-saving adjustment: spring-forward hour {dst.spring_forward_hour.value}, "
            f"fall-back hour {dst.fall_back_hour.value}"
        )
    return TimeMap(["time_index", "time_zone"], rows, need, notes=notes)
