"""Annual -> datetime (dsgrid's `map_annual_time_to_date_time`): a year's total is spread
evenly over every project time step, and the year becomes the row's model year. The project's
time must lie in one year; a year counts 366 days when the dataset includes leap days and
that year is a leap year, else 365 days, so each step gets ``value * step / year length``
(in a leap year without include_leap_day, 8,784 hourly steps of 1/8,760 each: dsgrid's rule).
"""

from __future__ import annotations

import calendar
from datetime import timedelta

from dsgrid_core.config.time_dimension import AnnualTimeConfig, DatetimeTimeConfig
from dsgrid_core.timealign.datetime_map import AlignmentError
from dsgrid_core.timealign.model import AlignOptions, TimeMap
from dsgrid_core.timealign.zones import project_zone


def annual_factor(dataset_time: AnnualTimeConfig, project_time: DatetimeTimeConfig) -> float:
    zone = project_zone(project_time)
    years = {t.astimezone(zone).year for t in project_time.instants()}
    if len(years) != 1:
        raise AlignmentError(
            f"annual time can be spread over a project time of one year only; the project's "
            f"time covers {', '.join(map(str, sorted(years)))}"
        )
    (year,) = years
    days = 366 if dataset_time.include_leap_day and calendar.isleap(year) else 365
    steps = {rng.frequency for rng in project_time.ranges}
    if len(steps) != 1:
        raise AlignmentError("the project's time ranges have different frequencies")
    return next(iter(steps)) / timedelta(days=days)


def map_annual(
    dataset_time: AnnualTimeConfig, project_time: DatetimeTimeConfig, options: AlignOptions
) -> TimeMap:
    factor = annual_factor(dataset_time, project_time)
    need = project_time.instants()
    rows = [(year, t, factor) for year in dataset_time.years() for t in need]
    notes = ["the annual time's year replaces the model_year of each row (dsgrid's rule)"]
    return TimeMap(["time_year"], rows, need, notes=notes)
