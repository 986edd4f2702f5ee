"""The formats inside a datetime time dimension: its time-zone format (aligned in absolute
time, or in each zone's standard clock time), its column format (one timestamp column, or
time in parts), and the interval and measurement types of time values. Legacy spellings are
read with a notice naming the current form."""

from __future__ import annotations

import enum
import warnings
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel, LegacyKeyWarning
from dsgrid_core.config.time_zones import to_iana_time_zone

UNION_TAGS = {
    "aligned_in_absolute_time": "AlignedInAbsoluteTime",
    "aligned_in_std_clock_time": "AlignedInStdClockTime",
    "timestamp_column": "TimestampColumn",
    "time_format_in_parts": "TimeInPartsColumns",
}
"""Tags of these unions (pydantic puts them in error locations): tag -> model name."""


def _notice(cls_name: str, text: str) -> None:
    warnings.warn(f"{cls_name}: {text}", LegacyKeyWarning, stacklevel=3)


class TimeInterval(enum.StrEnum):
    PERIOD_BEGINNING = "period_beginning"
    PERIOD_ENDING = "period_ending"
    INSTANTANEOUS = "instantaneous"


class MeasurementType(enum.StrEnum):
    TOTAL = "total"
    MEAN = "mean"
    MIN = "min"
    MAX = "max"
    MEASURED = "measured"


# --- time zone formats -------------------------------------------------------------------------


class _ZoneFormatBase(DsgridModel):
    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        renamed = {"aligned": "aligned_in_absolute_time"}
        renamed["aligned_in_clock_time"] = "aligned_in_std_clock_time"
        old = data.get("format_type")
        if old in renamed:
            _notice("time_zone_format", f"format_type '{old}' read as '{renamed[old]}'")
            data["format_type"] = renamed[old]
        if "timezone" in data:
            _notice("time_zone_format", "legacy key 'timezone' read as 'time_zone'")
            data.setdefault("time_zone", data.pop("timezone"))
        return data


class AlignedInAbsoluteTime(_ZoneFormatBase):
    """All geographies share the same instants (e.g. every county starts at 2012-01-01 00:00
    EST). With tz-naive timestamps the zone must have a fixed UTC offset (Etc/GMT+5), since
    clock times of a daylight-saving zone skip and repeat an hour."""

    format_type: Literal["aligned_in_absolute_time"] = "aligned_in_absolute_time"
    time_zone: str | None = Field(description="IANA time zone of the timestamps, or null")

    @field_validator("time_zone")
    @classmethod
    def _iana(cls, value):
        return None if value is None else to_iana_time_zone(value, "time_zone_format.time_zone")

    def zones(self) -> list[str]:
        return [self.time_zone] if self.time_zone else []


class AlignedInStdClockTime(_ZoneFormatBase):
    """Each geography's data cover the same local standard clock times (California starts at
    00:00-08:00, New York at 00:00-05:00). The data table has a ``time_zone`` column naming
    each row's zone, one of ``time_zones``."""

    format_type: Literal["aligned_in_std_clock_time"] = "aligned_in_std_clock_time"
    time_zones: list[str] = Field(min_length=1, description="IANA time zones in the data")

    @field_validator("time_zones")
    @classmethod
    def _iana(cls, values):
        return [to_iana_time_zone(v, "time_zone_format.time_zones") for v in values]

    def zones(self) -> list[str]:
        return list(self.time_zones)


def _zone_format_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = str(value.get("format_type", "aligned_in_absolute_time"))
        legacy = {"aligned": "aligned_in_absolute_time"}
        legacy["aligned_in_clock_time"] = "aligned_in_std_clock_time"
        return legacy.get(kind, kind)
    return getattr(value, "format_type", "aligned_in_absolute_time")


TimeZoneFormat = Annotated[
    Annotated[AlignedInAbsoluteTime, Tag("aligned_in_absolute_time")]
    | Annotated[AlignedInStdClockTime, Tag("aligned_in_std_clock_time")],
    Discriminator(_zone_format_tag),
]


# --- column formats ----------------------------------------------------------------------------


class TimestampColumn(DsgridModel):
    """Timestamps in one column: aware (``timestamp_tz``) or naive (``timestamp_ntz``)."""

    dtype: Literal["timestamp_tz", "timestamp_ntz"] = "timestamp_tz"
    time_column: str = "timestamp"

    @model_validator(mode="before")
    @classmethod
    def _legacy_dtype(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("dtype") in ("TIMESTAMP_TZ", "TIMESTAMP_NTZ"):
            data = dict(data)
            _notice("column_format", f"dtype '{data['dtype']}' read as '{data['dtype'].lower()}'")
            data["dtype"] = data["dtype"].lower()
        return data

    @property
    def naive(self) -> bool:
        return self.dtype == "timestamp_ntz"

    def columns(self) -> list[str]:
        return [self.time_column]


class TimeInPartsColumns(DsgridModel):
    """Time given as year, month, day (and hour) columns, optionally with a UTC-offset column
    (hours such as -5, or ``-05:00``) that makes the timestamps aware."""

    dtype: Literal["time_format_in_parts"] = "time_format_in_parts"
    year_column: str
    month_column: str
    day_column: str
    hour_column: str | None = None
    offset_column: str | None = None

    @property
    def naive(self) -> bool:
        return self.offset_column is None

    def columns(self) -> list[str]:
        cols = (
            self.year_column,
            self.month_column,
            self.day_column,
            self.hour_column,
            self.offset_column,
        )
        return [c for c in cols if c]


def _column_format_tag(value: Any) -> str:
    if isinstance(value, dict):
        dtype = str(value.get("dtype", "timestamp_tz"))
        return "time_format_in_parts" if dtype == "time_format_in_parts" else "timestamp_column"
    return "time_format_in_parts" if isinstance(value, TimeInPartsColumns) else "timestamp_column"


ColumnFormat = Annotated[
    Annotated[TimestampColumn, Tag("timestamp_column")]
    | Annotated[TimeInPartsColumns, Tag("time_format_in_parts")],
    Discriminator(_column_format_tag),
]
