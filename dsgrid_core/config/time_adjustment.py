"""How a dataset's data are adjusted when its time is aligned with the project's time
(dsgrid's ``wrap_time_allowed`` and ``time_based_data_adjustment``, given per dataset in the
project config's ``datasets`` entries).

* ``leap_day_adjustment``: in a leap year, the project's time steps of one day (Feb 29,
  Dec 31 or Jan 1, in the project's time zone) are not required from the dataset: the
  dataset has 365 days of data.
* ``daylight_saving_adjustment``: index-time profiles modelled in standard time are turned
  into clock-time profiles of each geography's zone (drop the spring-forward hour; duplicate
  or interpolate the fall-back hour; see dsgrid_core.timealign.dst). Both hours are given or
  neither. As in dsgrid, it applies to index time only; for other time types it is ignored
  with a notice.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field, model_validator

from dsgrid_core.config.base import DsgridModel


class LeapDayAdjustment(enum.StrEnum):
    NONE = "none"
    DROP_FEB29 = "drop_feb29"
    DROP_DEC31 = "drop_dec31"
    DROP_JAN1 = "drop_jan1"


LEAP_DAY_DROPPED = {
    LeapDayAdjustment.DROP_FEB29: (2, 29),
    LeapDayAdjustment.DROP_DEC31: (12, 31),
    LeapDayAdjustment.DROP_JAN1: (1, 1),
}
"""(month, day) of the project's time steps a leap-day adjustment leaves out."""


class SpringForwardHour(enum.StrEnum):
    NONE = "none"
    DROP = "drop"


class FallBackHour(enum.StrEnum):
    NONE = "none"
    DUPLICATE = "duplicate"
    INTERPOLATE = "interpolate"


class DaylightSavingAdjustment(DsgridModel):
    """Turn standard-time profiles into clock-time profiles."""

    spring_forward_hour: SpringForwardHour = Field(
        SpringForwardHour.NONE, description="Data of the skipped spring-forward hour: drop"
    )
    fall_back_hour: FallBackHour = Field(
        FallBackHour.NONE,
        description="Data of the repeated fall-back hour: duplicate or interpolate",
    )

    @property
    def active(self) -> bool:
        """Whether the adjustment is asked for (both hours are then given)."""
        return self.spring_forward_hour != SpringForwardHour.NONE


class TimeBasedDataAdjustment(DsgridModel):
    """How the data are adjusted along with the time steps when time is aligned."""

    leap_day_adjustment: LeapDayAdjustment = Field(
        LeapDayAdjustment.NONE,
        description="Which day of a leap year the dataset leaves out (none: no adjustment)",
    )
    daylight_saving_adjustment: DaylightSavingAdjustment = Field(
        default_factory=DaylightSavingAdjustment,
        description="Standard time to clock time: what happens to the spring-forward and "
        "fall-back hours",
    )

    @model_validator(mode="after")
    def _both_or_neither(self):
        dst = self.daylight_saving_adjustment
        problem = half_given(dst.spring_forward_hour, dst.fall_back_hour)
        if problem:
            raise ValueError(problem)
        return self


def half_given(spring_forward_hour: Any, fall_back_hour: Any) -> str | None:
    """Why a daylight-saving adjustment with one hour only is refused (None when both or
    neither are given): dsgrid (and chronify) know the two hours only together."""
    spring = str(getattr(spring_forward_hour, "value", spring_forward_hour) or "none")
    fall = str(getattr(fall_back_hour, "value", fall_back_hour) or "none")
    if (spring == SpringForwardHour.NONE) == (fall == FallBackHour.NONE):
        return None
    return (
        f"daylight_saving_adjustment gives spring_forward_hour '{spring}' with "
        f"fall_back_hour '{fall}': give both (spring_forward_hour: drop with fall_back_hour: "
        "duplicate or interpolate) or neither (both 'none', the default)"
    )
