"""Data layouts end to end: one small dataset (annual time, 2 metrics x 3 geographies x 2
subsectors) written in each layout dsgrid reads (one table stacked or pivoted, two tables,
declared columns with renames, types and ignored columns; combinations left out by an empty
value, by a lookup row without id, or by missing_associations files and folders that also name
ids the dataset does not have), registered with our CLI and with the reference dsgrid-toolkit
0.4.0 into its own registry. Row count, value sum and the missing combinations must agree
with each other and with pandas reading the raw files.
"""

from __future__ import annotations

import json
from pathlib import Path

import json5
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.reference_cli import create_reference_registry, reference, require_reference

DIMS = ["metric", "geography", "sector", "subsector", "weather_year", "model_year", "scenario"]
YEARS = [2020, 2021]
METRICS = ["m1", "m2"]
GEOS = ["g1", "g2", "g3"]
SUBS = ["a", "b"]
TRIVIAL = {"sector": "s1", "weather_year": "2012", "model_year": "2020", "scenario": "base"}
# left out of every layout: (geography, subsector, metric)
ABSENT = {("g3", "b", "m2"), ("g3", "b", "m1"), ("g2", "a", "m2")}


def _records(ids, **extra):
    return [{"id": i, "name": i.upper(), **extra} for i in ids]


HOURS = {2020: "2012-01-01 00:00:00", 2021: "2012-01-01 01:00:00"}


def dimensions(prefix: str, *, hourly: bool = False) -> list[dict]:
    """Dimension names carry the layout, so each registers its own (the reference refuses a
    second dimension of the same name). ``hourly``: two hours instead of two years (HOURS)."""
    dims = [
        {"type": "metric", "class": "EnergyEndUse",
         "records": _records(METRICS, fuel_id="electricity", unit="kWh")},
        {"type": "geography", "class": "Geography", "records": _records(GEOS)},
        {"type": "subsector", "class": "Subsector", "records": _records(SUBS)},
        *[{"type": t, "class": "".join(p.capitalize() for p in t.split("_")),
           "records": _records([v])} for t, v in TRIVIAL.items()],
    ]  # fmt: skip
    for d in dims:
        d["name"] = f"{prefix} {d['type']}"
        d["description"] = d["type"]
    if hourly:
        dims.append(
            {
                "type": "time",
                "class": "Time",
                "name": f"{prefix} time",
                "description": "hours",
                "time_type": "datetime",
                "ranges": [{"start": HOURS[2020], "end": HOURS[2021]}],
                "str_format": "%Y-%m-%d %H:%M:%S",
                "frequency": "01:00:00",
                "time_interval_type": "period_beginning",
                "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": "UTC"},
            }
        )
        return dims
    dims.append(
        {
            "type": "time",
            "class": "AnnualTime",
            "name": f"{prefix} time",
            "description": "years",
            "time_type": "annual",
            "measurement_type": "total",
            "ranges": [{"start": "2020", "end": "2021", "str_format": "%Y"}],
            "include_leap_day": True,
        }
    )
    return dims


def value(geo: str, sub: str, metric: str, year: int) -> float:
    return GEOS.index(geo) * 100 + SUBS.index(sub) * 10 + METRICS.index(metric) + year / 1000


def full_rows() -> list[dict]:
    return [
        {"geography": g, "subsector": s, "metric": m, "time_year": y, "value": value(g, s, m, y)}
        for g in GEOS
        for s in SUBS
        for m in METRICS
        for y in YEARS
    ]


def _csv(path: Path, frame: pd.DataFrame) -> str:
    frame.to_csv(path, index=False)
    return path.name


def _config(folder: Path, prefix: str, layout: dict) -> Path:
    config = {
        "dataset_id": f"lay_{prefix}",
        "dataset_type": "modeled",
        "data_classification": "low",
        "description": f"layout {prefix}",
        "trivial_dimensions": list(TRIVIAL),
        "dimensions": dimensions(prefix),
        "data_layout": layout,
    }
    path = folder / "dataset.json5"
    path.write_text(json.dumps(config, indent=1))
    return path


