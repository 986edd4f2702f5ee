"""Time zones: IANA names, and dsgrid's legacy time-zone names read as IANA with a notice.

Older dsgrid releases named zones with their own enum (``EasternPrevailing``,
``USArizona``...). dsgrid 0.4 refuses them; real projects (StandardScenarios' county
records) still carry them, so we read them and say which IANA name they stand for.
"""

from __future__ import annotations

import functools
import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dsgrid_core.config.base import LegacyKeyWarning

# dsgrid's old TimeZone enum: "Standard" = fixed offset (no daylight saving), "Prevailing" =
# the local clock of that zone (observes daylight saving), USArizona = Arizona's clock.
LEGACY_TIME_ZONES = {
    "HawaiiAleutianStandard": "Etc/GMT+10",
    "AlaskaStandard": "Etc/GMT+9",
    "PacificStandard": "Etc/GMT+8",
    "MountainStandard": "Etc/GMT+7",
    "CentralStandard": "Etc/GMT+6",
    "EasternStandard": "Etc/GMT+5",
    "AtlanticStandard": "Etc/GMT+4",
    "HawaiiAleutianPrevailing": "Pacific/Honolulu",
    "AlaskaPrevailing": "America/Anchorage",
    "PacificPrevailing": "America/Los_Angeles",
    "MountainPrevailing": "America/Denver",
    "CentralPrevailing": "America/Chicago",
    "EasternPrevailing": "America/New_York",
    "AtlanticPrevailing": "America/Puerto_Rico",
    "USArizona": "America/Phoenix",
    "ArizonaStandard": "America/Phoenix",
}


class LegacyTimeZoneWarning(LegacyKeyWarning):
    """A legacy dsgrid time-zone name was read as its IANA equivalent."""


@functools.cache
def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def legacy_iana(value: str) -> str | None:
    """The IANA name a legacy dsgrid name stands for, or None when ``value`` is not one."""
    return LEGACY_TIME_ZONES.get(value)


def to_iana_time_zone(value: str, where: str = "time zone", notify: bool = True) -> str:
    """Return the IANA name for ``value`` (IANA already, or a legacy dsgrid name, with a
    notice naming the IANA form); refuse anything else."""
    iana = legacy_iana(value)
    if iana is not None:
        if notify:
            warnings.warn(
                f"{where}: legacy dsgrid time zone '{value}' read as IANA '{iana}'; write '{iana}'",
                LegacyTimeZoneWarning,
                stacklevel=2,
            )
        return iana
    if value in ("LOCAL", "NONE"):  # accepted by earlier versions of this code base
        return value
    if not isinstance(value, str) or not _is_zone(value):
        raise ValueError(
            f"unknown time zone '{value}': use an IANA name such as 'America/New_York' "
            "(observes daylight saving) or 'Etc/GMT+5' (fixed UTC-5)"
        )
    return value


def observes_dst(name: str) -> bool:
    """True when the zone's UTC offset changes during the year (checked over two years)."""
    zone = ZoneInfo(name)
    offsets = {
        datetime(year, month, 1, tzinfo=zone).utcoffset()
        for year in (2012, 2020)
        for month in range(1, 13)
    }
    return len(offsets) > 1


def standard_offset(name: str) -> timedelta:
    """The zone's standard (non-daylight-saving) UTC offset, from a January date."""
    zone = ZoneInfo(name)
    jan, jul = datetime(2020, 1, 15, tzinfo=zone), datetime(2020, 7, 15, tzinfo=zone)
    # Southern-hemisphere zones save daylight in January: the standard offset is the smaller.
    return min(jan.utcoffset(), jul.utcoffset())
