"""Time dimension configs as dsgrid 0.4 defines them: datetime, annual, representative
period, index and no-op time, their column formats and time-zone formats, and the legacy
spellings older dsgrid files use (each read with a notice naming the current form).

Ranges live in `time_ranges`, time zones in `time_zones`, data adjustments in
`time_adjustment`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.dimension import DimensionBase, DimensionType
from dsgrid_core.config.time_formats import (
    UNION_TAGS,
    AlignedInAbsoluteTime,
    AlignedInStdClockTime,
    ColumnFormat,
    MeasurementType,
    TimeInPartsColumns,
    TimeInterval,
    TimestampColumn,
    TimeZoneFormat,
    _column_format_tag,
    _notice,
    _zone_format_tag,
)
from dsgrid_core.config.time_ranges import (
    AnnualRange,
    DatetimeRange,
    IndexRange,
    MonthRange,
    parse_frequency,
)
from dsgrid_core.config.time_zones import (
    LEGACY_TIME_ZONES,
    observes_dst,
    to_iana_time_zone,
)

__all__ = [
    "UNION_TAGS",
    "AlignedInAbsoluteTime",
    "AlignedInStdClockTime",
    "ColumnFormat",
    "MeasurementType",
    "TimeInPartsColumns",
    "TimeInterval",
    "TimeZoneFormat",
    "TimestampColumn",
    "LEGACY_TIME_ZONES",
    "TIME_RECORD_CLASSES",
    "AnnualRange",
    "AnnualTimeConfig",
    "DatetimeRange",
    "DatetimeTimeConfig",
    "IndexRange",
    "IndexTimeConfig",
    "MonthRange",
    "NoOpTimeConfig",
    "RepresentativePeriodTimeConfig",
    "TimeBase",
    "parse_frequency",
    "to_iana_time_zone",
]

TIME_RECORD_CLASSES = ("Time", "AnnualTime", "NoOpTime")
"""Record classes dsgrid defines for time dimensions (any of them with any time_type)."""


# --- time dimensions ---------------------------------------------------------------------------


class TimeBase(DimensionBase):
    """Fields common to every time dimension."""

    type: Literal[DimensionType.TIME]
    time_type: str

    @field_validator("class_name")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None and value not in TIME_RECORD_CLASSES:
            raise ValueError(
                f"unknown record class '{value}' for a time dimension; use one of "
                f"{', '.join(TIME_RECORD_CLASSES)}"
            )
        return value

    @property
    def record_class(self) -> str:
        return self.class_name or "Time"

    def time_zone_required_in_geography(self) -> bool:
        """True when the geography records must name each record's time zone."""
        return False


def _move_into_ranges(cls_name: str, data: dict, key: str) -> None:
    """Older files give ``str_format``/``frequency`` once; dsgrid 0.4 gives it per range."""
    value = data.pop(key)
    _notice(cls_name, f"legacy key '{key}' moved into each of 'ranges'")
    for rng in data.get("ranges") or []:
        if isinstance(rng, dict):
            rng.setdefault(key, value)


def _copy_ranges(data: dict) -> dict:
    data = dict(data)
    if isinstance(data.get("ranges"), list):
        data["ranges"] = [dict(r) if isinstance(r, dict) else r for r in data["ranges"]]
    return data


