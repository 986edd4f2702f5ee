"""Zones used by alignment: the project's zone, a dataset's zone, standard-time zones."""

from __future__ import annotations

from datetime import timezone, tzinfo
from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import AlignedInAbsoluteTime, DatetimeTimeConfig
from dsgrid_core.config.time_zones import standard_offset


def project_zone(project_time: DatetimeTimeConfig) -> tzinfo:
    fmt = project_time.time_zone_format
    if not isinstance(fmt, AlignedInAbsoluteTime):
        raise ValueError("a project's time dimension must be aligned_in_absolute_time")
    name = fmt.time_zone
    return ZoneInfo("UTC" if name in (None, "LOCAL", "NONE") else name)


def standard_zone(zone: tzinfo) -> tzinfo:
    """The fixed-offset zone of a zone's standard time (America/New_York -> UTC-5)."""
    key = getattr(zone, "key", None)
    if key is None:
        return zone
    offset = standard_offset(key)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest == 0 and -14 <= hours <= 12:
        name = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
        return ZoneInfo(name)
    return timezone(offset)


def dataset_zone(dataset_time: DatetimeTimeConfig, project_time: DatetimeTimeConfig) -> tzinfo:
    """The zone a dataset's timestamps are read in. A dataset with no zone (time_zone null)
    has clock times without daylight saving: as chronify does, they are read in the
    standard time of the project's zone."""
    fmt = dataset_time.time_zone_format
    if isinstance(fmt, AlignedInAbsoluteTime) and fmt.time_zone not in (None, "LOCAL", "NONE"):
        return ZoneInfo(fmt.time_zone)
    return standard_zone(project_zone(project_time))
