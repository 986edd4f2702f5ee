"""Write the demo project: dsgrid JSON5 configs, record CSVs, mappings, Parquet data, bulk file.

Why the demo looks the way it does:

* It is a real dsgrid project in dsgrid's own formats (the layout of dsgrid-test-data's
  test_efs), so registering it exercises the same code paths as a user's project, and a user
  can read it as an example to copy. Nothing comes from `../shared`: records ship in
  `data/` and values are generated.
* Data are stored once, at one model year (2025) and one scenario (reference), as trivial
  dimensions; each submission's `dimension_mappings.json5` expands them to the project's three
  model years and two scenarios with `one_to_many_explicit_multipliers`. This keeps files
  small while queries still see 6x the rows, as with real dsgrid datasets.
* Each dataset has its own end-use ids (`com_heating`, `res_heating`, ...) mapped to the
  project's end uses with `one_to_one`, so a mapping of records (not just of years) is
  exercised. Units are identical on both sides of that mapping.
* The commercial dataset is one_table/stacked, the residential one two_table/pivoted on
  metric: the two layouts users meet most. Absent combinations (unconditioned warehouses,
  small offices without refrigeration, mobile homes in dense urban counties, and the other
  sector's records of the shared sector and subsector dimensions) are declared as
  `missing_associations` CSVs named `<dim>__<dim>.csv`, in dataset ids.
* Project time is hourly 2018 in EST (`Etc/GMT+5`, no daylight saving), period beginning,
  like test_efs: every demo state is in the Eastern time zone. Parquet timestamps are UTC
  (2018-01-01 05:00 to 2019-01-01 04:00); the load shapes follow each county's local clock.
* Supplemental dimensions: county -> state, census division, census region (aggregations);
  county -> "Demo Balancing Areas", a synthetic many_to_many_disaggregation where some
  counties are split between two areas with fractions summing to 1; model year -> decade.
  A subset dimension selects commercial and residential subsectors.

Generation is staged in a hidden folder inside `out_dir` and moved into place at the end, so
an interrupted run never leaves a half-written project behind.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from dsgrid_core.demo import catalog
from dsgrid_core.demo.catalog import (
    COMSTOCK_LIKE,
    DATASET_MODEL_YEAR,
    DATASET_SCENARIO,
    DATASETS,
    DECADES,
    MODEL_YEARS,
    NO_MOBILE_HOME_COUNTIES,
    PROJECT_END_USES,
    RESSTOCK_LIKE,
    SCENARIOS,
    SUBSECTORS,
    WEATHER_YEAR,
    DatasetSpec,
    counties_for,
    expected_rows_by_dataset,
    expected_stacked_rows,
    read_package_csv,
    subsectors_of,
)
from dsgrid_core.errors import InputError

__all__ = ["expected_stacked_rows", "generate_demo_files"]

logger = logging.getLogger(__name__)

PROJECT_ID = "demo_us_buildings"
PROJECT_DIR = PROJECT_ID
BULK_FILE = "registration.json5"
TIME_ZONE = "Etc/GMT+5"
VERSION = "1.0.0"
SUBSET_NAME = "Subsectors by Sector"
SELECTORS = {"com": "commercial", "res": "residential"}

# Names of the project's base dimensions; datasets refer to some of them by name + version.
DIM = {
    "geography": "Demo Counties",
    "sector": "Demo Sectors",
    "subsector": "Demo Subsectors",
    "metric": "Demo End Uses",
    "model_year": "Demo Model Years",
    "scenario": "Demo Scenarios",
    "weather_year": "Demo Weather Year 2018",
    "time": "Demo Time 2018 Hourly EST",
}
REFERENCED_BY_DATASETS = ("geography", "sector", "subsector", "weather_year", "time")


# ---------------------------------------------------------------------------------------------
# Small writers
# ---------------------------------------------------------------------------------------------
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def to_json5(value, indent: int = 0) -> str:
    """JSON5 in the style of dsgrid's examples: unquoted keys, trailing commas."""
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


def _write_json5(path: Path, value: dict, comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"// {line}\n" for line in comment.splitlines())
    path.write_text(lines + to_json5(value) + "\n", encoding="utf-8")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _records(name: str, keep: Callable[[dict], bool] = lambda r: True) -> list[dict[str, str]]:
    return [r for r in read_package_csv(name) if keep(r)]


def _dimension(dim_type: str, cls: str, name: str, description: str, file: str) -> dict:
    return {"type": dim_type, "class": cls, "name": name, "description": description, "file": file}


