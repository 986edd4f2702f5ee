"""Time dimension configs: datetime, annual, representative-period, index and no-op time,
their time zones (IANA and dsgrid's legacy names) and frequencies."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.config.dimension import DimensionBase, DimensionType

# --- time zones ------------------------------------------------------------------------------

LEGACY_TIME_ZONES = {
    "UTC": "UTC",
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
    "ArizonaStandard": "America/Phoenix",
    "LOCAL": "LOCAL",
    "NONE": "NONE",
}


def to_iana_time_zone(value: str) -> str:
    """Accept IANA names and dsgrid's legacy names (``EasternStandard``); return IANA."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = LEGACY_TIME_ZONES.get(value, value)
    if value in ("LOCAL", "NONE"):
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone '{value}': use an IANA name such as 'America/New_York' or "
            "'Etc/GMT+5', or a dsgrid name such as 'EasternStandard'"
        ) from None
    return value


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


class TimeZoneFormat(DsgridModel):
    format_type: Literal["aligned_in_absolute_time", "aligned_in_clock_time", "local_time"] = (
        "aligned_in_absolute_time"
    )
    time_zone: str | None = None
    time_zones: list[str] | None = None

    @field_validator("time_zone")
    @classmethod
    def _iana(cls, value):
        return None if value is None else to_iana_time_zone(value)


class TimestampColumn(DsgridModel):
    dtype: Literal["timestamp_tz", "timestamp_ntz", "TIMESTAMP_TZ", "TIMESTAMP_NTZ"] = (
        "timestamp_tz"
    )
    time_column: str = "timestamp"


class TimeInPartsColumns(DsgridModel):
    """Time given as separate year/month/day/hour columns of the data file."""

    dtype: Literal["time_format_in_parts"]
    year_column: str = "year"
    month_column: str = "month"
    day_column: str = "day"
    hour_column: str | None = "hour"


def parse_frequency(value: Any) -> timedelta:
    """dsgrid writes frequencies as 'HH:MM:SS', 'D days, HH:MM:SS', ISO 'P1D'/'PT1H', or seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    text = str(value).strip()
    days = 0
    if "day" in text:
        head, _, text = text.partition(",")
        days = int(head.split()[0])
        text = text.strip() or "00:00:00"
    if text.startswith("P"):
        import re

        m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
        if not m or not any(m.groups()):
            raise ValueError(f"cannot read frequency '{value}'")
        d, h, mi, s = (int(g or 0) for g in m.groups())
        return timedelta(days=d, hours=h, minutes=mi, seconds=s)
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"cannot read frequency '{value}': write it as HH:MM:SS, e.g. 01:00:00")
    h, mi, s = int(parts[0]), int(parts[1]), float(parts[2])
    return timedelta(days=days, hours=h, minutes=mi, seconds=s)


class DatetimeRange(DsgridModel):
    start: str
    end: str
    str_format: str | None = None
    frequency: str | None = None


class TimeBase(DimensionBase):
    legacy_keys: ClassVar[dict[str, str | None]] = {
        **DimensionBase.legacy_keys,
        "timezone": "time_zone_format",
        "datetime_format": None,
    }
    type: Literal[DimensionType.TIME]
    time_interval_type: TimeInterval = TimeInterval.PERIOD_BEGINNING
    measurement_type: MeasurementType = MeasurementType.TOTAL

    @model_validator(mode="before")
    @classmethod
    def _legacy_timezone(cls, data: Any) -> Any:
        # Legacy files give a bare time zone string; current ones a time_zone_format object.
        if isinstance(data, dict) and isinstance(data.get("timezone"), str):
            data = dict(data)
            data["timezone"] = {
                "format_type": "aligned_in_absolute_time",
                "time_zone": data["timezone"],
            }
        return data


class DatetimeTimeConfig(TimeBase):
    time_type: Literal["datetime"] = "datetime"
    ranges: list[DatetimeRange] = Field(min_length=1)
    str_format: str = "%Y-%m-%d %H:%M:%S"
    frequency: str = "01:00:00"
    time_zone_format: TimeZoneFormat = Field(default_factory=TimeZoneFormat)
    column_format: TimestampColumn | TimeInPartsColumns = Field(default_factory=TimestampColumn)
    leap_day_adjustment: Literal["none", "drop_dec31", "drop_jan1", "drop_feb29"] = "none"

    @model_validator(mode="after")
    def _ranges_parse(self):
        step = self.step
        if step <= timedelta(0):
            raise ValueError("frequency must be positive")
        for i, rng in enumerate(self.ranges):
            fmt = rng.str_format or self.str_format
            try:
                start, end = datetime.strptime(rng.start, fmt), datetime.strptime(rng.end, fmt)
            except ValueError as exc:
                raise ValueError(f"ranges[{i}]: {exc} (str_format is '{fmt}')") from None
            if end < start:
                raise ValueError(f"ranges[{i}]: end {rng.end} is before start {rng.start}")
        return self

    @property
    def step(self) -> timedelta:
        return parse_frequency(self.frequency)

    @property
    def time_zone(self) -> str:
        return self.time_zone_format.time_zone or "UTC"

    def local_timestamps(self) -> list[datetime]:
        """Every expected timestamp, naive, in the dimension's own time zone (clock time)."""
        out: list[datetime] = []
        for rng in self.ranges:
            fmt = rng.str_format or self.str_format
            step = parse_frequency(rng.frequency) if rng.frequency else self.step
            current, end = datetime.strptime(rng.start, fmt), datetime.strptime(rng.end, fmt)
            while current <= end:
                if not (
                    self.leap_day_adjustment == "drop_feb29"
                    and current.month == 2
                    and current.day == 29
                ):
                    out.append(current)
                current += step
        return out

    def instants(self) -> list[datetime]:
        """Expected timestamps as aware UTC instants, as the registry stores them."""
        from datetime import UTC
        from zoneinfo import ZoneInfo

        tz = self.time_zone
        zone = ZoneInfo("UTC" if tz in ("LOCAL", "NONE") else tz)
        return [t.replace(tzinfo=zone).astimezone(UTC) for t in self.local_timestamps()]

    def period_beginning_instants(self) -> list[datetime]:
        """Instants shifted so that each labels the beginning of its period (used to align a
        period-ending dataset with a period-beginning project)."""
        shift = self.step if self.time_interval_type == TimeInterval.PERIOD_ENDING else timedelta(0)
        return [t - shift for t in self.instants()]


