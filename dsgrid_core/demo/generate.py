"""Write the demo project: dsgrid JSON5 configs, record CSVs, mappings, Parquet data, bulk file.

Why the demo looks the way it does:

* It is a real dsgrid project in dsgrid's own formats (the layout of dsgrid-test-data's
  test_efs), so registering it exercises the same code paths as a user's project, and a user
  can read it as an example to copy. Nothing comes from `../shared`: records ship in
  `data/` (real, public, BSD-3) and values are generated (`shapes.py`).
* Data are stored once, at one model year (2025) and one scenario (reference), as trivial
  dimensions; each submission's `dimension_mappings.json5` expands them to the project's three
  model years and two scenarios with `one_to_many_explicit_multipliers`. Files stay small
  while queries see 6x the rows, as with real dsgrid datasets.
* Each dataset has its own end-use ids (`com_heating`, `res_heating`, ...) mapped to the
  project's end uses with `one_to_one`, so a mapping of records (not just of years) is
  exercised. Units are identical on both sides of that mapping.
* The commercial dataset is one_table/stacked, the residential one two_table/pivoted on
  metric: the two layouts users meet most. Absent combinations (unconditioned warehouses,
  small offices without refrigeration, mobile homes in dense urban counties, and the other
  sector's records of the shared sector and subsector dimensions) are declared as
  `missing_associations` CSVs named `<dim>__<dim>.csv`, in dataset ids. The pivoted file never
  holds a null: its gaps are whole lookup rows.
* Project time is hourly 2018 in EST (`Etc/GMT+5`, no daylight saving), period beginning,
  like test_efs: every demo state is in the Eastern time zone. Parquet timestamps are UTC
  (2018-01-01 05:00 to 2019-01-01 04:00); the load shapes follow each county's local clock.
* Supplemental dimensions: county -> state, census division, census region (aggregations);
  county -> "Demo Balancing Areas", a synthetic many_to_many_disaggregation where some
  counties are split between two areas with fractions summing to 1; model year -> decade.
  A subset dimension selects commercial and residential subsectors.
* Scales add whole states (see `catalog.SCALE_STATES`); `expected_stacked_rows(scale)` gives
  the stored row count without generating anything.

Generation is staged in a hidden folder inside `out_dir` and moved into place at the end, so
an interrupted run never leaves a half-written project behind.
"""

from __future__ import annotations