def stacked_null_values(folder: Path) -> Path:
    """One table, stacked: the absent combinations are rows with an empty value."""
    frame = pd.DataFrame(full_rows())
    key = list(zip(frame.geography, frame.subsector, frame.metric, strict=True))
    frame.loc[[k in ABSENT for k in key], "value"] = None
    name = _csv(folder / "load_data.csv", frame)
    return _config(
        folder,
        "stacked",
        {"table_format": "one_table", "value_format": "stacked", "data_file": {"path": name}},
    )


def pivoted_empty_cells(folder: Path) -> Path:
    """One table, metric pivoted: absent combinations are empty cells (g3/b lacks both
    metrics: its rows are all empty)."""
    frame = pd.DataFrame(full_rows())
    key = list(zip(frame.geography, frame.subsector, frame.metric, strict=True))
    frame.loc[[k in ABSENT for k in key], "value"] = None
    wide = frame.pivot_table(
        index=["geography", "subsector", "time_year"],
        columns="metric",
        values="value",
        dropna=False,
    ).reset_index()
    wide.columns.name = None
    name = _csv(folder / "load_data.csv", wide)
    return _config(
        folder,
        "pivoted",
        {
            "table_format": "one_table",
            "value_format": "pivoted",
            "pivoted_dimension_type": "metric",
            "data_file": {"path": name},
        },
    )


def two_tables(folder: Path, *, null_id: bool = True) -> Path:
    """Two tables: a lookup row without id leaves its (geography, subsector) out (or, with
    ``null_id`` false, the lookup lacks that row and the folder declares it); the remaining
    absent combination is declared in a missing_associations folder (whose other file names
    a geography the dataset does not have: it excuses nothing)."""
    frame = pd.DataFrame(full_rows())
    lookup = frame[["geography", "subsector"]].drop_duplicates().reset_index(drop=True)
    lookup["id"] = range(1, len(lookup) + 1)
    g3b = (lookup.geography == "g3") & (lookup.subsector == "b")
    data = frame.merge(lookup, on=["geography", "subsector"])
    data = data[~data.id.isin(lookup.loc[g3b, "id"])]
    data = data[~((data.geography == "g2") & (data.subsector == "a") & (data.metric == "m2"))]
    _csv(folder / "load_data.csv", data[["id", "time_year", "metric", "value"]])
    lookup["id"] = lookup["id"].astype("Int64")
    missing = folder / "missing"
    missing.mkdir()
    if null_id:
        lookup.loc[g3b, "id"] = pd.NA
    else:
        lookup = lookup[~g3b]
        _csv(
            missing / "geography__subsector.csv",
            pd.DataFrame([{"geography": "g3", "subsector": "b"}]),
        )
    _csv(folder / "load_data_lookup.csv", lookup[["id", "geography", "subsector"]])
    _csv(
        missing / "geography__subsector__metric.csv",
        pd.DataFrame([{"geography": "g2", "subsector": "a", "metric": "m2"}]),
    )
    _csv(missing / "geography.csv", pd.DataFrame([{"geography": "g9"}]))
    return _config(
        folder,
        "twotable" if null_id else "twotablefile",
        {
            "table_format": "two_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.csv"},
            "lookup_data_file": {"path": "load_data_lookup.csv"},
            "missing_associations": ["missing"],
        },
    )


