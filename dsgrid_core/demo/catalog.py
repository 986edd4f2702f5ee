"""What the demo project contains: scales, records, dataset end uses, gaps and multipliers.

Everything that decides *which rows exist* lives here and depends on the scale only, never on
the seed, so that `expected_stacked_rows` can answer without generating anything and without
numpy. Real records (counties, states, census divisions and regions, sectors, subsectors,
end-use ids and names) come from the package data folder `data/`, copied unchanged from the
public dsgrid StandardScenarios project (BSD-3, see `data/LICENSE` and `data/ABOUT.md`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dsgrid_core.errors import InputError

HOURS_PER_YEAR = 8760  # 2018 is not a leap year.

# Whole states per scale, each set a superset of the previous one so the demo grows in place.
# Every county of small, medium and large is in the Eastern time zone, which is why the project
# time dimension is EST (see `generate.py`). Rows per county: 43 commercial + 24 residential
# combinations.
SCALE_STATES: dict[str, tuple[str, ...]] = {
    # 4 counties, ~2.3M stacked rows.
    "small": ("DC", "DE"),
    # 41 counties, ~24M stacked rows.
    "medium": ("DC", "DE", "RI", "CT", "MA", "NH"),
    # 300 counties, ~176M stacked rows: the Northeast census region plus the Mid-Atlantic
    # states of the South Atlantic division that border it.
    "large": ("DC", "DE", "RI", "CT", "MA", "NH", "VT", "ME", "NY", "NJ", "PA", "MD", "WV"),
}
# For benchmarks only (bench/billion_rows.py): 2,046 counties, ~1.2 billion stacked rows (some
# 10 GB of Parquet), the states east of the Mississippi and those the river borders. Counties of
# the Central time zone store the same EST hours (absolute time, as every demo dataset).
SCALE_STATES["xlarge"] = (
    *SCALE_STATES["large"],
    *("VA", "NC", "SC", "GA", "FL", "AL", "MS", "TN", "KY", "OH", "IN", "MI", "IL", "WI"),
    *("MN", "IA", "MO", "AR", "LA"),
)
SCALES = tuple(SCALE_STATES)

# Dense urban counties without mobile homes: the residential dataset leaves them out, which
# is declared as missing geography__subsector associations.
NO_MOBILE_HOME_COUNTIES = frozenset(
    {"11001", "24510", "25025", "34017", "36005", "36047", "36061", "36081", "42101"}
)


@dataclass(frozen=True)
class Subsector:
    id: str
    sector: str
    abbr: str
    # Relative size of the building stock of this type in a county of size factor 1.
    weight: float


SUBSECTORS: tuple[Subsector, ...] = (
    Subsector("small_office", "com", "SmOff", 1.0),
    Subsector("retail_standalone", "com", "Retail", 1.1),
    Subsector("warehouse", "com", "Whse", 1.3),
    Subsector("primary_school", "com", "PriSch", 0.6),
    Subsector("hospital", "com", "Hosp", 0.45),
    Subsector("single_family_detached", "res", "SFD", 1.0),
    Subsector("multifamily_5_plus_units", "res", "MF5", 0.35),
    Subsector("mobile_home", "res", "MH", 0.08),
)


@dataclass(frozen=True)
class ProjectEndUse:
    id: str  # an id of data/enduses.csv; name and fuel come from there
    unit: str


# Units: data/enduses.csv says MWh / MBtu for everything; a few are changed to kWh and therm
# on purpose so that the project exercises unit conversion.
PROJECT_END_USES: tuple[ProjectEndUse, ...] = (
    ProjectEndUse("electricity_heating", "MWh"),
    ProjectEndUse("electricity_cooling", "MWh"),
    ProjectEndUse("electricity_fans", "MWh"),
    ProjectEndUse("electricity_interior_lighting", "MWh"),
    ProjectEndUse("electricity_exterior_lighting", "kWh"),
    ProjectEndUse("electricity_interior_equipment", "MWh"),
    ProjectEndUse("electricity_refrigeration", "kWh"),
    ProjectEndUse("electricity_water_systems", "MWh"),
    ProjectEndUse("electricity_plug_loads", "kWh"),
    ProjectEndUse("natural_gas_heating", "MBtu"),
    ProjectEndUse("natural_gas_water_systems", "therm"),
    ProjectEndUse("natural_gas_cooking_range", "therm"),
)


@dataclass(frozen=True)
class DatasetEndUse:
    id: str  # dataset-specific id
    name: str
    project_id: str  # the project end use it maps to (one_to_one, fraction 1)
    shape: str  # load-shape family, see shapes.py
    # Annual energy of a county of size factor 1 and a subsector of weight 1, in MWh for
    # electricity and MBtu for natural gas (converted to the end use's unit when written).
    annual: float


@dataclass(frozen=True)
class DatasetSpec:
    dataset_id: str
    sector: str
    label: str  # used in dimension names, e.g. "ComStock-like"
    end_uses: tuple[DatasetEndUse, ...]
    # (subsector id, dataset end-use id) pairs that do not exist.
    missing_subsector_metric: tuple[tuple[str, str], ...]
    # Scenario multipliers of the one_to_many_explicit_multipliers mapping.
    scenario_multipliers: tuple[tuple[str, float], ...]
    model_year_multipliers: tuple[tuple[str, float], ...]


COMSTOCK_LIKE = DatasetSpec(
    dataset_id="demo_comstock_like",
    sector="com",
    label="ComStock-like",
    end_uses=(
        DatasetEndUse("com_heating", "Heating", "electricity_heating", "heating", 900.0),
        DatasetEndUse("com_cooling", "Cooling", "electricity_cooling", "cooling", 1500.0),
        DatasetEndUse("com_fans", "Fans", "electricity_fans", "fans", 900.0),
        DatasetEndUse(
            "com_interior_lighting",
            "Interior Lighting",
            "electricity_interior_lighting",
            "interior_lighting",
            1800.0,
        ),
        DatasetEndUse(
            "com_exterior_lighting",
            "Exterior Lighting",
            "electricity_exterior_lighting",
            "exterior_lighting",
            300.0,
        ),
        DatasetEndUse(
            "com_interior_equipment",
            "Interior Equipment",
            "electricity_interior_equipment",
            "interior_equipment",
            2000.0,
        ),
        DatasetEndUse(
            "com_refrigeration",
            "Refrigeration",
            "electricity_refrigeration",
            "refrigeration",
            600.0,
        ),
        DatasetEndUse(
            "com_water_systems", "Water Systems", "electricity_water_systems", "water", 250.0
        ),
        DatasetEndUse("com_gas_heating", "Gas Heating", "natural_gas_heating", "heating", 9000.0),
    ),
    # Unconditioned warehouses; small offices without commercial refrigeration.
    missing_subsector_metric=(("small_office", "com_refrigeration"), ("warehouse", "com_cooling")),
    scenario_multipliers=(("reference", 1.0), ("high_electrification", 1.15)),
    model_year_multipliers=(("2025", 1.0), ("2035", 0.95), ("2045", 0.9)),
)

RESSTOCK_LIKE = DatasetSpec(
    dataset_id="demo_resstock_like",
    sector="res",
    label="ResStock-like",
    end_uses=(
        DatasetEndUse("res_heating", "Heating", "electricity_heating", "heating", 20000.0),
        DatasetEndUse("res_cooling", "Cooling", "electricity_cooling", "cooling", 30000.0),
        DatasetEndUse(
            "res_lighting", "Lighting", "electricity_interior_lighting", "interior_lighting", 9000.0
        ),
        DatasetEndUse(
            "res_plug_loads", "Plug Loads", "electricity_plug_loads", "plug_loads", 45000.0
        ),
        DatasetEndUse(
            "res_water_systems", "Water Systems", "electricity_water_systems", "water", 15000.0
        ),
        DatasetEndUse("res_gas_heating", "Gas Heating", "natural_gas_heating", "heating", 900000.0),
        DatasetEndUse(
            "res_gas_water_systems",
            "Gas Water Systems",
            "natural_gas_water_systems",
            "water",
            250000.0,
        ),
        DatasetEndUse(
            "res_gas_cooking_range",
            "Gas Cooking Range",
            "natural_gas_cooking_range",
            "cooking",
            40000.0,
        ),
    ),
    # Residential gaps are whole lookup rows (mobile homes in dense urban counties), so the
    # pivoted file never needs a null cell.
    missing_subsector_metric=(),
    scenario_multipliers=(("reference", 1.0), ("high_electrification", 1.15)),
    model_year_multipliers=(("2025", 1.0), ("2035", 0.95), ("2045", 0.9)),
)

DATASETS: tuple[DatasetSpec, ...] = (COMSTOCK_LIKE, RESSTOCK_LIKE)

MODEL_YEARS = ("2025", "2035", "2045")
DECADES = {"2025": "2020", "2035": "2030", "2045": "2040"}
SCENARIOS = (("reference", "Reference"), ("high_electrification", "High Electrification"))
WEATHER_YEAR = "2018"
DATASET_MODEL_YEAR = "2025"
DATASET_SCENARIO = "reference"


def subsectors_of(sector: str) -> tuple[Subsector, ...]:
    return tuple(s for s in SUBSECTORS if s.sector == sector)


def check_scale(scale: str) -> None:
    if scale not in SCALE_STATES:
        raise InputError(
            f"Unknown demo scale {scale!r}: use one of {', '.join(SCALES)} "
            "(small about 2M stacked rows, medium about 24M, large about 176M; xlarge about "
            "1.2 billion, for benchmarks)."
        )


@cache
def read_package_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of one CSV shipped in `dsgrid_core/demo/data/` (ids stay strings: FIPS keep zeros)."""
    text = (
        resources.files("dsgrid_core.demo")
        .joinpath("data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return tuple(csv.DictReader(io.StringIO(text)))


def counties_for(scale: str) -> list[dict[str, str]]:
    """County records of the scale's states, sorted by FIPS (so grouped by state)."""
    check_scale(scale)
    states = set(SCALE_STATES[scale])
    return sorted(
        (dict(r) for r in read_package_csv("counties.csv") if r["state"] in states),
        key=lambda r: r["id"],
    )


def residential_subsectors_in(county_id: str) -> tuple[Subsector, ...]:
    subsectors = subsectors_of("res")
    if county_id in NO_MOBILE_HOME_COUNTIES:
        return tuple(s for s in subsectors if s.id != "mobile_home")
    return subsectors


def combos_per_county(spec: DatasetSpec, county_id: str) -> int:
    """Number of (subsector, end use) series a dataset stores for one county."""
    if spec.sector == "res":
        subsectors = residential_subsectors_in(county_id)
    else:
        subsectors = subsectors_of(spec.sector)
    missing = set(spec.missing_subsector_metric)
    return sum(1 for s in subsectors for eu in spec.end_uses if (s.id, eu.id) not in missing)


def expected_rows_by_dataset(scale: str) -> dict[str, int]:
    """Stacked rows each demo dataset stores at `scale` (before any mapping to the project)."""
    counties = counties_for(scale)
    return {
        spec.dataset_id: HOURS_PER_YEAR * sum(combos_per_county(spec, c["id"]) for c in counties)
        for spec in DATASETS
    }


def expected_stacked_rows(scale: str = "small") -> int:
    """Stacked rows the demo datasets hold together at `scale` (small 2,277,600)."""
    return sum(expected_rows_by_dataset(scale).values())
