"""A small dsgrid-toolkit 0.4 registry whose datasets have non-datetime time, built by the
reference itself (its CLI's bulk-register, then a dataset update) for the non-datetime tests
of test_reference_import.

Why: the reference stores each time type in its own columns (``time_year`` for annual,
``time_index`` for index, ``month``/``day_of_week``/``hour`` or ``month``/``is_weekday``/
``hour`` for the representative periods, none for no-op time), so importing such a registry
must read each of them; test_efs only has datetime time. The configs and data are written
here into a temporary folder (one project, hourly 2012 EST, and one dataset per kind of time,
each submitted to the project, two of them in the two-table layout pivoted by end use; the
annual one then gets a second version), and the reference registers them as a user would.

Sizes are kept small: two counties (both in the project's own standard zone, Etc/GMT+5, so
that index time maps onto the project's year without wrapping), two subsectors, two end uses.
"""

from __future__ import annotations

import csv
import itertools
import json
import sqlite3
from pathlib import Path

import pandas as pd

from tests.reference_cli import create_reference_registry, reference

PROJECT_ID = "time_kinds"
COUNTIES = [
    ("36001", "Albany County", "NY", "Etc/GMT+5"),
    ("36005", "Bronx County", "NY", "Etc/GMT+5"),
]
SUBSECTORS = [("office", "Office"), ("retail", "Retail")]
END_USES = [
    ("heating", "Heating", "electricity", "kWh"),
    ("cooling", "Cooling", "electricity", "kWh"),
]

# the time dimension of each dataset, as a user of the reference writes it
_ANNUAL_TIME = {
    "type": "time",
    "class": "AnnualTime",
    "name": "Annual 2012",
    "description": "One value per year",
    "time_type": "annual",
    "measurement_type": "total",
    "ranges": [{"start": "2012", "end": "2012", "frequency": 1}],
    "include_leap_day": True,
}
_NOOP_TIME = {
    "type": "time",
    "class": "NoOpTime",
    "name": "No time",
    "description": "Values without time",
    "time_type": "noop",
}
_INDEX_TIME = {
    "type": "time",
    "class": "Time",
    "name": "Hour index 2012",
    "description": "Hourly values by index from the start of 2012, local standard time",
    "time_type": "index",
    "time_interval_type": "period_beginning",
    "measurement_type": "total",
    "ranges": [
        {
            "start": 0,
            "end": 8783,
            "starting_timestamp": "2012-01-01 00:00:00",
            "str_format": "%Y-%m-%d %H:%M:%S",
            "frequency": "01:00:00",
        }
    ],
}
_WEEK_PER_MONTH_TIME = {
    "type": "time",
    "class": "Time",
    "name": "Representative week per month",
    "description": "One representative week per month, hourly, local time",
    "time_type": "representative_period",
    "format": "one_week_per_month_by_hour",
    "time_interval_type": "period_beginning",
    "measurement_type": "total",
    "ranges": [{"start": 1, "end": 12}],
}
_WEEKDAY_WEEKEND_TIME = {
    "type": "time",
    "class": "Time",
    "name": "Representative days",
    "description": "One weekday and one weekend day per month, hourly, local time",
    "time_type": "representative_period",
    "format": "one_weekday_day_and_one_weekend_day_per_month_by_hour",
    "time_interval_type": "period_ending",
    "measurement_type": "total",
    "ranges": [{"start": 1, "end": 12}],
}

# dataset id -> (its time dimension, every time point in the columns the reference reads)
DATASETS = {
    "time_kinds_annual": (_ANNUAL_TIME, pd.DataFrame({"time_year": [2012]})),
    "time_kinds_noop": (_NOOP_TIME, pd.DataFrame(index=[0])),
    "time_kinds_index": (_INDEX_TIME, pd.DataFrame({"time_index": range(8784)})),
    "time_kinds_week_per_month": (
        _WEEK_PER_MONTH_TIME,
        pd.DataFrame(
            list(itertools.product(range(1, 13), range(7), range(24))),
            columns=["month", "day_of_week", "hour"],
        ),
    ),
    "time_kinds_weekday_weekend": (
        _WEEKDAY_WEEKEND_TIME,
        pd.DataFrame(
            list(itertools.product(range(1, 13), [True, False], range(24))),
            columns=["month", "is_weekday", "hour"],
        ),
    ),
}