import csv
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from dsgrid_core.demo import catalog, configs
from dsgrid_core.demo.catalog import (
    COMSTOCK_LIKE,
    DATASET_MODEL_YEAR,
    DATASET_SCENARIO,
    DATASETS,
    DECADES,
    MODEL_YEARS,
    NO_MOBILE_HOME_COUNTIES,
    PROJECT_END_USES,
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
from dsgrid_core.demo.configs import BASE, BULK_FILE, PROJECT_DIR, SELECTORS, SUBSET_FILE
from dsgrid_core.errors import InputError

__all__ = ["expected_stacked_rows", "generate_demo_files"]

logger = logging.getLogger(__name__)

County = dict[str, str]


def _write_json5(path: Path, value: dict, comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"// {line}\n" for line in comment.splitlines())
    path.write_text(lines + configs.to_json5(value) + "\n", encoding="utf-8")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# The shipped public files disagree on one id: states_and_territories.csv says mid_atlantic,
# census_divisions.csv says middle_atlantic (found by the registry's own mapping check).
DIVISION_ALIASES = {"mid_atlantic": "middle_atlantic"}


def _package_rows(name: str, ids: set[str] | None = None) -> list[dict[str, str]]:
    return [r for r in read_package_csv(name) if ids is None or r["id"] in ids]


def _state_list(states: Iterable[str]) -> str:
    names = sorted(states)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ---------------------------------------------------------------------------------------------
# Project
# ---------------------------------------------------------------------------------------------
def balancing_areas(counties: list[County]) -> tuple[list, list]:
    """Synthetic balancing areas: two per state (one for single-county states), about one per
    dozen counties in big states; every other county is split between its own area and the
    neighbouring one. Returns (records, mapping rows) and does not depend on the seed."""
    records: list[tuple[str, str]] = []
    mapping: list[tuple[str, str, float]] = []
    by_state: dict[str, list[County]] = {}
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


def _write_project_records(root: Path, counties: list[County]) -> None:
    states = {c["state"] for c in counties}
    state_rows = [
        {**r, "census_division": DIVISION_ALIASES.get(r["census_division"], r["census_division"])}
        for r in _package_rows("states_and_territories.csv", states)
    ]
    state_of = {r["id"]: r for r in state_rows}

    def base_file(dim_type: str) -> Path:
        return root / BASE[dim_type][2]

    _write_csv(
        base_file("geography"),
        ["id", "name", "state", "time_zone"],
        [(c["id"], c["name"], c["state"], c["time_zone"]) for c in counties],
    )
    _write_csv(
        base_file("sector"),
        ["id", "name"],
        [(r["id"], r["name"]) for r in _package_rows("sectors.csv", set(SELECTORS))],
    )
    names = {r["id"]: r["name"] for r in read_package_csv("subsectors.csv")}
    _write_csv(
        base_file("subsector"),
        ["id", "name", "sector", "abbr"],
        [(s.id, names[s.id], s.sector, s.abbr) for s in SUBSECTORS],
    )
    end_uses = {r["id"]: r for r in read_package_csv("enduses.csv")}
    _write_csv(
        base_file("metric"),
        ["id", "name", "fuel_id", "unit"],
        [
            (e.id, end_uses[e.id]["name"], end_uses[e.id]["fuel_id"], e.unit)
            for e in PROJECT_END_USES
        ],
    )
    _write_csv(base_file("model_year"), ["id", "name"], [(y, y) for y in MODEL_YEARS])
    _write_csv(base_file("scenario"), ["id", "name"], SCENARIOS)
    _write_csv(base_file("weather_year"), ["id", "name"], [(WEATHER_YEAR, WEATHER_YEAR)])
    _write_csv(
        root / SUBSET_FILE,
        ["id", *SELECTORS.values()],
        [(s.id, *("x" if s.sector == sector else "" for sector in SELECTORS)) for s in SUBSECTORS],
    )

    divisions = {r["census_division"] for r in state_rows}
    regions = {r["census_region"] for r in state_rows}
    ba_records, ba_mapping = balancing_areas(counties)
    state_columns = ["id", "name", "is_conus", "census_division", "census_region"]
    supplemental = {
        "states": (
            state_columns,
            [[r[c] for c in state_columns] for r in state_rows],
            [(c["id"], c["state"]) for c in counties],
        ),
        "census_divisions": (
            ["id", "name"],
            [(r["id"], r["name"]) for r in _package_rows("census_divisions.csv", divisions)],
            [(c["id"], state_of[c["state"]]["census_division"]) for c in counties],
        ),
        "census_regions": (
            ["id", "name"],
            [(r["id"], r["name"]) for r in _package_rows("census_regions.csv", regions)],
            [(c["id"], state_of[c["state"]]["census_region"]) for c in counties],
        ),
        "demo_balancing_areas": (["id", "name"], ba_records, ba_mapping),
        "decades": (
            ["id", "name"],
            [(d, f"{d}s") for d in sorted(set(DECADES.values()))],
            [(y, DECADES[y]) for y in MODEL_YEARS],
        ),
    }
    for supp in configs.SUPPLEMENTAL:
        header, records, mapping = supplemental[supp.key]
        _write_csv(root / supp.file, header, records)
        mapping_header = ["from_id", "to_id", "from_fraction"][: len(mapping[0])]
        _write_csv(root / supp.mapping_file, mapping_header, mapping)


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------
def missing_associations(spec: DatasetSpec, counties: list[County]) -> dict[str, tuple]:
    """File name -> (header, rows) of a dataset's declared missing associations."""
    own = {s.id for s in subsectors_of(spec.sector)}
    sector_subsector = [
        (sector, s.id)
        for sector in SELECTORS
        for s in SUBSECTORS
        if sector != spec.sector or s.id not in own
    ]
    files = {"sector__subsector.csv": (("sector", "subsector"), sector_subsector)}
    if spec.missing_subsector_metric:
        files["subsector__metric.csv"] = (("subsector", "metric"), spec.missing_subsector_metric)
    if spec.sector == "res":
        rows = [(c["id"], "mobile_home") for c in counties if c["id"] in NO_MOBILE_HOME_COUNTIES]
        if rows:
            files["geography__subsector.csv"] = (("geography", "subsector"), rows)
    return files


def _write_dataset_files(folder: Path, spec: DatasetSpec, counties: list[County]) -> None:
    """Everything of a dataset folder except the data: configs, records, mappings, gaps."""
    fuels = {r["id"]: r["fuel_id"] for r in read_package_csv("enduses.csv")}
    units = {e.id: e.unit for e in PROJECT_END_USES}
    records = configs.DATASET_RECORDS
    _write_csv(
        folder / records["metric"],
        ["id", "name", "fuel_id", "unit"],
        [(eu.id, eu.name, fuels[eu.project_id], units[eu.project_id]) for eu in spec.end_uses],
    )
    _write_csv(folder / records["model_year"], ["id", "name"], [(DATASET_MODEL_YEAR,) * 2])
    _write_csv(
        folder / records["scenario"],
        ["id", "name"],
        [(DATASET_SCENARIO, dict(SCENARIOS)[DATASET_SCENARIO])],
    )
    for name, (header, rows) in missing_associations(spec, counties).items():
        _write_csv(folder / configs.MISSING_ASSOCIATIONS_DIR / name, header, rows)

    mappings = configs.DATASET_MAPPINGS
    header = ["from_id", "to_id", "from_fraction"]
    _write_csv(
        folder / mappings["metric"], header, [(eu.id, eu.project_id, 1) for eu in spec.end_uses]
    )
    _write_csv(
        folder / mappings["model_year"],
        header,
        [(DATASET_MODEL_YEAR, y, m) for y, m in spec.model_year_multipliers],
    )
    _write_csv(
        folder / mappings["scenario"],
        header,
        [(DATASET_SCENARIO, s, m) for s, m in spec.scenario_multipliers],
    )
    _write_json5(
        folder / "dimension_mappings.json5",
        configs.submission_mappings(spec),
        f"Mappings for submitting {spec.dataset_id} to {configs.PROJECT_ID}.\n"
        "Paths are relative to this file.",
    )
    _write_json5(
        folder / "dataset.json5",
        configs.dataset_config(spec),
        "dsgrid dataset config, generated by dsgrid_core.demo.\nPaths are relative to this file.",
    )


def _write_data(
    folder: Path, spec: DatasetSpec, counties: list[County], weather, seed: int, advance
) -> int:
    from dsgrid_core.demo import load_data  # late: numpy, pyarrow

    if spec is COMSTOCK_LIKE:
        return load_data.write_one_table_stacked(
            folder / configs.LOAD_DATA, spec, counties, weather, seed, advance
        )
    return load_data.write_two_table_pivoted(
        folder / configs.LOAD_DATA,
        folder / configs.LOAD_DATA_LOOKUP,
        spec,
        counties,
        weather,
        seed,
        advance,
    )


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
    given, is called as `progress(rows_done, rows_total)` after each Parquet row group.
    """
    from dsgrid_core.demo import load_data  # late: numpy, pyarrow

    catalog.check_scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
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
        _write_project_records(root, counties)
        _write_json5(
            root / "project.json5",
            configs.project_config(_state_list({c["state"] for c in counties})),
            f"dsgrid project config, generated by dsgrid_core.demo (scale {scale}).\n"
            "Paths are relative to this file.",
        )
        weather = load_data.new_weather(seed)
        written = {}
        for spec in DATASETS:
            folder = staging / configs.dataset_dir(spec)
            _write_dataset_files(folder, spec, counties)
            written[spec.dataset_id] = _write_data(folder, spec, counties, weather, seed, advance)
        expected = expected_rows_by_dataset(scale)
        if written != expected:  # a bug in this package, not bad input
            raise RuntimeError(f"demo rows written {written} differ from expected {expected}")
        _write_json5(
            staging / BULK_FILE,
            configs.bulk_registration(),
            "Bulk registration of the dsgrid-viewer demo in dsgrid's bulk-register format.\n"
            "Paths are relative to this file's folder.",
        )
        for target in targets:
            (staging / target.name).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info(
        "Wrote the %s demo (%d counties, %d stacked rows) to %s", scale, len(counties), total, out
    )
    return out / BULK_FILE


END_USE_HEADER = ["id", "name", "fuel_id", "unit"]


def relabel_end_use_units(out_dir: Path, unit: str) -> int:
    """Rewrite the end-use records of a demo generated in ``out_dir`` (the project's and each
    dataset's) in one ``unit``, the values unchanged: the demo as the planner sees projects
    whose end uses share a unit (real ones keep theirs, fuels included, in kWh), where it mixes
    four on purpose. For tests and benchmarks. Returns how many files it rewrote."""
    rewritten = 0
    for path in sorted(Path(out_dir).rglob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if not rows or rows[0] != END_USE_HEADER:
            continue
        _write_csv(path, END_USE_HEADER, [[*row[:3], unit] for row in rows[1:]])
        rewritten += 1
    return rewritten
