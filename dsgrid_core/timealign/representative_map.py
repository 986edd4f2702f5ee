"""Representative periods -> datetime. Each project time step, read on the local clock of a
geography's zone (daylight saving included), takes the value of the representative period
with the same month, day of week (Monday = 0) or weekday/weekend, and hour. When interval
types differ, the project's label is first moved one step to label as the dataset does.
Every project step then has exactly one period; months outside the dataset's ranges cannot
be served."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from dsgrid_core.config.time_dimension import (
    DatetimeTimeConfig,
    RepresentativePeriodTimeConfig,
)
from dsgrid_core.timealign.datetime_map import AlignmentError
from dsgrid_core.timealign.model import AlignOptions, TimeMap
from dsgrid_core.timealign.project_steps import project_instants
from dsgrid_core.timealign.shift import interval_shift


def map_representative(
    dataset_time: RepresentativePeriodTimeConfig,
    project_time: DatetimeTimeConfig,
    options: AlignOptions,
) -> TimeMap:
    if not options.time_zones:
        raise AlignmentError(
            "representative periods are read in each geography's time zone, but the "
            "dataset's geography records have no time_zone column"
        )
    step = timedelta(hours=1)  # every representative format dsgrid knows is hourly
    if {rng.frequency for rng in project_time.ranges} != {step}:
        raise AlignmentError(
            "representative periods are hourly; the project's time frequency is not one hour "
            "(dsgrid does not resample)"
        )
    need = project_instants(project_time, options.adjustment.leap_day_adjustment)
    try:
        shift = interval_shift(
            project_time.time_interval_type, dataset_time.time_interval_type, step
        )
    except ValueError as exc:
        raise AlignmentError(str(exc)) from None
    months = set(dataset_time.months())
    weekly = dataset_time.format == "one_week_per_month_by_hour"
    rows = []
    for name in options.time_zones:
        zone = ZoneInfo(name)
        for t in need:
            local = (t + shift).astimezone(zone)
            if local.month not in months:
                raise AlignmentError(
                    f"project time {t:%Y-%m-%d %H:%M} UTC falls in month {local.month} in "
                    f"{name}, which the dataset's representative periods (months "
                    f"{min(months)}-{max(months)}) do not cover"
                )
            middle = local.weekday() if weekly else int(local.weekday() < 5)
            rows.append((local.month, middle, local.hour, name, t, 1.0))
    columns = [*dataset_time.columns(), "time_zone"]
    return TimeMap(columns, rows, need)
