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
"""Factors to kWh (energy) and kW (power), used to convert query results. A record's unit is
free text, as in dsgrid (``unit: str``): a unit outside these tables is kept as written and
only refused when a conversion to or from it is asked for."""


FUNCTIONAL_FORMS = ("linear", "exponential")
"""Values of a regression record's ``regression_type`` (dsgrid's FunctionalForm)."""


class RecordClass:
    """The columns of a record class (dsgrid.dimension.standard): which are required, their
    types and the defaults of the optional ones. As in dsgrid, a column the class does not
    list is refused: a misspelt column would otherwise be kept and never used."""

    def __init__(
        self,
        dimension_type: str | None,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        booleans: tuple[str, ...] = (),
        types: dict[str, str] | None = None,
        defaults: dict[str, Any] | None = None,
    ):
        self.dimension_type = dimension_type
        self.required = ("id", "name", *required)
        self.optional = optional
        self.booleans = booleans
        # column -> "str" | "bool" | "int" | "float" | "form" (a FUNCTIONAL_FORMS value)
        self.types = {c: "str" for c in (*self.required, *optional)}
        self.types.update({c: "bool" for c in booleans})
        self.types.update(types or {})
        self.defaults = {c: "" for c in optional if self.types[c] == "str"}
        self.defaults.update(defaults or {})

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


_TZ = ("time_zone",)
_NO_TZ = {"time_zone": None}
_REGRESSION = {
    "optional": ("regression_type",),
    "types": {"regression_type": "form"},
    "defaults": {"regression_type": "linear"},
}


def _geography(required=(), optional=(), **kw) -> RecordClass:
    """Every geography class has dsgrid's optional time_zone column (None when absent)."""
    defaults = {**_NO_TZ, **kw.pop("defaults", {})}
    return RecordClass("geography", required, (*optional, *_TZ), defaults=defaults, **kw)


RECORD_CLASSES: dict[str, RecordClass] = {
    "County": _geography(("state",)),
    "State": _geography(
        (),
        ("is_conus", "census_division", "census_region"),
        booleans=("is_conus",),
        defaults={"is_conus": None},
    ),
    "CensusDivision": _geography(),
    "CensusRegion": _geography(),
    "Geography": _geography(),
    "Sector": RecordClass("sector", (), ("category",)),
    "Subsector": RecordClass("subsector", (), ("sector", "abbr")),
    "EnergyEndUse": RecordClass("metric", ("fuel_id", "unit")),
    "EnergyServiceDemand": RecordClass("metric", ("unit",)),
    "EnergyServiceDemandRegression": RecordClass("metric", ("unit",), **_REGRESSION),
    "EnergyEfficiency": RecordClass("metric", ("fuel_id", "unit")),
    "EnergyIntensityRegression": RecordClass("metric", ("unit",), **_REGRESSION),
    "EnergyIntensity": RecordClass("metric", ("unit",)),
    "Population": RecordClass("metric", ("unit",)),
    "Stock": RecordClass("metric", ("unit",)),
    "StockRegression": RecordClass("metric", ("unit",), **_REGRESSION),
    "StockShare": RecordClass("metric", ("unit",)),
    "FractionalIndex": RecordClass(
        "metric",
        ("unit", "min_value", "max_value"),
        types={"min_value": "float", "max_value": "float"},
    ),
    "PeggedIndex": RecordClass(
        "metric",
        ("unit", "base_year", "base_value"),
        types={"base_year": "int", "base_value": "float"},
    ),
    "WeatherVariable": RecordClass("metric", ("unit",)),
    "ModelYear": RecordClass("model_year"),
    "WeatherYear": RecordClass("weather_year"),
    "Scenario": RecordClass("scenario"),
    "DataSource": RecordClass(None),
    # classes of time dimensions (their records are generated, never read)
    "Time": RecordClass("time"),
    "AnnualTime": RecordClass("time"),
    "NoOpTime": RecordClass("time"),
}
# dsgrid's generic base models: id and name (and time_zone for geography) only.
for _type in DIMENSION_TYPES:
    _name = "".join(p.capitalize() for p in _type.split("_")) + "DimensionBaseModel"
    RECORD_CLASSES[_name] = _geography() if _type == "geography" else RecordClass(_type)

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
    # written by dsgrid into the configs it stores (registry database id, version): read back,
    # never used as input
    id: int | None = None
    version: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _dsgrid_module(cls, data: Any) -> Any:
        # dsgrid reads record classes from a module named here; only its own modules are
        # allowed, and ours are the classes of dsgrid.dimension.standard.
        module = data.get("module") if isinstance(data, dict) else None
        if module is not None and not str(module).startswith("dsgrid"):
            raise ValueError(
                f"module '{module}': only dsgrid's own modules hold record classes; remove "
                "'module' (the default is dsgrid.dimension.standard)"
            )
        if isinstance(data, dict) and "description" in data and data["description"] is None:
            data = {k: v for k, v in data.items() if k != "description"}  # dsgrid writes null
        return data

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
    file_hash: str | None = None  # written by dsgrid for a records file; not checked
    records: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _file_or_records(self):
        if self.file is not None and self.records == []:
            self.__dict__["records"] = None  # dsgrid writes "records: []" beside a file
        if (self.file is None) == (self.records is None):
            raise ValueError("give exactly one of 'file' (a records CSV) or 'records' (inline)")
        rc = RECORD_CLASSES[self.record_class]
        if rc.dimension_type not in (None, self.type.value):
            raise ValueError(
                f"record class '{self.record_class}' is for {rc.dimension_type} dimensions, "
                f"not {self.type.value}"
            )
        return self