def declared_columns(folder: Path) -> Path:
    """One table, stacked, with other column names declared (county -> geography, end_use ->
    metric), a TEXT type and ignored columns (one the file lacks); absent combinations in a
    missing_associations file."""
    frame = pd.DataFrame(full_rows())
    key = list(zip(frame.geography, frame.subsector, frame.metric, strict=True))
    frame = frame[[k not in ABSENT for k in key]]
    frame = frame.rename(columns={"geography": "county", "metric": "end_use"})
    frame["notes"] = "n"
    name = _csv(folder / "load_data.csv", frame)
    _csv(
        folder / "missing_associations.csv",
        pd.DataFrame([{"geography": g, "subsector": s, "metric": m} for g, s, m in ABSENT]),
    )
    return _config(
        folder,
        "declared",
        {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {
                "path": name,
                "columns": [
                    {"name": "county", "dimension_type": "geography", "data_type": "TEXT"},
                    {"name": "end_use", "dimension_type": "metric"},
                    {"name": "value", "data_type": "double"},
                ],
                # "comment" is not in the file: nothing to drop (said, not refused)
                "ignore_columns": ["notes", "comment"],
            },
            "missing_associations": ["missing_associations.csv"],
        },
    )


def expected_associations(folder: Path) -> Path:
    """One table, stacked, Parquet: the absent combinations are simply not in the data, and
    an expected_associations folder lists the combinations that are."""
    frame = pd.DataFrame(full_rows())
    key = list(zip(frame.geography, frame.subsector, frame.metric, strict=True))
    frame = frame[[k not in ABSENT for k in key]]
    frame.to_parquet(folder / "load_data.parquet", index=False)
    expected_dir = folder / "expected"
    expected_dir.mkdir()
    present = frame[["geography", "subsector", "metric"]].drop_duplicates()
    _csv(expected_dir / "geography__subsector__metric.csv", present)
    return _config(
        folder,
        "expected",
        {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.parquet"},
            "expected_associations": ["expected"],
        },
    )


LAYOUTS = {
    "stacked": stacked_null_values,
    "pivoted": pivoted_empty_cells,
    "twotable": two_tables,
    "twotablefile": lambda folder: two_tables(folder, null_id=False),
    "declared": declared_columns,
    "expected": expected_associations,
}
# The reference reads a lookup row without id as a missing combination (its registration
# code splits those rows out) but then checks the whole lookup table for NULLs and refuses
# the dataset: a defect. We read it as the format says; pandas agrees (test above), and the
# reference is compared on the same data with the combination declared in a file instead.
REFERENCE_DEFECTS = {"twotable": "DataFrame contains NULL value(s) for column(s): {'id'}"}


def expected() -> tuple[int, float, set]:
    """pandas over the full table: rows and sum without the absent combinations."""
    frame = pd.DataFrame(full_rows())
    key = list(zip(frame.geography, frame.subsector, frame.metric, strict=True))
    kept = frame[[k not in ABSENT for k in key]]
    return len(kept), float(kept.value.sum()), ABSENT


def _ours(dsgrid, tmp_path: Path, config: Path, *options: str | Path) -> pd.DataFrame:
    from dsgrid_core.registry.registry import Registry

    reg = tmp_path / "ours"
    if not reg.exists():
        assert dsgrid("registry", "create", reg).exit_code == 0
    result = dsgrid("registry", "datasets", "register", config, "-l", "x", *options, registry=reg)
    assert result.exit_code == 0, result
    dataset_id = json5.loads(config.read_text())["dataset_id"]
    with Registry(reg, read_only=True) as registry:
        record = registry.show("dataset", dataset_id)
        return pq.read_table(registry.data.locate(record.data_path)).to_pandas()


def _theirs(tmp_path: Path, config: Path) -> pd.DataFrame:
    folder = tmp_path / "reference"
    url_file = folder / "url"
    if not url_file.exists():
        url, _ = create_reference_registry(folder)
        url_file.write_text(url)
    url = url_file.read_text()
    reference("registry", "datasets", "register", config, "-l", "x", url=url, cwd=folder)
    dataset_id = json5.loads(config.read_text())["dataset_id"]
    tables = sorted((folder / "ref-data").rglob(f"*{dataset_id}*/**/table.parquet"))
    tables = tables or sorted((folder / "ref-data").rglob(f"{dataset_id}/**/*.parquet"))
    data = [t for t in tables if "missing" not in str(t) and "lookup" not in str(t)]
    assert data, sorted(str(p) for p in (folder / "ref-data").rglob("*"))[:40]
    return pd.read_parquet(data[0])


