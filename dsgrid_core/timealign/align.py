"""Pick the conversion from a dataset's time dimension to the project's."""

from __future__ import annotations

from dsgrid_core.config.time_adjustment import LeapDayAdjustment
from dsgrid_core.config.time_dimension import (
    AnnualTimeConfig,
    DatetimeTimeConfig,
    IndexTimeConfig,
    NoOpTimeConfig,
    RepresentativePeriodTimeConfig,
)
from dsgrid_core.timealign.annual_map import map_annual
from dsgrid_core.timealign.datetime_map import AlignmentError, map_datetime
from dsgrid_core.timealign.index_map import map_index
from dsgrid_core.timealign.model import AlignOptions, TimeMap
from dsgrid_core.timealign.notices import give_notices, ignored_options
from dsgrid_core.timealign.representative_map import map_representative
from dsgrid_core.timealign.std_clock_map import map_std_clock

__all__ = ["AlignOptions", "AlignmentError", "TimeMap", "align"]


def align(dataset_time, project_time, options: AlignOptions | None = None) -> TimeMap | None:
    """The map from the dataset's time to the project's; None when there is nothing to map
    (no-op time, or both no-op). Raises AlignmentError saying why when it cannot be done.
    Options that do not apply to the dataset's time are ignored, as dsgrid does, with a
    `TimeAlignmentNotice` warning (and a note in the map)."""
    options = options or AlignOptions()
    notices = ignored_options(dataset_time, options)
    give_notices(notices)
    time_map = _conversion(dataset_time, project_time, options)
    if time_map is not None:
        time_map.notes.extend(notices)
    return time_map


def _conversion(dataset_time, project_time, options: AlignOptions) -> TimeMap | None:
    if isinstance(dataset_time, NoOpTimeConfig):
        return None
    if not isinstance(project_time, DatetimeTimeConfig):
        if type(dataset_time) is type(project_time) and dataset_time == project_time:
            return None
        raise AlignmentError(
            f"the project's time dimension is {project_time.time_type}: only a datetime "
            f"project time can receive {dataset_time.time_type} time"
        )
    if isinstance(dataset_time, DatetimeTimeConfig):
        if dataset_time.time_zone_required_in_geography():  # each geography's own clock
            return map_std_clock(dataset_time, project_time, options)
        return map_datetime(dataset_time, project_time, options)
    if isinstance(dataset_time, IndexTimeConfig):
        return map_index(dataset_time, project_time, options)
    if isinstance(dataset_time, RepresentativePeriodTimeConfig):
        return map_representative(dataset_time, project_time, options)
    if isinstance(dataset_time, AnnualTimeConfig):
        if options.adjustment.leap_day_adjustment != LeapDayAdjustment.NONE:
            raise AlignmentError(
                "leap_day_adjustment does not apply to annual time (dsgrid spreads a year's "
                "total over all project time steps); remove it from the dataset's entry"
            )
        return map_annual(dataset_time, project_time, options)
    raise AlignmentError(f"no conversion from {dataset_time.time_type} time")