_PROJECT_TIME = {
    "type": "time",
    "class": "Time",
    "name": "Time-2012-EST-hourly",
    "description": "Hourly 2012, EST, period-beginning",
    "time_type": "datetime",
    "time_interval_type": "period_beginning",
    "measurement_type": "total",
    "str_format": "%Y-%m-%d %H:%M:%S",
    "frequency": "01:00:00",
    "timezone": "Etc/GMT+5",
    "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-12-31 23:00:00"}],
}

# dimension type -> (class, name, file, records, the file's header)
_RECORD_DIMENSIONS = {
    "geography": ("County", "Two counties", "counties.csv", COUNTIES, "id,name,state,time_zone"),
    "sector": ("Sector", "Commercial", "sectors.csv", [("com", "Commercial")], "id,name"),
    "subsector": ("Subsector", "Two subsectors", "subsectors.csv", SUBSECTORS, "id,name"),
    "metric": ("EnergyEndUse", "Two end uses", "enduses.csv", END_USES, "id,name,fuel_id,unit"),
    "weather_year": (
        "WeatherYear",
        "Weather 2012",
        "weather_years.csv",
        [("2012", "2012")],
        "id,name",
    ),
    "model_year": ("ModelYear", "Model 2012", "model_years.csv", [("2012", "2012")], "id,name"),
    "scenario": ("Scenario", "Reference", "scenarios.csv", [("reference", "Reference")], "id,name"),
}
TRIVIAL = ["sector", "weather_year", "model_year", "scenario"]
# datasets written in the two-table layout, pivoted by end use (the others: one table, stacked)
TWO_TABLE = {"time_kinds_index", "time_kinds_weekday_weekend"}
# the dataset given a second version by the reference's dataset update
UPDATED = "time_kinds_annual"


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2), encoding="utf-8")


def _project(folder: Path, counties: list, dataset_ids: list[str]) -> dict:
    base = []
    for dim_type, (cls, name, file, rows, header) in _RECORD_DIMENSIONS.items():
        rows = counties if dim_type == "geography" else rows
        path = folder / "dimensions" / file
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header.split(","))
            writer.writerows(rows)
        base.append(
            {
                "type": dim_type,
                "class": cls,
                "name": name,
                "description": f"{name} for the time kinds project",
                "file": f"dimensions/{file}",
            }
        )
    base.append(_PROJECT_TIME)
    return {
        "project_id": PROJECT_ID,
        "name": "Time kinds",
        "description": "One dataset per kind of time the reference reads",
        "datasets": [
            {"dataset_id": dataset_id, "dataset_type": "modeled", "version": "1.0.0"}
            for dataset_id in dataset_ids
        ],
        "dimensions": {
            "base_dimensions": base,
            "subset_dimensions": [],
            "supplemental_dimensions": [],
        },
    }


def load_data(time_points: pd.DataFrame, counties: list = COUNTIES) -> pd.DataFrame:
    """Every county x subsector x end use at every time point, with deterministic values."""
    keys = pd.DataFrame(
        list(
            itertools.product(
                [c[0] for c in counties], [s[0] for s in SUBSECTORS], [e[0] for e in END_USES]
            )
        ),
        columns=["geography", "subsector", "metric"],
    )
    frame = keys.merge(time_points, how="cross")
    frame["value"] = [round(1.0 + 0.5 * (i % 97) + 0.001 * i, 6) for i in range(len(frame))]
    return frame


def _write_data(folder: Path, frame: pd.DataFrame, two_table: bool) -> dict:
    """Write the load data (and lookup) in the layout asked; return the config's data_layout.
    The two-table layout is pivoted by end use, as users of the reference often write it."""
    folder.mkdir(parents=True, exist_ok=True)
    if not two_table:
        frame.to_parquet(folder / "load_data.parquet", index=False)
        return {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.parquet"},
        }
    keys = ["geography", "subsector"]
    lookup = frame[keys].drop_duplicates().reset_index(drop=True)
    lookup["id"] = range(1, len(lookup) + 1)
    time_columns = [c for c in frame.columns if c not in {*keys, "metric", "value"}]
    pivoted = frame.pivot_table(
        index=[*keys, *time_columns], columns="metric", values="value"
    ).reset_index()
    pivoted.columns.name = None
    pivoted = pivoted.merge(lookup, on=keys).drop(columns=keys)
    pivoted[["id", *[c for c in pivoted.columns if c != "id"]]].to_parquet(
        folder / "load_data.parquet", index=False
    )
    lookup[["id", *keys]].to_parquet(folder / "load_data_lookup.parquet", index=False)
    return {
        "table_format": "two_table",
        "value_format": "pivoted",
        "pivoted_dimension_type": "metric",
        "data_file": {"path": "load_data.parquet"},
        "lookup_data_file": {"path": "load_data_lookup.parquet"},
    }