def _combos(frame: pd.DataFrame) -> set:
    return set(zip(frame.geography, frame.subsector, frame.metric, strict=True))


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layout_registers_as_pandas_reads_it(dsgrid, tmp_path, layout):
    folder = tmp_path / layout
    folder.mkdir()
    config = LAYOUTS[layout](folder)
    rows, total, absent = expected()
    ours = _ours(dsgrid, tmp_path, config)
    assert len(ours) == rows
    assert ours.value.sum() == pytest.approx(total, rel=1e-12)
    every = {(g, s, m) for g in GEOS for s in SUBS for m in METRICS}
    assert every - _combos(ours) == absent
    assert set(ours.time_year) == set(YEARS)


def test_the_reference_refuses_a_lookup_row_without_id(tmp_path):
    require_reference()
    folder = tmp_path / "twotable"
    folder.mkdir()
    config = two_tables(folder)
    url, _ = create_reference_registry(tmp_path / "reference")
    done = reference(
        "registry", "datasets", "register", config, "-l", "x", url=url,
        cwd=tmp_path / "reference", check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert REFERENCE_DEFECTS["twotable"] in done.stdout + done.stderr


@pytest.mark.parametrize("layout", [k for k in LAYOUTS if k not in REFERENCE_DEFECTS])
def test_layout_registers_as_the_reference_stores_it(dsgrid, tmp_path, layout):
    require_reference()
    folder = tmp_path / layout
    folder.mkdir()
    config = LAYOUTS[layout](folder)
    ours = _ours(dsgrid, tmp_path, config)
    theirs = _theirs(tmp_path, config)
    if "id" in theirs.columns:  # the reference keeps two tables apart: join its lookup
        lookup = pd.read_csv(folder / "load_data_lookup.csv", dtype=str).dropna(subset=["id"])
        theirs = theirs.astype({"id": str}).merge(lookup, on="id")
    assert len(theirs) == len(ours)
    assert theirs.value.sum() == pytest.approx(ours.value.sum(), rel=1e-12)
    assert _combos(theirs.astype(str)) == _combos(ours)


def test_a_pivoted_table_with_annual_time_reads(dsgrid, tmp_path):
    """The stored time column of annual time was quoted twice for a pivoted table (DuckDB
    Binder error); registering it is the check."""
    folder = tmp_path / "p"
    folder.mkdir()
    ours = _ours(dsgrid, tmp_path, pivoted_empty_cells(folder))
    assert sorted(ours.columns) == sorted([*DIMS, "time_year", "value"])


def test_a_data_row_without_value_in_two_tables_is_refused_by_both(dsgrid, tmp_path):
    """In two tables a missing combination is a lookup row without id; an empty value in the
    data table is refused (by the reference too)."""
    folder = tmp_path / "twotablefile"
    folder.mkdir()
    config = two_tables(folder, null_id=False)
    data = pd.read_csv(folder / "load_data.csv")
    data.loc[0, "value"] = None
    data.to_csv(folder / "load_data.csv", index=False)
    reg = tmp_path / "ours"
    assert dsgrid("registry", "create", reg).exit_code == 0
    result = dsgrid("registry", "datasets", "register", config, "-l", "x", registry=reg)
    assert result.exit_code != 0
    assert "have no value" in result.stderr and "lookup row" in result.stderr
    require_reference()
    url, _ = create_reference_registry(tmp_path / "reference")
    done = reference(
        "registry", "datasets", "register", config, "-l", "x", url=url,
        cwd=tmp_path / "reference", check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "NULL rows cannot be present" in done.stdout + done.stderr


# --- a real config: StandardScenarios' EIA 861 (one table, metric pivoted, annual time) ---------

STANDARD_SCENARIOS = (
    Path(__file__).resolve().parents[3] / "shared/dsgrid-projects/StandardScenarios"
)
EIA = "dsgrid_project/datasets/historical/eia_861_annual_energy_use_state_sector"
SCENARIO_FILE = (
    "dsgrid_project/datasets/modeled/resstock/dimensions/scenario_conus_2022_reference.csv"
)


def _eia861(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    """The unchanged config and records of a real historical dataset, with generated data
    (the project repository has none): every state, sector, weather year and model year,
    each model year's value in its own year (a historical dataset with annual time), one
    pivoted metric column, a state's industrial cells empty. Returns (root, config, data)."""
    source = STANDARD_SCENARIOS / EIA
    if not source.exists():
        pytest.skip(f"StandardScenarios not found at {STANDARD_SCENARIOS}")
    import shutil

    root = tmp_path / "ss"
    shutil.copytree(source, root / EIA)
    (root / SCENARIO_FILE).parent.mkdir(parents=True)
    shutil.copy(STANDARD_SCENARIOS / SCENARIO_FILE, root / SCENARIO_FILE)
    folder = root / EIA
    ids = {
        name: pd.read_csv(folder / "dimensions" / f"{name}.csv", dtype=str).id.tolist()
        for name in ("states", "sectors", "weather_years_2010_to_2020", "model_years_2010_to_2020")
    }
    index = pd.MultiIndex.from_product(
        [ids["states"], ids["sectors"], ids["weather_years_2010_to_2020"],
         ids["model_years_2010_to_2020"]],
        names=["geography", "sector", "weather_year", "model_year"],
    )  # fmt: skip
    frame = index.to_frame(index=False)
    frame["time_year"] = frame.model_year.astype(int)
    frame["electricity_sales"] = (frame.index % 997) * 1.5 + 0.25
    frame.loc[(frame.geography == "AK") & (frame.sector == "ind"), "electricity_sales"] = None
    return root, folder / "dataset.json5", frame


def test_standard_scenarios_eia861_config_registers_like_the_reference(dsgrid, tmp_path):
    """Metric pivoted, annual time, historical: both tools store the same rows, and pandas
    agrees (the empty cells are missing combinations)."""
    root, config, frame = _eia861(tmp_path)
    frame.to_parquet(config.parent / "load_data.parquet", index=False)
    kept = frame.dropna(subset=["electricity_sales"])
    ours = _ours(dsgrid, tmp_path, config, "--data-root", root)
    assert len(ours) == len(kept)
    assert ours.value.sum() == pytest.approx(kept.electricity_sales.sum(), rel=1e-12)
    assert not ((ours.geography == "AK") & (ours.sector == "ind")).any()
    require_reference()
    theirs = _theirs(tmp_path, config)
    assert len(theirs) == len(ours)
    assert theirs.value.sum() == pytest.approx(ours.value.sum(), rel=1e-12)


def test_a_historical_annual_year_other_than_its_model_year_is_refused_by_both(dsgrid, tmp_path):
    root, config, frame = _eia861(tmp_path)
    frame.loc[0, "time_year"] = 2015 if frame.loc[0, "time_year"] != 2015 else 2016
    frame.to_parquet(config.parent / "load_data.parquet", index=False)
    reg = tmp_path / "ours"
    assert dsgrid("registry", "create", reg).exit_code == 0
    ours = dsgrid(
        "registry", "datasets", "register", config, "-l", "x", "--data-root", root, registry=reg
    )
    assert ours.exit_code != 0
    assert "year other than their model year" in ours.stderr
    require_reference()
    url, _ = create_reference_registry(tmp_path / "reference")
    done = reference(
        "registry", "datasets", "register", config, "-l", "x", url=url,
        cwd=tmp_path / "reference", check=False,
    )  # fmt: skip
    assert done.returncode != 0
    # its first failing check is the count of rows per year (the year-is-model-year check
    # comes after it)
    assert "All time arrays must be repeated the same number of times" in done.stderr
