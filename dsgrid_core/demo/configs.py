"""The demo's dsgrid configs as plain dicts, and a JSON5 writer in the style of dsgrid's examples.

The dicts follow the files of dsgrid-test-data's test_efs project field for field (base and
supplemental dimensions with inline `mapping`s, a subset dimension with `filename` and
`selectors`, `required_dimensions` with `single_dimensional` / `multi_dimensional`, dataset
`dimension_references` by name + type + version, `data_layout`, a submission's `mappings`, the
bulk-register file), with two deliberate differences from those older files: the time
dimension uses the current `time_zone_format` and puts `str_format`/`frequency` in its range,
and no legacy `module` keys are written. Record file paths are constants here so that the
writer in `generate.py` and the configs cannot disagree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from dsgrid_core.demo.catalog import (
    DATASET_MODEL_YEAR,
    DATASET_SCENARIO,
    DATASETS,
    DatasetSpec,
)

PROJECT_ID = "demo_us_buildings"
PROJECT_DIR = PROJECT_ID
BULK_FILE = "registration.json5"
TIME_ZONE = "Etc/GMT+5"
VERSION = "1.0.0"
SUBSET_NAME = "Subsectors by Sector"
SUBSET_FILE = "dimensions/subset/subsectors_by_sector.csv"
SELECTORS = {"com": "commercial", "res": "residential"}

# Names and record files of the project's base dimensions (paths relative to project.json5).
BASE = {
    "geography": ("Demo Counties", "County", "dimensions/counties.csv"),
    "sector": ("Demo Sectors", "Sector", "dimensions/sectors.csv"),
    "subsector": ("Demo Subsectors", "Subsector", "dimensions/subsectors.csv"),
    "metric": ("Demo End Uses", "EnergyEndUse", "dimensions/enduses.csv"),
    "model_year": ("Demo Model Years", "ModelYear", "dimensions/model_years.csv"),
    "scenario": ("Demo Scenarios", "Scenario", "dimensions/scenarios.csv"),
    "weather_year": ("Demo Weather Year 2018", "WeatherYear", "dimensions/weather_years.csv"),
}
TIME_NAME = "Demo Time 2018 Hourly EST"
BASE_DESCRIPTIONS = {
    "sector": "Commercial and residential.",
    "subsector": "Building types: five commercial (DOE prototype names) and three residential.",
    "metric": "Twelve end uses; electricity in MWh or kWh, natural gas in MBtu or therm.",
    "model_year": "2025, 2035, 2045.",
    "scenario": "Reference and high electrification.",
    "weather_year": "Weather year 2018 (synthetic weather).",
}
# Datasets use these project dimensions as they are; the others are their own.
REFERENCED_BY_DATASETS = ("geography", "sector", "subsector", "weather_year", "time")


@dataclass(frozen=True)
class Supplemental:
    key: str  # stem of the records file, also used by the record writer
    mapping_stem: str  # stem of the base-to-supplemental mapping file
    type: str
    cls: str
    name: str
    description: str
    mapping_description: str
    mapping_type: str

    @property
    def file(self) -> str:
        return f"dimensions/supplemental/{self.key}.csv"

    @property
    def mapping_file(self) -> str:
        return f"dimension_mappings/base_to_supplemental/{self.mapping_stem}.csv"


SUPPLEMENTAL = (
    Supplemental(
        "states",
        "county_to_state",
        "geography",
        "State",
        "Demo States",
        "US states of the demo.",
        "Maps counties to their state.",
        "many_to_one_aggregation",
    ),
    Supplemental(
        "census_divisions",
        "county_to_census_division",
        "geography",
        "CensusDivision",
        "Demo Census Divisions",
        "US census divisions.",
        "Maps counties to their census division.",
        "many_to_one_aggregation",
    ),
    Supplemental(
        "census_regions",
        "county_to_census_region",
        "geography",
        "CensusRegion",
        "Demo Census Regions",
        "US census regions.",
        "Maps counties to their census region.",
        "many_to_one_aggregation",
    ),
    Supplemental(
        "demo_balancing_areas",
        "county_to_demo_balancing_area",
        "geography",
        "Geography",
        "Demo Balancing Areas",
        "SYNTHETIC balancing areas invented for the demo (a few per state); not real "
        "utility, ISO or ReEDS territories.",
        "SYNTHETIC: splits some counties between two demo balancing areas; the fractions of "
        "each county sum to 1.",
        "many_to_many_disaggregation",
    ),
    Supplemental(
        "decades",
        "model_year_to_decade",
        "model_year",
        "ModelYear",
        "Demo Decades",
        "Decades of the model years (id = first year of the decade).",
        "Maps each model year to its decade.",
        "many_to_one_aggregation",
    ),
)

# Files of a dataset folder (relative to dataset.json5 / dimension_mappings.json5).
DATASET_RECORDS = {
    "metric": "dimensions/enduses.csv",
    "model_year": "dimensions/model_years.csv",
    "scenario": "dimensions/scenarios.csv",
}
DATASET_MAPPINGS = {
    "metric": "dimension_mappings/enduse_to_project_enduse.csv",
    "model_year": "dimension_mappings/model_year_to_project_model_year.csv",
    "scenario": "dimension_mappings/scenario_to_project_scenario.csv",
}
MISSING_ASSOCIATIONS_DIR = "missing_associations"
LOAD_DATA = "load_data.parquet"
LOAD_DATA_LOOKUP = "load_data_lookup.parquet"


def dataset_dir(spec: DatasetSpec) -> str:
    """A dataset's folder relative to the bulk file."""
    return f"{PROJECT_DIR}/datasets/{spec.dataset_id}"


