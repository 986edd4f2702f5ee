"""The project's time steps a dataset must provide: every instant of the project's datetime
dimension, less the day a leap-day adjustment leaves out (dated in the project's own zone)."""

from __future__ import annotations

import calendar
from datetime import datetime

from dsgrid_core.config.time_adjustment import LEAP_DAY_DROPPED, LeapDayAdjustment
from dsgrid_core.config.time_dimension import DatetimeTimeConfig
from dsgrid_core.timealign.zones import project_zone


def project_instants(
    project_time: DatetimeTimeConfig, leap: LeapDayAdjustment = LeapDayAdjustment.NONE
) -> list[datetime]:
    """Aware UTC instants, in order, as the project's ranges list them."""
    zone = project_zone(project_time)
    instants = project_time.instants()
    if leap == LeapDayAdjustment.NONE:
        return instants
    month, day = LEAP_DAY_DROPPED[leap]
    kept = []
    for t in instants:
        local = t.astimezone(zone)
        if calendar.isleap(local.year) and (local.month, local.day) == (month, day):
            continue
        kept.append(t)
    return kept