# ---------------------------------------------------------------------------------------------
# Project
# ---------------------------------------------------------------------------------------------
def _balancing_areas(counties: list[dict[str, str]]) -> tuple[list, list]:
    """Synthetic balancing areas: two per state (one for single-county states); every other
    county is split between its own area and the neighbouring one."""
    records: list[tuple[str, str]] = []
    mapping: list[tuple[str, str, float]] = []
    by_state: dict[str, list[dict[str, str]]] = {}
    for county in counties:
        by_state.setdefault(county["state"], []).append(county)
    for state, members in by_state.items():
        n = len(members)
        k = 1 if n == 1 else max(2, round(n / 12))
        ids = [f"demo_ba_{state.lower()}_{j + 1}" for j in range(k)]
        records += [(ba, f"Demo BA {state}-{j + 1} (synthetic)") for j, ba in enumerate(ids)]
        for i, county in enumerate(members):
            home = i * k // n
            if k > 1 and i % 2 == 1:
                other = home + 1 if home + 1 < k else home - 1
                share = (0.2, 0.3, 0.4)[i % 3]
                mapping.append((county["id"], ids[home], round(1 - share, 6)))
                mapping.append((county["id"], ids[other], share))
            else:
                mapping.append((county["id"], ids[home], 1.0))
    return records, mapping