class AnnualRange(DsgridModel):
    start: str
    end: str


class AnnualTimeConfig(TimeBase):
    time_type: Literal["annual"]
    ranges: list[AnnualRange] = Field(min_length=1)
    str_format: str = "%Y"
    include_leap_day: bool = False
    frequency: str | None = None

    def years(self) -> list[int]:
        years: list[int] = []
        for rng in self.ranges:
            years.extend(range(int(rng.start), int(rng.end) + 1))
        return years


class RepresentativePeriodTimeConfig(TimeBase):
    time_type: Literal["representative_period"]
    format: Literal[
        "one_week_per_month_by_hour", "one_weekday_day_and_one_weekend_day_per_month_by_hour"
    ]
    ranges: list[AnnualRange] = Field(default_factory=list)

    def periods(self) -> list[tuple[int, ...]]:
        if self.format == "one_week_per_month_by_hour":
            return [(m, d, h) for m in range(1, 13) for d in range(7) for h in range(24)]
        return [(m, w, h) for m in range(1, 13) for w in (0, 1) for h in range(24)]


class IndexRange(DsgridModel):
    start: int
    end: int


class IndexTimeConfig(TimeBase):
    time_type: Literal["index"]
    ranges: list[IndexRange] = Field(min_length=1)
    frequency: str = "01:00:00"
    starting_timestamps: list[str] = Field(default_factory=list)
    str_format: str = "%Y-%m-%d %H:%M:%S"
    time_zone_format: TimeZoneFormat = Field(default_factory=TimeZoneFormat)

    @model_validator(mode="after")
    def _starts(self):
        if self.starting_timestamps and len(self.starting_timestamps) != len(self.ranges):
            raise ValueError("give one starting_timestamp per range")
        for ts in self.starting_timestamps:
            datetime.strptime(ts, self.str_format)
        parse_frequency(self.frequency)
        return self

    def indices(self) -> list[int]:
        out: list[int] = []
        for rng in self.ranges:
            out.extend(range(rng.start, rng.end + 1))
        return out


class NoOpTimeConfig(TimeBase):
    time_type: Literal["noop"]
