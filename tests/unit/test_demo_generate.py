"""The demo generator writes a valid dsgrid project, checked here independently of dsgrid_core's
own config models: plain json5, csv, pyarrow and DuckDB over the written files."""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import json5
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dsgrid_core.demo import expected_stacked_rows, generate_demo_files
from dsgrid_core.errors import InputError

HOURS = 8760
PATH_KEYS = {"file", "filename", "path", "config_file", "dimension_mapping_file"}
SUM_TO_ONE_PER_FROM = {
    "one_to_one",
    "many_to_one_aggregation",
    "many_to_one_reassignment",
    "one_to_many_disaggregation",
    "many_to_many_disaggregation",
    "many_to_many_aggregation",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The small demo, generated once for the module; tests only read it."""
    return generate_demo_files(tmp_path_factory.mktemp("demo"), "small", seed=0)


@functools.cache
def load(path: Path) -> dict:
    """A parsed JSON5 file (cached: json5 is slow and the tests only read)."""
    return json5.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def project_dir(bulk: Path) -> Path:
    return (bulk.parent / load(bulk)["projects"][0]["config_file"]).parent


def datasets(bulk: Path) -> dict[str, Path]:
    """dataset_id -> folder of its dataset.json5."""
    return {
        d["dataset_id"]: (bulk.parent / d["config_file"]).parent for d in load(bulk)["datasets"]
    }


def base_dimension(bulk: Path, dim_type: str) -> dict:
    project = load(project_dir(bulk) / "project.json5")
    (dim,) = [d for d in project["dimensions"]["base_dimensions"] if d["type"] == dim_type]
    return dim


def base_ids(bulk: Path, dim_type: str) -> set[str]:
    file = project_dir(bulk) / base_dimension(bulk, dim_type)["file"]
    return {r["id"] for r in read_csv(file)}


def dataset_dimension_ids(folder: Path, dim_type: str) -> set[str]:
    config = load(folder / "dataset.json5")
    (dim,) = [d for d in config["dimensions"] if d["type"] == dim_type]
    return {r["id"] for r in read_csv(folder / dim["file"])}


STACKED_ONE_TABLE = "CREATE VIEW data AS SELECT * FROM raw"
STACKED_TWO_TABLE = (
    "CREATE VIEW data AS SELECT l.geography, l.sector, l.subsector, u.metric, u.timestamp, "
    "u.value FROM (UNPIVOT raw ON COLUMNS(* EXCLUDE (id, timestamp)) INTO NAME metric "
    "VALUE value) u JOIN lookup l USING (id)"
)


@pytest.fixture(scope="module")
def stacked(demo) -> dict[str, duckdb.DuckDBPyConnection]:
    """dataset_id -> a DuckDB connection whose view `data` is the dataset, stacked."""
    connections = {}
    for dataset_id, folder in datasets(demo).items():
        layout = load(folder / "dataset.json5")["data_layout"]
        con = duckdb.connect()
        con.register("raw", pq.read_table(folder / layout["data_file"]["path"]))
        if layout["table_format"] == "one_table":
            con.execute(STACKED_ONE_TABLE)
        else:
            con.register("lookup", pq.read_table(folder / layout["lookup_data_file"]["path"]))
            con.execute(STACKED_TWO_TABLE)
        connections[dataset_id] = con
    yield connections
    for con in connections.values():
        con.close()


def test_returns_the_bulk_file_and_every_json5_file_parses(demo):
    assert demo.name == "registration.json5" and demo.is_file()
    files = sorted(demo.parent.rglob("*.json5"))
    assert len(files) == 6  # bulk, project, 2 x (dataset, dimension_mappings)
    for path in files:
        assert isinstance(load(path), dict), path
    bulk = load(demo)
    assert [p["project_id"] for p in bulk["projects"]] == ["demo_us_buildings"]
    assert {d["dataset_id"] for d in bulk["datasets"]} == {
        "demo_comstock_like",
        "demo_resstock_like",
    }
    assert {(s["dataset_id"], s["project_id"]) for s in bulk["dataset_submissions"]} == {
        ("demo_comstock_like", "demo_us_buildings"),
        ("demo_resstock_like", "demo_us_buildings"),
    }


def _paths_in(value) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in PATH_KEYS and isinstance(item, str):
                found.append(item)
            elif key == "missing_associations":
                found.extend(item)
            else:
                found.extend(_paths_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_paths_in(item))
    return found


def test_every_path_in_every_config_exists_relative_to_that_config(demo):
    checked = 0
    for config in demo.parent.rglob("*.json5"):
        for relative in _paths_in(load(config)):
            assert not Path(relative).is_absolute(), (config, relative)
            target = (config.parent / relative).resolve()
            assert target.exists(), f"{config}: {relative}"
            assert demo.parent.resolve() in target.parents, f"{relative} leaves the demo folder"
            checked += 1
    assert checked >= 40


def test_record_files_have_unique_ids_and_the_columns_of_their_class(demo):
    columns = {
        "County": {"id", "name", "state", "time_zone"},
        "State": {"id", "name", "is_conus", "census_division", "census_region"},
        "Subsector": {"id", "name", "sector", "abbr"},
        "EnergyEndUse": {"id", "name", "fuel_id", "unit"},
    }
    configs = [project_dir(demo) / "project.json5"]
    configs += [folder / "dataset.json5" for folder in datasets(demo).values()]
    names = set()
    for config_path in configs:
        config = load(config_path)
        dims = config.get("dimensions", [])
        if isinstance(dims, dict):
            dims = dims["base_dimensions"] + dims["supplemental_dimensions"]
        for dim in dims:
            if dim["type"] == "time":
                continue
            assert re.fullmatch(r"[\w -]+", dim["name"]), dim["name"]
            assert dim["name"] not in names
            names.add(dim["name"])
            rows = read_csv(config_path.parent / dim["file"])
            ids = [r["id"] for r in rows]
            assert rows and len(ids) == len(set(ids)), dim["name"]
            assert set(rows[0]) == columns.get(dim["class"], {"id", "name"}), dim["name"]
            if dim["class"] == "EnergyEndUse":
                assert {r["unit"] for r in rows} <= {"kWh", "MWh", "therm", "MBtu"}
    counties = read_csv(project_dir(demo) / "dimensions" / "counties.csv")
    assert {c["state"] for c in counties} == {"DC", "DE"}
    assert {c["time_zone"] for c in counties} == {"EasternPrevailing"}


def test_project_time_dimension_is_hourly_2018_est(demo):
    time = base_dimension(demo, "time")
    assert time["time_type"] == "datetime"
    assert time["time_zone_format"] == {
        "format_type": "aligned_in_absolute_time",
        "time_zone": "Etc/GMT+5",
    }
    assert time["ranges"] == [
        {
            "start": "2018-01-01 00:00:00",
            "end": "2018-12-31 23:00:00",
            "str_format": "%Y-%m-%d %H:%M:%S",
            "frequency": "01:00:00",
        }
    ]
    assert (time["time_interval_type"], time["measurement_type"]) == ("period_beginning", "total")


def test_datasets_reference_project_dimensions_that_exist(demo):
    project = load(project_dir(demo) / "project.json5")
    base = {(d["name"], d["type"]) for d in project["dimensions"]["base_dimensions"]}
    for folder in datasets(demo).values():
        config = load(folder / "dataset.json5")
        refs = {(r["name"], r["type"]) for r in config["dimension_references"]}
        assert refs <= base
        own = {d["type"] for d in config["dimensions"]}
        assert {t for _, t in refs} | own == {
            "geography",
            "sector",
            "subsector",
            "metric",
            "model_year",
            "scenario",
            "weather_year",
            "time",
        }
        assert set(config["trivial_dimensions"]) == {"weather_year", "model_year", "scenario"}
        for dim_type in ("model_year", "scenario"):
            assert len(dataset_dimension_ids(folder, dim_type)) == 1


def _check_fractions(rows: list[dict[str, str]], mapping_type: str, label: str) -> None:
    by_from: dict[str, float] = defaultdict(float)
    for row in rows:
        by_from[row["from_id"]] += float(row.get("from_fraction") or 1)
    if mapping_type in SUM_TO_ONE_PER_FROM:
        bad = {k: v for k, v in by_from.items() if abs(v - 1) > 1e-6}
        assert not bad, f"{label}: fractions do not sum to 1: {bad}"


def test_base_to_supplemental_mappings_cover_the_base_records_and_sum_to_one(demo):
    root = project_dir(demo)
    project = load(root / "project.json5")
    types = {
        d["type"]: d["mapping"]["mapping_type"]
        for d in project["dimensions"]["supplemental_dimensions"]
    }
    assert "many_to_many_disaggregation" in types.values()
    split = 0
    for dim in project["dimensions"]["supplemental_dimensions"]:
        mapping = dim["mapping"]
        rows = read_csv(root / mapping["file"])
        assert {r["from_id"] for r in rows} == base_ids(demo, dim["type"]), dim["name"]
        assert {r["to_id"] for r in rows} <= {r["id"] for r in read_csv(root / dim["file"])}
        _check_fractions(rows, mapping["mapping_type"], dim["name"])
        if mapping["mapping_type"] == "many_to_many_disaggregation":
            assert "from_fraction" in rows[0]
            split += sum(1 for r in rows if float(r["from_fraction"]) < 1)
    assert split >= 2, "some county must be split between two balancing areas"


def test_submission_mappings_go_from_dataset_records_to_project_records(demo):
    for dataset_id, folder in datasets(demo).items():
        config = load(folder / "dimension_mappings.json5")
        kinds = {m["dimension_type"]: m["mapping_type"] for m in config["mappings"]}
        assert kinds == {
            "metric": "one_to_one",
            "model_year": "one_to_many_explicit_multipliers",
            "scenario": "one_to_many_explicit_multipliers",
        }
        for mapping in config["mappings"]:
            dim_type = mapping["dimension_type"]
            rows = read_csv(folder / mapping["file"])
            assert {r["from_id"] for r in rows} == dataset_dimension_ids(folder, dim_type)
            to_ids = {r["to_id"] for r in rows}
            assert to_ids <= base_ids(demo, dim_type)
            if dim_type != "metric":  # expanded to every project model year and scenario
                assert to_ids == base_ids(demo, dim_type)
            _check_fractions(rows, mapping["mapping_type"], f"{dataset_id} {dim_type}")
            if mapping["mapping_type"] == "one_to_one":
                assert len({r["to_id"] for r in rows}) == len(rows)
                assert all(float(r["from_fraction"]) == 1 for r in rows)
        units_from = {r["id"]: r["unit"] for r in read_csv(folder / "dimensions" / "enduses.csv")}
        project_units = {
            r["id"]: r["unit"]
            for r in read_csv(project_dir(demo) / base_dimension(demo, "metric")["file"])
        }
        for row in read_csv(folder / "dimension_mappings" / "enduse_to_project_enduse.csv"):
            assert units_from[row["from_id"]] == project_units[row["to_id"]]


def test_data_files_have_dsgrid_column_types(demo):
    folders = datasets(demo)
    com = pq.read_schema(folders["demo_comstock_like"] / "load_data.parquet")
    assert com.names == ["timestamp", "geography", "sector", "subsector", "metric", "value"]
    assert com.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert all(com.field(c).type == pa.string() for c in ("geography", "sector", "subsector"))
    assert com.field("value").type == pa.float64()
    res = pq.read_schema(folders["demo_resstock_like"] / "load_data.parquet")
    assert res.names[:2] == ["id", "timestamp"]
    assert set(res.names[2:]) == dataset_dimension_ids(folders["demo_resstock_like"], "metric")
    assert all(res.field(c).type == pa.float64() for c in res.names[2:])
    lookup = pq.read_schema(folders["demo_resstock_like"] / "load_data_lookup.parquet")
    assert lookup.names == ["id", "geography", "sector", "subsector"]


COMBOS = "SELECT DISTINCT geography, sector, subsector, metric FROM data"
SERIES = (
    "SELECT geography, subsector, metric, count(*), count(DISTINCT timestamp), min(timestamp), "
    "max(timestamp) FROM data GROUP BY ALL"
)
FIRST_AND_LAST = "SELECT TIMESTAMPTZ '2018-01-01 05:00:00+00', TIMESTAMPTZ '2019-01-01 04:00:00+00'"
BAD_VALUES = (
    "SELECT count(*) FROM data WHERE value IS NULL OR isnan(value) OR isinf(value) OR value < 0"
)
HEATING_AND_COOLING_BY_MONTH = (
    "SELECT metric || '/' || month(timestamp AT TIME ZONE 'Etc/GMT+5'), sum(value) FROM data "
    "WHERE metric LIKE '%heating' OR metric LIKE '%cooling' GROUP BY 1"
)
OFFICE_LIGHTING_BY_WEEKDAY_HOUR = (
    "SELECT hour(timestamp AT TIME ZONE 'America/New_York'), avg(value) FROM data "
    "WHERE subsector = 'small_office' AND metric = 'com_interior_lighting' "
    "AND dayofweek(timestamp AT TIME ZONE 'America/New_York') BETWEEN 1 AND 5 GROUP BY 1"
)


@pytest.fixture(scope="module")
def combos(stacked) -> dict[str, set[tuple[str, str, str, str]]]:
    """dataset_id -> distinct (geography, sector, subsector, metric) in its data."""
    return {d: set(con.execute(COMBOS).fetchall()) for d, con in stacked.items()}


def test_every_data_id_is_a_dimension_record(demo, combos):
    for dataset_id, folder in datasets(demo).items():
        known = [
            base_ids(demo, "geography"),
            base_ids(demo, "sector"),
            base_ids(demo, "subsector"),
            dataset_dimension_ids(folder, "metric"),
        ]
        for position, ids in enumerate(known):
            found = {combo[position] for combo in combos[dataset_id]}
            assert found and found <= ids, (dataset_id, found - ids)
    res = datasets(demo)["demo_resstock_like"]
    data_ids = pq.read_table(res / "load_data.parquet", columns=["id"])["id"].unique()
    lookup_ids = pq.read_table(res / "load_data_lookup.parquet", columns=["id"])["id"]
    assert sorted(data_ids.to_pylist()) == sorted(lookup_ids.to_pylist())
    assert len(set(lookup_ids.to_pylist())) == len(lookup_ids)


def _missing_patterns(folder: Path) -> list[dict[str, str]]:
    config = load(folder / "dataset.json5")
    patterns = []
    for entry in config["data_layout"]["missing_associations"]:
        for file in sorted((folder / entry).glob("*.csv")):
            rows = read_csv(file)
            assert set(rows[0]) == set(file.stem.split("__")), file
            patterns += rows
    return patterns


def test_associations_are_complete_except_exactly_the_declared_missing_ones(demo, combos):
    for dataset_id, folder in datasets(demo).items():
        records = {
            "geography": sorted(base_ids(demo, "geography")),
            "sector": sorted(base_ids(demo, "sector")),
            "subsector": sorted(base_ids(demo, "subsector")),
            "metric": sorted(dataset_dimension_ids(folder, "metric")),
        }
        patterns = _missing_patterns(folder)
        assert patterns
        expected = set()
        for combo in itertools.product(*records.values()):
            row = dict(zip(records, combo, strict=True))
            if not any(all(row[k] == v for k, v in p.items()) for p in patterns):
                expected.add(combo)
        found = combos[dataset_id]
        assert found == expected, (dataset_id, sorted(found ^ expected)[:5])
        # Declared patterns name real records of the dataset's dimensions (nothing stale).
        for p in patterns:
            assert all(v in records[k] for k, v in p.items()), p


def test_every_series_has_all_8760_hours_of_2018_est(demo, stacked):
    for dataset_id, con in stacked.items():
        rows = con.execute(SERIES).fetchall()
        assert {r[0] for r in rows} == base_ids(demo, "geography")
        first_last = con.execute(FIRST_AND_LAST).fetchone()
        for row in rows:
            assert row[3] == row[4] == HOURS, (dataset_id, row[:3])
            assert (row[5], row[6]) == first_last, (dataset_id, row[:3])


def test_row_count_matches_expected_stacked_rows(stacked):
    total = sum(
        con.execute("SELECT count(value) FROM data").fetchone()[0] for con in stacked.values()
    )
    assert total == expected_stacked_rows("small")
    assert 1_500_000 <= total <= 3_000_000
    assert 20_000_000 <= expected_stacked_rows("medium") <= 25_000_000
    assert 150_000_000 <= expected_stacked_rows("large") <= 200_000_000


def test_values_are_finite_non_negative_and_seasonal(stacked):
    for dataset_id, con in stacked.items():
        assert con.execute(BAD_VALUES).fetchone()[0] == 0
        by_month = dict(con.execute(HEATING_AND_COOLING_BY_MONTH).fetchall())
        prefix = "com" if "comstock" in dataset_id else "res"
        assert by_month[f"{prefix}_heating/1"] > 5 * by_month[f"{prefix}_heating/7"]
        assert by_month[f"{prefix}_cooling/7"] > 5 * by_month[f"{prefix}_cooling/1"]


def test_commercial_loads_follow_opening_hours(stacked):
    by_hour = dict(
        stacked["demo_comstock_like"].execute(OFFICE_LIGHTING_BY_WEEKDAY_HOUR).fetchall()
    )
    assert by_hour[12] > 3 * by_hour[3]


def test_required_records_are_what_the_datasets_provide_after_mapping(demo, combos):
    root = project_dir(demo)
    project = load(root / "project.json5")
    subset = project["dimensions"]["subset_dimensions"][0]
    selectors = read_csv(root / subset["filename"])
    for required in project["datasets"]:
        folder = datasets(demo)[required["dataset_id"]]
        mapping = read_csv(folder / "dimension_mappings" / "enduse_to_project_enduse.csv")
        dims = required["required_dimensions"]
        assert set(dims["single_dimensional"]["metric"]["base"]) == {r["to_id"] for r in mapping}
        (multi,) = dims["multi_dimensional"]
        (selector,) = multi["subsector"]["subset"][0]["selectors"]
        wanted = {r["id"] for r in selectors if r[selector] == "x"}
        found = combos[required["dataset_id"]]
        assert {c[1] for c in found} == set(multi["sector"]["base"])
        assert {c[2] for c in found} == wanted


def test_same_seed_gives_identical_files_another_seed_other_values_with_progress(demo, tmp_path):
    calls = []
    again = generate_demo_files(
        tmp_path / "again", "small", seed=0, progress=lambda done, total: calls.append(done)
    )
    assert calls == sorted(calls) and calls[-1] == expected_stacked_rows("small")
    other = generate_demo_files(tmp_path / "other", "small", seed=1)
    for path in sorted(demo.parent.rglob("*")):
        if path.is_file():
            relative = path.relative_to(demo.parent)
            assert (again.parent / relative).read_bytes() == path.read_bytes(), relative
    relative = Path("demo_us_buildings/datasets/demo_comstock_like/load_data.parquet")
    assert (other.parent / relative).read_bytes() != (demo.parent / relative).read_bytes()
    assert (other.parent / "registration.json5").read_bytes() == demo.read_bytes()


def test_refuses_to_overwrite_a_demo_and_leaves_no_staging_folder(demo):
    with pytest.raises(InputError, match="already exist"):
        generate_demo_files(demo.parent, "small")
    assert not list(demo.parent.glob(".demo-staging-*"))


def test_unknown_scale_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="small, medium, large"):
        generate_demo_files(tmp_path, "huge")
    assert not list(tmp_path.iterdir())


def test_package_data_keeps_its_license_and_origin_note():
    from importlib import resources

    data = resources.files("dsgrid_core.demo").joinpath("data")
    assert "BSD 3-Clause" in data.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "StandardScenarios" in data.joinpath("ABOUT.md").read_text(encoding="utf-8")
    counties = data.joinpath("counties.csv").read_text(encoding="utf-8").splitlines()
    assert counties[0] == "id,name,state,time_zone" and len(counties) == 3109