class DatetimeTimeConfig(TimeBase):
    """Timestamps that are points on the calendar (``time_type: datetime``)."""

    time_type: Literal["datetime"] = "datetime"
    ranges: list[DatetimeRange] = Field(min_length=1)
    time_zone_format: TimeZoneFormat
    column_format: ColumnFormat = Field(default_factory=TimestampColumn)
    time_interval_type: TimeInterval
    measurement_type: MeasurementType = MeasurementType.TOTAL

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = _copy_ranges(data)
        name = cls.__name__
        if "leap_day_adjustment" in data:
            value = data.pop("leap_day_adjustment")
            if value not in (None, "none"):
                raise ValueError(
                    f"leap_day_adjustment '{value}' is no longer a time dimension field: give "
                    "it as time_based_data_adjustment.leap_day_adjustment of the dataset's "
                    "entry in the project config"
                )
            _notice(name, "legacy key 'leap_day_adjustment' ('none') dropped")
        if "datetime_format" in data:
            _notice(name, "legacy key 'datetime_format' read as 'time_zone_format'")
            value = data.pop("datetime_format")
            data.setdefault("time_zone_format", value)
        if "timezone" in data:
            zone = data.pop("timezone")
            _notice(name, "legacy key 'timezone' read as 'time_zone_format.time_zone'")
            fmt = data.get("time_zone_format")
            if fmt is None:
                data["time_zone_format"] = {
                    "format_type": "aligned_in_absolute_time",
                    "time_zone": zone,
                }
            elif isinstance(fmt, dict) and _zone_format_tag(fmt) == "aligned_in_absolute_time":
                data["time_zone_format"] = {**fmt, "time_zone": zone}
            else:
                raise ValueError(
                    "'timezone' names one zone, but time_zone_format is "
                    "aligned_in_std_clock_time (several zones): remove 'timezone'"
                )
        for key in ("str_format", "frequency"):
            if key in data:
                _move_into_ranges(name, data, key)
        if "time_column" in data:
            _notice(name, "legacy key 'time_column' read as 'column_format.time_column'")
            column = data.pop("time_column")
            fmt = data.get("column_format")
            if fmt is None:
                data["column_format"] = {"dtype": "timestamp_tz", "time_column": column}
            elif isinstance(fmt, dict) and _column_format_tag(fmt) == "timestamp_column":
                data["column_format"] = {**fmt, "time_column": column}
            else:
                raise ValueError("'time_column' cannot be used with time_format_in_parts")
        fmt = data.get("column_format")
        if isinstance(fmt, dict) and "dtype" not in fmt:
            raise ValueError(
                "column_format needs a dtype: timestamp_tz, timestamp_ntz or time_format_in_parts"
            )
        return data

    @model_validator(mode="after")
    def _naive_needs_fixed_offset(self):
        if not self.column_format.naive:
            return self
        for zone in self.time_zone_format.zones():
            if zone not in ("LOCAL", "NONE") and observes_dst(zone):
                raise ValueError(
                    f"time zone '{zone}' observes daylight saving time, but the timestamps "
                    "are tz-naive (column_format dtype timestamp_ntz, or time in parts "
                    "without offset_column): clock times skip and repeat an hour there. Use "
                    "a fixed-offset zone such as 'Etc/GMT+5', or timestamps with offsets"
                )
        return self

    def time_zone_required_in_geography(self) -> bool:
        return self.time_zone_format.format_type == "aligned_in_std_clock_time"

    @property
    def step(self) -> timedelta:
        """The frequency (every range of a dimension dsgrid can align has the same one)."""
        return self.ranges[0].frequency

    @property
    def time_zone(self) -> str:
        """The single zone of aligned-in-absolute-time timestamps ("UTC" when none given)."""
        fmt = self.time_zone_format
        if isinstance(fmt, AlignedInAbsoluteTime):
            return fmt.time_zone or "UTC"
        raise ValueError(
            "this time dimension is aligned_in_std_clock_time: each row has its own zone"
        )

    def local_timestamps(self) -> list[datetime]:
        """Every expected timestamp, naive, as written in the ranges."""
        out: list[datetime] = []
        for rng in self.ranges:
            out.extend(rng.local_timestamps())
        return out

    def instants_in(self, zone_name: str) -> list[datetime]:
        """Expected timestamps as aware UTC instants when the ranges are read in a zone.

        As in dsgrid, a range steps in absolute time from its start; with a frequency of a
        day or more each step keeps the same clock time across daylight-saving changes."""
        zone = ZoneInfo("UTC" if zone_name in ("LOCAL", "NONE") else zone_name)
        out: list[datetime] = []
        for rng in self.ranges:
            start, end = rng.bounds()
            freq = rng.frequency
            if freq >= timedelta(days=1):
                out.extend(t.replace(tzinfo=zone).astimezone(UTC) for t in rng.local_timestamps())
                continue
            cur = start.replace(tzinfo=zone).astimezone(UTC)
            stop = end.replace(tzinfo=zone).astimezone(UTC)
            while cur <= stop:
                out.append(cur)
                cur += freq
        return out

    def instants(self) -> list[datetime]:
        """Expected timestamps as aware UTC instants, as the registry stores them."""
        return self.instants_in(self.time_zone)

    def period_beginning_instants(self) -> list[datetime]:
        """Instants shifted so that each labels the beginning of its period."""
        shift = self.step if self.time_interval_type == TimeInterval.PERIOD_ENDING else timedelta(0)
        return [t - shift for t in self.instants()]


