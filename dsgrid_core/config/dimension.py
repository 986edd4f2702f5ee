"""Dimension configs: the 8 dimension types, record classes with their columns, and the
non-time dimension (records from a file or inline). Time dimensions are in `time_dimension`,
the union of both in `any_dimension`."""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

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
