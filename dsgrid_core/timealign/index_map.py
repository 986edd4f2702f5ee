"""Index -> datetime. Index ``start + k`` of a range stands for ``starting_timestamp + k *
frequency`` read in each geography's own zone (the geography records' ``time_zone``): the
local start is pinned in that zone and later steps follow in absolute time (chronify's
index-with-time-zone rule). The instants are then laid onto the project's time as datetimes
are (interval type, wrapping, leap day)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import DatetimeTimeConfig, IndexTimeConfig
from dsgrid_core.timealign.datetime_map import (
    AlignmentError,
    check_same_step,
    instants_in_zone,
    lay_onto_project,
)
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
    indices = dataset_time.indices()
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
            f"the dataset's index time read in {name}",
        )
        rows.extend((i, name, m, 1.0) for i, m in zip(indices, mapped, strict=True))
    return TimeMap(["time_index", "time_zone"], rows, need)
