"""Dimension configs: the 8 dimension types, record classes with their columns, time variants."""

from __future__ import annotations

import enum
import functools
from datetime import datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from dsgrid_core.config.base import DimensionName, DsgridModel, Version


class DimensionType(enum.StrEnum):
    METRIC = "metric"
    GEOGRAPHY = "geography"
    SECTOR = "sector"
    SUBSECTOR = "subsector"
    TIME = "time"
    WEATHER_YEAR = "weather_year"
    MODEL_YEAR = "model_year"
    SCENARIO = "scenario"


DIMENSION_TYPES: tuple[str, ...] = tuple(t.value for t in DimensionType)
NON_TIME_TYPES: tuple[str, ...] = tuple(t for t in DIMENSION_TYPES if t != "time")


# --- record classes -------------------------------------------------------------------------

ENERGY_UNITS = {
    "Wh": 1e-3,
    "kWh": 1.0,
    "MWh": 1e3,
    "GWh": 1e6,
    "TWh": 1e9,
    "therm": 29.307107,
    "MBtu": 293.07107,
    "MMBtu": 293.07107,
    "Btu": 2.9307107e-4,
    "kBtu": 0.29307107,
    "GJ": 277.77778,
    "MJ": 0.27777778,
    "TJ": 277777.78,
}
POWER_UNITS = {"W": 1e-3, "kW": 1.0, "MW": 1e3, "GW": 1e6, "TW": 1e9}
"""Factors to kWh (energy) and kW (power): one source for validation and unit conversion."""


class RecordClass:
    """Columns a record class requires, and the known values of some of them."""

    def __init__(
        self,
        dimension_type: str | None,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        booleans: tuple[str, ...] = (),
    ):
        self.dimension_type = dimension_type
        self.required = ("id", "name", *required)
        self.optional = optional
        self.booleans = booleans


RECORD_CLASSES: dict[str, RecordClass] = {
    "County": RecordClass("geography", ("state",), ("time_zone",)),
    "State": RecordClass(
        "geography",
        (),
        ("is_conus", "census_division", "census_region", "time_zone"),
        booleans=("is_conus",),
    ),
    "CensusDivision": RecordClass("geography"),
    "CensusRegion": RecordClass("geography"),
    "Geography": RecordClass("geography", (), ("time_zone",)),
    "Sector": RecordClass("sector", (), ("category",)),
    "Subsector": RecordClass("subsector", (), ("sector", "abbr")),
    "EnergyEndUse": RecordClass("metric", ("fuel_id", "unit")),
    "EnergyServiceDemand": RecordClass("metric", ("unit",), ("fuel_id",)),
    "EnergyEfficiency": RecordClass("metric", ("unit",), ("fuel_id",)),
    "Population": RecordClass("metric", ("unit",)),
    "Stock": RecordClass("metric", ("unit",)),
    "FractionalIndex": RecordClass("metric", ("unit",)),
    "ModelYear": RecordClass("model_year"),
    "WeatherYear": RecordClass("weather_year"),
    "Scenario": RecordClass("scenario"),
    "DataSource": RecordClass(None),
    "Time": RecordClass("time"),
}
# dsgrid's generic base models: any columns beyond id and name are kept.
for _type in DIMENSION_TYPES:
    _name = "".join(p.capitalize() for p in _type.split("_")) + "DimensionBaseModel"
    RECORD_CLASSES[_name] = RecordClass(_type)

DEFAULT_CLASS = {
    "metric": "EnergyEndUse",
    "geography": "Geography",
    "sector": "Sector",
    "subsector": "Subsector",
    "time": "Time",
    "weather_year": "WeatherYear",
    "model_year": "ModelYear",
    "scenario": "Scenario",
}


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


# --- dimension configs ------------------------------------------------------------------------


class DimensionReference(DsgridModel):
    """A registered dimension named by type + name + version (dsgrid's dimension_references)."""

    type: DimensionType
    name: str | None = None
    dimension_id: str | None = None
    version: Version = "1.0.0"

    @model_validator(mode="after")
    def _name_or_id(self):
        if not self.name and not self.dimension_id:
            raise ValueError("give the dimension's name (or dimension_id)")
        return self


class DimensionBase(DsgridModel):
    legacy_keys: ClassVar[dict[str, str | None]] = {"module": None, "filename": "file"}

    type: DimensionType
    name: DimensionName
    display_name: str | None = None
    description: str = ""
    class_name: str | None = Field(default=None, alias="class")
    dimension_id: str | None = None

    @field_validator("class_name")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None and value not in RECORD_CLASSES:
            known = ", ".join(sorted(k for k in RECORD_CLASSES if "BaseModel" not in k))
            raise ValueError(f"unknown record class '{value}'; known classes: {known}")
        return value

    @property
    def record_class(self) -> str:
        return self.class_name or DEFAULT_CLASS[self.type.value]


class DimensionConfig(DimensionBase):
    """A non-time dimension: records from a CSV file (`file`) or given inline (`records`)."""

    type: Literal[
        DimensionType.METRIC,
        DimensionType.GEOGRAPHY,
        DimensionType.SECTOR,
        DimensionType.SUBSECTOR,
        DimensionType.WEATHER_YEAR,
        DimensionType.MODEL_YEAR,
        DimensionType.SCENARIO,
    ]
    file: str | None = None
    records: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _file_or_records(self):
        if (self.file is None) == (self.records is None):
            raise ValueError("give exactly one of 'file' (a records CSV) or 'records' (inline)")
        rc = RECORD_CLASSES[self.record_class]
        if rc.dimension_type not in (None, self.type.value):
            raise ValueError(
                f"record class '{self.record_class}' is for {rc.dimension_type} dimensions, "
                f"not {self.type.value}"
            )
        return self


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


def _dimension_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        return str(value.get("time_type", "datetime")) if kind == "time" else "dimension"
    if isinstance(value, TimeBase):
        return value.time_type
    return "dimension"


AnyDimensionConfig = Annotated[
    Annotated[DimensionConfig, Tag("dimension")]
    | Annotated[DatetimeTimeConfig, Tag("datetime")]
    | Annotated[AnnualTimeConfig, Tag("annual")]
    | Annotated[RepresentativePeriodTimeConfig, Tag("representative_period")]
    | Annotated[IndexTimeConfig, Tag("index")]
    | Annotated[NoOpTimeConfig, Tag("noop")],
    Discriminator(_dimension_tag),
]
TimeDimensionConfig = (
    DatetimeTimeConfig
    | AnnualTimeConfig
    | RepresentativePeriodTimeConfig
    | IndexTimeConfig
    | NoOpTimeConfig
)


def parse_dimension(data: dict[str, Any]):
    """Validate one dimension entry, choosing the time variant by ``time_type``."""
    return _dimension_adapter().validate_python(data)


@functools.cache
def _dimension_adapter():
    from pydantic import TypeAdapter

    return TypeAdapter(AnyDimensionConfig)