class AnnualTimeConfig(TimeBase):
    """One value per year; a value is the year's total."""

    time_type: Literal["annual"]
    ranges: list[AnnualRange] = Field(default_factory=list)
    include_leap_day: bool = False
    measurement_type: MeasurementType = MeasurementType.TOTAL

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        if isinstance(data, dict) and "str_format" in data:
            data = _copy_ranges(data)
            _move_into_ranges(cls.__name__, data, "str_format")
        return data

    @field_validator("measurement_type")
    @classmethod
    def _total_only(cls, value):
        if value != MeasurementType.TOTAL:
            raise ValueError(
                f"annual time supports measurement_type 'total' only (a year's total), "
                f"not '{value}'"
            )
        return value

    def years(self) -> list[int]:
        years: list[int] = []
        for rng in self.ranges:
            years.extend(rng.years())
        return years


REPRESENTATIVE_COLUMNS = {
    "one_week_per_month_by_hour": ("month", "day_of_week", "hour"),
    "one_weekday_day_and_one_weekend_day_per_month_by_hour": ("month", "is_weekday", "hour"),
}


class RepresentativePeriodTimeConfig(TimeBase):
    """Typical periods, e.g. one week per month by hour, in each geography's own clock time
    (the geography records give each record's time zone)."""

    time_type: Literal["representative_period"]
    format: Literal[
        "one_week_per_month_by_hour", "one_weekday_day_and_one_weekend_day_per_month_by_hour"
    ]
    ranges: list[MonthRange]
    time_interval_type: TimeInterval
    measurement_type: MeasurementType = MeasurementType.TOTAL

    def time_zone_required_in_geography(self) -> bool:
        return True

    def months(self) -> list[int]:
        months: list[int] = []
        for rng in self.ranges:
            months.extend(range(rng.start, rng.end + 1))
        return months

    def columns(self) -> tuple[str, ...]:
        return REPRESENTATIVE_COLUMNS[self.format]

    def periods(self) -> list[tuple[int, ...]]:
        """Every (month, day_of_week 0=Monday | is_weekday 1/0, hour) the data must have."""
        middle = range(7) if self.format == "one_week_per_month_by_hour" else (1, 0)
        return [(m, d, h) for m in self.months() for d in middle for h in range(24)]


class IndexTimeConfig(TimeBase):
    """Integer time steps; each range says which timestamp its first index stands for."""

    time_type: Literal["index"]
    ranges: list[IndexRange] = Field(min_length=1)
    time_interval_type: TimeInterval
    measurement_type: MeasurementType = MeasurementType.TOTAL

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = _copy_ranges(data)
        if "starting_timestamps" in data:
            starts = data.pop("starting_timestamps") or []
            ranges = data.get("ranges") or []
            if len(starts) != len(ranges):
                raise ValueError(
                    f"starting_timestamps has {len(starts)} entries for {len(ranges)} ranges: "
                    "give one per range"
                )
            _notice(cls.__name__, "legacy key 'starting_timestamps' moved into each of 'ranges'")
            for rng, start in zip(ranges, starts, strict=True):
                if isinstance(rng, dict):
                    rng.setdefault("starting_timestamp", start)
        for key in ("str_format", "frequency"):
            if key in data:
                _move_into_ranges(cls.__name__, data, key)
        return data

    def time_zone_required_in_geography(self) -> bool:
        return True

    @property
    def step(self) -> timedelta:
        return self.ranges[0].frequency

    def indices(self) -> list[int]:
        out: list[int] = []
        for rng in self.ranges:
            out.extend(range(rng.start, rng.end + 1))
        return out


class NoOpTimeConfig(TimeBase):
    """No time: the values do not vary in time (e.g. growth factors)."""

    time_type: Literal["noop"]