def _write_project(root: Path, scale: str) -> None:
    counties = counties_for(scale)
    states = {c["state"] for c in counties}
    state_rows = _records("states_and_territories.csv", lambda r: r["id"] in states)
    divisions = {r["census_division"] for r in state_rows}
    regions = {r["census_region"] for r in state_rows}
    state_of = {r["id"]: r for r in state_rows}
    dims = root / "dimensions"
    maps = root / "dimension_mappings" / "base_to_supplemental"

    _write_csv(
        dims / "counties.csv",
        ["id", "name", "state", "time_zone"],
        [(c["id"], c["name"], c["state"], c["time_zone"]) for c in counties],
    )
    _write_csv(
        dims / "sectors.csv",
        ["id", "name"],
        [(r["id"], r["name"]) for r in _records("sectors.csv", lambda r: r["id"] in SELECTORS)],
    )
    names = {r["id"]: r["name"] for r in read_package_csv("subsectors.csv")}
    _write_csv(
        dims / "subsectors.csv",
        ["id", "name", "sector", "abbr"],
        [(s.id, names[s.id], s.sector, s.abbr) for s in SUBSECTORS],
    )
    end_uses = {r["id"]: r for r in read_package_csv("enduses.csv")}
    _write_csv(
        dims / "enduses.csv",
        ["id", "name", "fuel_id", "unit"],
        [
            (e.id, end_uses[e.id]["name"], end_uses[e.id]["fuel_id"], e.unit)
            for e in PROJECT_END_USES
        ],
    )
    _write_csv(dims / "model_years.csv", ["id", "name"], [(y, y) for y in MODEL_YEARS])
    _write_csv(dims / "scenarios.csv", ["id", "name"], SCENARIOS)
    _write_csv(dims / "weather_years.csv", ["id", "name"], [(WEATHER_YEAR, WEATHER_YEAR)])

    supp = dims / "supplemental"
    _write_csv(
        supp / "states.csv",
        ["id", "name", "is_conus", "census_division", "census_region"],
        [
            (r["id"], r["name"], r["is_conus"], r["census_division"], r["census_region"])
            for r in state_rows
        ],
    )
    _write_csv(
        supp / "census_divisions.csv",
        ["id", "name"],
        [
            (r["id"], r["name"])
            for r in _records("census_divisions.csv", lambda r: r["id"] in divisions)
        ],
    )
    _write_csv(
        supp / "census_regions.csv",
        ["id", "name"],
        [
            (r["id"], r["name"])
            for r in _records("census_regions.csv", lambda r: r["id"] in regions)
        ],
    )
    ba_records, ba_mapping = _balancing_areas(counties)
    _write_csv(supp / "demo_balancing_areas.csv", ["id", "name"], ba_records)
    decades = sorted(set(DECADES.values()))
    _write_csv(supp / "decades.csv", ["id", "name"], [(d, f"{d}s") for d in decades])

    _write_csv(
        maps / "county_to_state.csv",
        ["from_id", "to_id"],
        [(c["id"], c["state"]) for c in counties],
    )
    _write_csv(
        maps / "county_to_census_division.csv",
        ["from_id", "to_id"],
        [(c["id"], state_of[c["state"]]["census_division"]) for c in counties],
    )
    _write_csv(
        maps / "county_to_census_region.csv",
        ["from_id", "to_id"],
        [(c["id"], state_of[c["state"]]["census_region"]) for c in counties],
    )
    _write_csv(
        maps / "county_to_demo_balancing_area.csv",
        ["from_id", "to_id", "from_fraction"],
        ba_mapping,
    )
    _write_csv(
        maps / "model_year_to_decade.csv",
        ["from_id", "to_id"],
        [(y, DECADES[y]) for y in MODEL_YEARS],
    )
    _write_csv(
        dims / "subset" / "subsectors_by_sector.csv",
        ["id", *SELECTORS.values()],
        [(s.id, *("x" if s.sector == sector else "" for sector in SELECTORS)) for s in SUBSECTORS],
    )

    state_names = sorted(states)
    state_list = ", ".join(state_names[:-1]) + " and " + state_names[-1]
    if len(state_names) == 1:
        state_list = state_names[0]
    base = [
        _dimension(
            "geography",
            "County",
            DIM["geography"],
            f"US counties (2010 FIPS) of {state_list}; time zones in dsgrid's names.",
            "dimensions/counties.csv",
        ),
        _dimension(
            "sector",
            "Sector",
            DIM["sector"],
            "Commercial and residential.",
            "dimensions/sectors.csv",
        ),
        _dimension(
            "subsector",
            "Subsector",
            DIM["subsector"],
            "Building types: five commercial (DOE prototype names) and three residential.",
            "dimensions/subsectors.csv",
        ),
        _dimension(
            "metric",
            "EnergyEndUse",
            DIM["metric"],
            "Twelve end uses; electricity in MWh or kWh, natural gas in MBtu or therm.",
            "dimensions/enduses.csv",
        ),
        _dimension(
            "model_year",
            "ModelYear",
            DIM["model_year"],
            "2025, 2035, 2045.",
            "dimensions/model_years.csv",
        ),
        _dimension(
            "scenario",
            "Scenario",
            DIM["scenario"],
            "Reference and high electrification.",
            "dimensions/scenarios.csv",
        ),
        _dimension(
            "weather_year",
            "WeatherYear",
            DIM["weather_year"],
            "Weather year 2018 (synthetic weather).",
            "dimensions/weather_years.csv",
        ),
        _time_dimension(),
    ]
    supplemental = [
        _supplemental(
            "geography",
            "State",
            "Demo States",
            "US states of the demo.",
            "states.csv",
            "Maps counties to their state.",
            "county_to_state.csv",
            "many_to_one_aggregation",
        ),
        _supplemental(
            "geography",
            "CensusDivision",
            "Demo Census Divisions",
            "US census divisions.",
            "census_divisions.csv",
            "Maps counties to census divisions.",
            "county_to_census_division.csv",
            "many_to_one_aggregation",
        ),
        _supplemental(
            "geography",
            "CensusRegion",
            "Demo Census Regions",
            "US census regions.",
            "census_regions.csv",
            "Maps counties to census regions.",
            "county_to_census_region.csv",
            "many_to_one_aggregation",
        ),
        _supplemental(
            "geography",
            "Geography",
            "Demo Balancing Areas",
            "SYNTHETIC balancing areas invented for the demo (two per state); not real "
            "utility or ISO territories.",
            "demo_balancing_areas.csv",
            "SYNTHETIC: splits some counties between two demo balancing areas; fractions per "
            "county sum to 1.",
            "county_to_demo_balancing_area.csv",
            "many_to_many_disaggregation",
        ),
        _supplemental(
            "model_year",
            "ModelYear",
            "Demo Decades",
            "Decades of the model years (id = first year).",
            "decades.csv",
            "Maps each model year to its decade.",
            "model_year_to_decade.csv",
            "many_to_one_aggregation",
        ),
    ]
    subset = {
        "name": SUBSET_NAME,
        "description": "Selects subsectors by sector.",
        "type": "subsector",
        "filename": "dimensions/subset/subsectors_by_sector.csv",
        "selectors": [
            {"name": "commercial", "description": "Commercial building types."},
            {"name": "residential", "description": "Residential building types."},
        ],
    }
    project = {
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
    _write_json5(
        root / "project.json5",
        project,
        f"dsgrid project config, generated by dsgrid_core.demo (scale {scale}).\n"
        "Paths are relative to this file.",
    )


def _time_dimension() -> dict:
    return {
        "type": "time",
        "class": "Time",
        "name": DIM["time"],
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


def _supplemental(
    dim_type: str,
    cls: str,
    name: str,
    description: str,
    file: str,
    mapping_description: str,
    mapping_file: str,
    mapping_type: str,
) -> dict:
    dim = _dimension(dim_type, cls, name, description, f"dimensions/supplemental/{file}")
    dim["mapping"] = {
        "description": mapping_description,
        "file": f"dimension_mappings/base_to_supplemental/{mapping_file}",
        "mapping_type": mapping_type,
    }
    return dim


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


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------
def _missing_associations(spec: DatasetSpec, counties: list[dict[str, str]]) -> dict[str, tuple]:
    """File name -> (header, rows) of the dataset's declared missing associations."""
    own = {s.id for s in subsectors_of(spec.sector)}
    sector_subsector = [
        (sector, s.id)
        for sector in SELECTORS
        for s in SUBSECTORS
        if sector != spec.sector or s.id not in own
    ]
    files = {"sector__subsector.csv": (("sector", "subsector"), sector_subsector)}
    if spec.missing_subsector_metric:
        files["subsector__metric.csv"] = (
            ("subsector", "metric"),
            list(spec.missing_subsector_metric),
        )
    if spec.sector == "res":
        rows = [(c["id"], "mobile_home") for c in counties if c["id"] in NO_MOBILE_HOME_COUNTIES]
        if rows:
            files["geography__subsector.csv"] = (("geography", "subsector"), rows)
    return files


def _write_dataset_configs(folder: Path, spec: DatasetSpec, counties: list[dict[str, str]]) -> None:
    fuels = {r["id"]: r["fuel_id"] for r in read_package_csv("enduses.csv")}
    units = {e.id: e.unit for e in PROJECT_END_USES}
    _write_csv(
        folder / "dimensions" / "enduses.csv",
        ["id", "name", "fuel_id", "unit"],
        [(eu.id, eu.name, fuels[eu.project_id], units[eu.project_id]) for eu in spec.end_uses],
    )
    _write_csv(
        folder / "dimensions" / "model_years.csv", ["id", "name"], [(DATASET_MODEL_YEAR,) * 2]
    )
    _write_csv(
        folder / "dimensions" / "scenarios.csv",
        ["id", "name"],
        [(DATASET_SCENARIO, dict(SCENARIOS)[DATASET_SCENARIO])],
    )
    for name, (header, rows) in _missing_associations(spec, counties).items():
        _write_csv(folder / "missing_associations" / name, header, rows)

    maps = folder / "dimension_mappings"
    _write_csv(
        maps / "enduse_to_project_enduse.csv",
        ["from_id", "to_id", "from_fraction"],
        [(eu.id, eu.project_id, 1) for eu in spec.end_uses],
    )
    _write_csv(
        maps / "model_year_to_project_model_year.csv",
        ["from_id", "to_id", "from_fraction"],
        [(DATASET_MODEL_YEAR, y, m) for y, m in spec.model_year_multipliers],
    )
    _write_csv(
        maps / "scenario_to_project_scenario.csv",
        ["from_id", "to_id", "from_fraction"],
        [(DATASET_SCENARIO, s, m) for s, m in spec.scenario_multipliers],
    )
    label = spec.label
    mappings = {
        "mappings": [
            {
                "mapping_type": "one_to_one",
                "description": f"Maps {label} end uses to the project's end uses (same units).",
                "file": "dimension_mappings/enduse_to_project_enduse.csv",
                "dimension_type": "metric",
            },
            {
                "mapping_type": "one_to_many_explicit_multipliers",
                "description": (
                    f"Expands the {label} model year {DATASET_MODEL_YEAR} to the project's "
                    "model years with efficiency multipliers."
                ),
                "file": "dimension_mappings/model_year_to_project_model_year.csv",
                "dimension_type": "model_year",
            },
            {
                "mapping_type": "one_to_many_explicit_multipliers",
                "description": (
                    f"Expands the {label} reference scenario to the project's scenarios with "
                    "scenario multipliers."
                ),
                "file": "dimension_mappings/scenario_to_project_scenario.csv",
                "dimension_type": "scenario",
            },
        ]
    }
    _write_json5(
        folder / "dimension_mappings.json5",
        mappings,
        f"Mappings for submitting {spec.dataset_id} to {PROJECT_ID}. Paths relative to this file.",
    )

    if spec.sector == "com":
        layout = {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.parquet"},
            "missing_associations": ["missing_associations"],
        }
    else:
        layout = {
            "table_format": "two_table",
            "value_format": "pivoted",
            "pivoted_dimension_type": "metric",
            "data_file": {"path": "load_data.parquet"},
            "lookup_data_file": {"path": "load_data_lookup.parquet"},
            "missing_associations": ["missing_associations"],
        }
    kind = "commercial" if spec.sector == "com" else "residential"
    config = {
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
                "dimensions/enduses.csv",
            ),
            _dimension(
                "model_year",
                "ModelYear",
                f"Demo {label} Model Year",
                f"The single model year the {label} data are stored at.",
                "dimensions/model_years.csv",
            ),
            _dimension(
                "scenario",
                "Scenario",
                f"Demo {label} Scenario",
                f"The single scenario the {label} data are stored at.",
                "dimensions/scenarios.csv",
            ),
        ],
        "dimension_references": [
            {"name": DIM[t], "type": t, "version": VERSION} for t in REFERENCED_BY_DATASETS
        ],
        "data_layout": layout,
    }
    _write_json5(
        folder / "dataset.json5",
        config,
        "dsgrid dataset config, generated by dsgrid_core.demo.\nPaths are relative to this file.",
    )