def _dimension(dim_type: str, cls: str, name: str, description: str, file: str) -> dict:
    return {"type": dim_type, "class": cls, "name": name, "description": description, "file": file}


def time_dimension() -> dict:
    return {
        "type": "time",
        "class": "Time",
        "name": TIME_NAME,
        "description": "Hourly 2018 in EST (UTC-5, no daylight saving), period beginning, totals.",
        "time_type": "datetime",
        "ranges": [
            {
                "start": "2018-01-01 00:00:00",
                "end": "2018-12-31 23:00:00",
                "str_format": "%Y-%m-%d %H:%M:%S",
                "frequency": "01:00:00",
            }
        ],
        "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": TIME_ZONE},
        "time_interval_type": "period_beginning",
        "measurement_type": "total",
    }


def _required(spec: DatasetSpec) -> dict:
    return {
        "dataset_id": spec.dataset_id,
        "dataset_type": "modeled",
        "version": VERSION,
        "required_dimensions": {
            "single_dimensional": {"metric": {"base": [eu.project_id for eu in spec.end_uses]}},
            "multi_dimensional": [
                {
                    "sector": {"base": [spec.sector]},
                    "subsector": {
                        "subset": [{"name": SUBSET_NAME, "selectors": [SELECTORS[spec.sector]]}]
                    },
                }
            ],
        },
    }


def project_config(state_list: str) -> dict:
    descriptions = dict(BASE_DESCRIPTIONS)
    descriptions["geography"] = (
        f"US counties (2010 FIPS) of {state_list}; time zones in dsgrid's names."
    )
    base = [
        _dimension(t, cls, name, descriptions[t], file) for t, (name, cls, file) in BASE.items()
    ]
    base.append(time_dimension())
    supplemental = []
    for supp in SUPPLEMENTAL:
        dim = _dimension(supp.type, supp.cls, supp.name, supp.description, supp.file)
        dim["mapping"] = {
            "description": supp.mapping_description,
            "file": supp.mapping_file,
            "mapping_type": supp.mapping_type,
        }
        supplemental.append(dim)
    subset = {
        "name": SUBSET_NAME,
        "description": "Selects subsectors by sector.",
        "type": "subsector",
        "filename": SUBSET_FILE,
        "selectors": [
            {"name": SELECTORS["com"], "description": "Commercial building types."},
            {"name": SELECTORS["res"], "description": "Residential building types."},
        ],
    }
    return {
        "project_id": PROJECT_ID,
        "name": "Demo US Buildings",
        "description": (
            "Demo project generated by dsgrid-viewer: hourly 2018 electricity and gas use of "
            f"commercial and residential buildings in the counties of {state_list}, for "
            "model years 2025-2045 and two scenarios. Real geography, synthetic values."
        ),
        "status": "Initial Registration",
        "datasets": [_required(spec) for spec in DATASETS],
        "dimensions": {
            "base_dimensions": base,
            "subset_dimensions": [subset],
            "supplemental_dimensions": supplemental,
        },
    }