def _dataset(
    folder: Path, dataset_id: str, time: dict, points: pd.DataFrame, counties: list
) -> dict:
    layout = _write_data(folder, load_data(points, counties), dataset_id in TWO_TABLE)
    references = [
        {"type": dim_type, "name": spec[1], "version": "1.0.0"}
        for dim_type, spec in _RECORD_DIMENSIONS.items()
    ]
    return {
        "dataset_id": dataset_id,
        "dataset_type": "modeled",
        "data_source": "test",
        "sector_description": "commercial",
        "description": f"{time['time_type']} time, for the import tests",
        "origin_creator": "tests",
        "origin_organization": "tests",
        "origin_contributors": ["tests"],
        "origin_project": "dsgrid-viewer",
        "data_source_date": "2024-01-01",
        "data_source_version": "1",
        "data_classification": "low",
        "tags": ["test"],
        "trivial_dimensions": TRIVIAL,
        "dimensions": [time],
        "dimension_references": references,
        "data_layout": layout,
    }


def build_time_kinds_registry(
    root: Path,
    update_annual: bool = True,
    counties: list = COUNTIES,
    dataset_ids: list[str] | None = None,
) -> tuple[str, Path, Path]:
    """Write the project and datasets into ``root``/inputs and have the reference register
    and submit them: (url, data path, database path). ``update_annual`` false: no second
    version of the annual dataset (the reference cannot query a project after that update:
    its updated config keeps data_layout, which its project loader then refuses).
    ``counties`` (id, name, state, time zone) and ``dataset_ids`` (of DATASETS) replace the
    defaults."""
    dataset_ids = list(DATASETS) if dataset_ids is None else dataset_ids
    inputs = root / "inputs"
    url, data = create_reference_registry(root)
    _write_json(inputs / "project.json5", _project(inputs, counties, dataset_ids))
    registration: dict = {
        "projects": [{"project_id": PROJECT_ID, "config_file": "project.json5"}],
        "datasets": [],
        "dataset_submissions": [],
    }
    for dataset_id in dataset_ids:
        time, points = DATASETS[dataset_id]
        folder = inputs / "datasets" / dataset_id
        _write_json(folder / "dataset.json5", _dataset(folder, dataset_id, time, points, counties))
        registration["datasets"].append(
            {
                "dataset_id": dataset_id,
                "config_file": f"datasets/{dataset_id}/dataset.json5",
                "replace_dimension_names_with_ids": True,
            }
        )
        registration["dataset_submissions"].append(
            {"dataset_id": dataset_id, "project_id": PROJECT_ID}
        )
    _write_json(inputs / "registration.json5", registration)
    reference("registry", "bulk-register", "registration.json5", url=url, cwd=inputs)
    db = root / "ref.db"
    if update_annual and UPDATED in dataset_ids:
        _update_annual(url, db, inputs / "datasets" / UPDATED)
    return url, data, db


def _update_annual(url: str, db: Path, folder: Path) -> None:
    """A second version of the annual dataset (values doubled, new description) through the
    reference's ``registry datasets update``, so that a dataset with more than one version,
    each with its own stored table, is imported. Its config is the stored one (dimension ids,
    as the reference's update needs) with the new data file."""
    con = sqlite3.connect(db)
    try:
        (stored,) = con.execute(
            "SELECT model FROM models WHERE model_type = 'dataset' AND model_id = ?", (UPDATED,)
        ).fetchone()
    finally:
        con.close()
    config = json.loads(stored)
    for key in ("id", "registry_data_layout"):
        config.pop(key)
    config["description"] = "annual time, values doubled"
    config["data_layout"] = {
        "table_format": "one_table",
        "value_format": "stacked",
        "data_file": {"path": "load_data_v2.parquet"},
    }
    frame = pd.read_parquet(folder / "load_data.parquet")
    frame["value"] = frame["value"] * 2
    frame.to_parquet(folder / "load_data_v2.parquet", index=False)
    _write_json(folder / "dataset_v2.json5", config)
    reference(
        "registry",
        "datasets",
        "update",
        "-d",
        UPDATED,
        "-l",
        "values doubled",
        "-t",
        "minor",
        "-v",
        config["version"],
        "dataset_v2.json5",
        url=url,
        cwd=folder,
    )