def _write_bulk(out: Path) -> Path:
    folder = f"{PROJECT_DIR}/datasets"
    bulk = {
        "projects": [{"project_id": PROJECT_ID, "config_file": f"{PROJECT_DIR}/project.json5"}],
        "datasets": [
            {
                "dataset_id": spec.dataset_id,
                "config_file": f"{folder}/{spec.dataset_id}/dataset.json5",
                "replace_dimension_names_with_ids": True,
            }
            for spec in DATASETS
        ],
        "dataset_submissions": [
            {
                "dataset_id": spec.dataset_id,
                "project_id": PROJECT_ID,
                "dimension_mapping_file": f"{folder}/{spec.dataset_id}/dimension_mappings.json5",
                "replace_dimension_mapping_names_with_ids": True,
            }
            for spec in DATASETS
        ],
    }
    path = out / BULK_FILE
    _write_json5(
        path,
        bulk,
        "Bulk registration of the dsgrid-viewer demo in dsgrid's bulk-register format.\n"
        "Paths are relative to this file's folder.",
    )
    return path


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
def generate_demo_files(
    out_dir: Path,
    scale: str = "small",
    seed: int = 0,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the demo project into `out_dir` and return the path of its bulk registration file.

    `out_dir` is created if needed and must not already hold a demo (`registration.json5` or
    the `demo_us_buildings/` folder). The data are deterministic for a given (scale, seed);
    `expected_stacked_rows(scale)` is the number of stacked rows written. `progress`, if
    given, is called as `progress(rows_done, rows_total)` after each row group.
    """
    from dsgrid_core.demo import load_data

    catalog.check_scale(scale)
    if not isinstance(seed, int) or seed < 0:
        raise InputError(f"The demo seed must be a non-negative integer, not {seed!r}.")
    out = Path(out_dir)
    targets = [out / BULK_FILE, out / PROJECT_DIR]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise InputError(
            f"{' and '.join(existing)} already exist: generate the demo into an empty folder "
            "or remove the previous demo first."
        )
    out.mkdir(parents=True, exist_ok=True)
    total = expected_stacked_rows(scale)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    counties = counties_for(scale)
    staging = Path(tempfile.mkdtemp(prefix=".demo-staging-", dir=out))
    try:
        root = staging / PROJECT_DIR
        _write_project(root, scale)
        weather = load_data.new_weather(seed)
        written: dict[str, int] = {}
        for spec in DATASETS:
            folder = root / "datasets" / spec.dataset_id
            _write_dataset_configs(folder, spec, counties)
            if spec is COMSTOCK_LIKE:
                written[spec.dataset_id] = load_data.write_one_table_stacked(
                    folder / "load_data.parquet", spec, counties, weather, seed, advance
                )
            elif spec is RESSTOCK_LIKE:
                written[spec.dataset_id] = load_data.write_two_table_pivoted(
                    folder / "load_data.parquet",
                    folder / "load_data_lookup.parquet",
                    spec,
                    counties,
                    weather,
                    seed,
                    advance,
                )
        expected = expected_rows_by_dataset(scale)
        if written != expected:  # a bug here, not bad input
            raise RuntimeError(f"demo rows written {written} differ from expected {expected}")
        _write_bulk(staging)
        for target in targets:
            (staging / target.name).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info(
        "Wrote demo %s (%s counties, %s stacked rows) to %s",
        scale,
        len(counties),
        f"{total:,}",
        out,
    )
    return out / BULK_FILE