def dataset_config(spec: DatasetSpec) -> dict:
    label = spec.label
    kind = "commercial" if spec.sector == "com" else "residential"
    if spec.sector == "com":
        layout = {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": LOAD_DATA},
            "missing_associations": [MISSING_ASSOCIATIONS_DIR],
        }
    else:
        layout = {
            "table_format": "two_table",
            "value_format": "pivoted",
            "pivoted_dimension_type": "metric",
            "data_file": {"path": LOAD_DATA},
            "lookup_data_file": {"path": LOAD_DATA_LOOKUP},
            "missing_associations": [MISSING_ASSOCIATIONS_DIR],
        }
    return {
        "dataset_id": spec.dataset_id,
        "dataset_type": "modeled",
        "data_source": "dsgrid_viewer_demo",
        "sector_description": kind,
        "description": (
            f"Synthetic {kind} building loads in the style of {label.removesuffix('-like')}: "
            f"hourly 2018, model year {DATASET_MODEL_YEAR}, {DATASET_SCENARIO} scenario "
            "(expanded to the project's years and scenarios by the submission mappings)."
        ),
        "origin_creator": "dsgrid-viewer demo generator",
        "origin_organization": "dsgrid-viewer",
        "origin_project": "dsgrid-viewer demo",
        "data_source_version": "1.0.0",
        "data_classification": "low",
        "tags": ["demo", "synthetic", kind, "2018"],
        "trivial_dimensions": ["weather_year", "model_year", "scenario"],
        "dimensions": [
            _dimension(
                "metric",
                "EnergyEndUse",
                f"Demo {label} End Uses",
                f"{label} end uses with dataset-specific ids.",
                DATASET_RECORDS["metric"],
            ),
            _dimension(
                "model_year",
                "ModelYear",
                f"Demo {label} Model Year",
                f"The single model year the {label} data are stored at.",
                DATASET_RECORDS["model_year"],
            ),
            _dimension(
                "scenario",
                "Scenario",
                f"Demo {label} Scenario",
                f"The single scenario the {label} data are stored at.",
                DATASET_RECORDS["scenario"],
            ),
        ],
        "dimension_references": [
            {"name": BASE[t][0] if t in BASE else TIME_NAME, "type": t, "version": VERSION}
            for t in REFERENCED_BY_DATASETS
        ],
        "data_layout": layout,
    }


def submission_mappings(spec: DatasetSpec) -> dict:
    label = spec.label
    return {
        "mappings": [
            {
                "mapping_type": "one_to_one",
                "description": f"Maps {label} end uses to the project's end uses (same units).",
                "file": DATASET_MAPPINGS["metric"],
                "dimension_type": "metric",
            },
            {
                "mapping_type": "one_to_many_explicit_multipliers",
                "description": (
                    f"Expands the {label} model year {DATASET_MODEL_YEAR} to the project's "
                    "model years with efficiency multipliers."
                ),
                "file": DATASET_MAPPINGS["model_year"],
                "dimension_type": "model_year",
            },
            {
                "mapping_type": "one_to_many_explicit_multipliers",
                "description": (
                    f"Expands the {label} {DATASET_SCENARIO} scenario to the project's scenarios "
                    "with scenario multipliers."
                ),
                "file": DATASET_MAPPINGS["scenario"],
                "dimension_type": "scenario",
            },
        ]
    }


def bulk_registration() -> dict:
    """dsgrid's bulk-register file; paths are relative to the file's folder."""
    return {
        "projects": [{"project_id": PROJECT_ID, "config_file": f"{PROJECT_DIR}/project.json5"}],
        "datasets": [
            {
                "dataset_id": spec.dataset_id,
                "config_file": f"{dataset_dir(spec)}/dataset.json5",
            }
            for spec in DATASETS
        ],
        "dataset_submissions": [
            {
                "dataset_id": spec.dataset_id,
                "project_id": PROJECT_ID,
                "dimension_mapping_file": f"{dataset_dir(spec)}/dimension_mappings.json5",
            }
            for spec in DATASETS
        ],
    }


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def to_json5(value, indent: int = 0) -> str:
    """JSON5 as dsgrid's examples write it: unquoted keys (but "class"), trailing commas."""
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = []
        for key, item in value.items():
            name = key if _IDENTIFIER.match(key) and key != "class" else json.dumps(key)
            items.append(f"{pad}{name}: {to_json5(item, indent + 1)},")
        return "{\n" + "\n".join(items) + "\n" + end + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{to_json5(item, indent + 1)}," for item in value]
        return "[\n" + "\n".join(items) + "\n" + end + "]"
    return json.dumps(value)
