"""Small load data for a dataset config, written in the layout the config describes, so a
dataset whose data is not in the corpus can still be registered by both tools.

The data is the full cross product of the dataset's non-trivial dimension records and its
time points, with deterministic values; records come from the dataset's own dimension files
or, for dimension references by name, from the project's base dimensions. Layouts:
one_table/two_table, stacked/pivoted, CSV/Parquet (the suffix of data_file.path).

``layout_variants`` writes one dataset per layout from a template dataset, the project listing
them, and a bulk-registration file for the whole set."""

from __future__ import annotations

import copy
import csv
import itertools
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import json5
import pandas as pd

from dsgrid_core.config.time_zones import LEGACY_TIME_ZONES

LAYOUTS = [
    (table, value, suffix)
    for table in ("one_table", "two_table")
    for value in ("stacked", "pivoted")
    for suffix in ("csv", "parquet")
]


# CSV has no types: say that the time column is tz-aware and county codes are text (leading
# zeros), as a user of the reference would in data_file.columns
CSV_TIME_COLUMN = {"name": "timestamp", "data_type": "TIMESTAMP_TZ"}
CSV_COLUMNS = {
    "csv": {"columns": [CSV_TIME_COLUMN, {"name": "geography", "data_type": "STRING"}]},
}


class NotGenerated(Exception):
    """The config uses a form the generator does not write (said in the message)."""


def _records(file: Path) -> list[str]:
    with file.open(newline="", encoding="utf-8") as handle:
        return [row["id"] for row in csv.DictReader(handle)]


# dsgrid's legacy zone names (its old TimeZone enum) as IANA names: a table of facts, the
# reference then checks the result
LEGACY_ZONES = LEGACY_TIME_ZONES


def _frequency(value: str) -> timedelta:
    """'01:00:00', or an ISO 8601 duration ('P0DT1H0M0.000000S', 'PT1H')."""
    if value.startswith("P"):
        return pd.Timedelta(value).to_pytimedelta()
    hours, minutes, seconds = (int(x) for x in value.split(":"))
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _zone(time_dim: dict) -> str | None:
    zone = (time_dim.get("time_zone_format") or {}).get("time_zone") or time_dim.get("timezone")
    return LEGACY_ZONES.get(zone, zone)


def _datetimes(time_dim: dict) -> pd.DataFrame:
    points = []
    for rng in time_dim["ranges"]:
        fmt = rng.get("str_format") or time_dim.get("str_format") or "%Y-%m-%d %H:%M:%S"
        step = _frequency(str(rng.get("frequency") or time_dim.get("frequency")))
        current, end = datetime.strptime(rng["start"], fmt), datetime.strptime(rng["end"], fmt)
        while current <= end:
            points.append(current)
            current += step
    stamps = pd.Series(pd.to_datetime(points))
    zone = _zone(time_dim)
    if zone:
        stamps = stamps.dt.tz_localize(zone)
    return pd.DataFrame({"timestamp": stamps})


def _years(time_dim: dict) -> pd.DataFrame:
    years = []
    for rng in time_dim["ranges"]:
        years += range(int(rng["start"]), int(rng["end"]) + 1)
    return pd.DataFrame({"time_year": years})


def _representative(time_dim: dict) -> pd.DataFrame:
    months = []
    for rng in time_dim["ranges"]:
        months += range(int(rng["start"]), int(rng["end"]) + 1)
    if time_dim["format"] == "one_week_per_month_by_hour":
        parts = itertools.product(months, range(7), range(24))
        return pd.DataFrame(parts, columns=["month", "day_of_week", "hour"])
    if time_dim["format"] == "one_weekday_day_and_one_weekend_day_per_month_by_hour":
        parts = itertools.product(months, (True, False), range(24))
        return pd.DataFrame(parts, columns=["month", "is_weekday", "hour"])
    raise NotGenerated(f"representative format {time_dim['format']!r}")


def time_frame(time_dim: dict) -> pd.DataFrame:
    """The dataset's time points as the columns dsgrid reads for its time type (one row with
    no column for no-op time)."""
    kind = time_dim.get("time_type", "datetime")
    if kind == "datetime":
        return _datetimes(time_dim)
    if kind == "annual":
        return _years(time_dim)
    if kind == "representative_period":
        return _representative(time_dim)
    if kind == "noop":
        return pd.DataFrame(index=[0])
    raise NotGenerated(f"time type {kind}")


def dim_type_of(dim: dict) -> str:
    """A dimension entry's type ('dimension_type' in older dsgrid files)."""
    found = dim.get("type") or dim.get("dimension_type")
    if not found:
        raise NotGenerated(f"dimension {dim.get('name')!r} has no type")
    return found


def dimensions_of(config: dict, folder: Path, project: dict, project_folder: Path) -> dict:
    """Dimension type -> its config, with 'records' (ids) for record dimensions."""
    listed = project["dimensions"].get("base_dimensions", []) + project["dimensions"].get(
        "supplemental_dimensions", []
    )
    by_name = {d["name"]: (d, project_folder) for d in listed}
    found = {}
    for dim in config.get("dimensions", []):
        found[dim_type_of(dim)] = (dim, folder)
    project_id = project["project_id"]
    for ref in config.get("dimension_references", []):
        automatic = ref["name"].removeprefix(f"all_{project_id}_")
        if automatic != ref["name"]:  # the "all" dimension dsgrid makes: one record
            found.setdefault(ref["type"], ({**ref, "records": [f"all_{automatic}"]}, None))
            continue
        if ref["name"] not in by_name:
            raise NotGenerated(f"dimension {ref['name']!r} is not one of the project's")
        found.setdefault(ref["type"], by_name[ref["name"]])
    out = {}
    for dim_type, (dim, base) in found.items():
        entry = dict(dim)
        if dim_type != "time" and "records" not in entry:
            entry["records"] = _records(base / dim["file"])
        out[dim_type] = entry
    return out


def frame_for(config: dict, dims: dict) -> pd.DataFrame:
    """The dataset stacked: one column per non-trivial dimension, its time columns, 'value'."""
    trivial = set(config.get("trivial_dimensions", []))
    columns = sorted(t for t in dims if t not in trivial and t != "time")
    keys = pd.DataFrame(
        list(itertools.product(*(dims[t]["records"] for t in columns))), columns=columns
    )
    keys["__i"] = range(len(keys))
    times = time_frame(dims["time"])
    times["__j"] = range(len(times))
    frame = keys.merge(times, how="cross")
    if _years_are_model_years(config, dims, columns):
        frame = frame[frame["time_year"] == frame["model_year"].astype(int)]
    frame["value"] = (1.0 + 0.25 * frame["__i"] + 0.01 * frame["__j"]).round(6)
    return frame.drop(columns=["__i", "__j"])


def _years_are_model_years(config: dict, dims: dict, columns: list[str]) -> bool:
    """dsgrid: a historical dataset with annual time has each year's value in its own model
    year only."""
    return (
        config.get("dataset_type") == "historical"
        and dims["time"].get("time_type") == "annual"
        and "model_year" in columns
    )


def rows_of(config: dict, dims: dict) -> int:
    """How many stacked rows frame_for would make, without making them."""
    trivial = set(config.get("trivial_dimensions", []))
    count = len(time_frame(dims["time"]))
    for t, dim in dims.items():
        if t not in trivial and t != "time":
            count *= len(dim["records"])
    return count


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        out = frame.copy()
        if "timestamp" in out:
            out["timestamp"] = out["timestamp"].map(lambda t: t.isoformat(sep=" "))
        out.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


def write_data(config_path: Path, project_path: Path) -> None:
    """Write the files config_path's data_layout names (paths from the config's folder)."""
    config = json5.loads(config_path.read_text(encoding="utf-8"))
    project = json5.loads(project_path.read_text(encoding="utf-8"))
    dims = dimensions_of(config, config_path.parent, project, project_path.parent)
    layout = config["data_layout"]
    frame = frame_for(config, dims)
    if layout["value_format"] == "pivoted":
        pivot = layout["pivoted_dimension_type"]
        keep = [c for c in frame.columns if c not in (pivot, "value")]
        if keep:
            frame = frame.pivot_table(index=keep, columns=pivot, values="value").reset_index()
            frame.columns.name = None
        else:  # nothing but the pivoted dimension (no-op time, all else trivial): one row
            frame = frame.set_index(pivot)[["value"]].T.reset_index(drop=True)
            frame.columns.name = None
    data_file = config_path.parent / layout["data_file"]["path"]
    if layout["table_format"] == "two_table":
        time_columns = set(time_frame(dims["time"]).columns)
        value_side = (
            time_columns
            | {"value", "metric"}
            | set(dims.get(layout.get("pivoted_dimension_type") or "", {}).get("records", []))
        )
        dim_cols = [c for c in frame.columns if c not in value_side]
        lookup = frame[dim_cols].drop_duplicates().reset_index(drop=True)
        lookup["id"] = range(1, len(lookup) + 1)
        frame = frame.merge(lookup, on=dim_cols).drop(columns=dim_cols)
        frame = frame[["id", *[c for c in frame.columns if c != "id"]]]
        _write(lookup[["id", *dim_cols]], config_path.parent / layout["lookup_data_file"]["path"])
    _write(frame, data_file)


def layout_variants(template_folder: Path, out: Path) -> Path:
    """Copy the template project folder to ``out``, write one dataset per layout with its data,
    list them in the project, and return the bulk-registration file registering it all."""
    shutil.copytree(template_folder, out)
    project_path = out / "project.json5"
    project = json5.loads(project_path.read_text(encoding="utf-8"))
    template = json5.loads((out / "dataset.json5").read_text(encoding="utf-8"))
    (out / "dataset.json5").unlink()
    registration = {"projects": [], "datasets": [], "dataset_submissions": []}
    for table, value, suffix in LAYOUTS:
        dataset_id = f"compat_{table}_{value}_{suffix}"
        config = copy.deepcopy(template)
        config["dataset_id"] = dataset_id
        layout = {
            "table_format": table,
            "value_format": value,
            "data_file": {"path": f"load_data.{suffix}", **CSV_COLUMNS.get(suffix, {})},
        }
        if value == "pivoted":
            layout["pivoted_dimension_type"] = "metric"
        if table == "two_table":
            layout["lookup_data_file"] = {"path": f"load_data_lookup.{suffix}"}
            # CSV: the timestamp column lives in the data file, the codes in the lookup
            if suffix == "csv":
                layout["data_file"]["columns"] = [CSV_TIME_COLUMN]
                layout["lookup_data_file"]["columns"] = [
                    {"name": "geography", "data_type": "STRING"}
                ]
        config["data_layout"] = layout
        folder = out / "datasets" / dataset_id
        folder.mkdir(parents=True)
        (folder / "dataset.json5").write_text(json.dumps(config, indent=2), encoding="utf-8")
        write_data(folder / "dataset.json5", project_path)
        project["datasets"].append(
            {"dataset_id": dataset_id, "dataset_type": "modeled", "version": "1.0.0"}
        )
        registration["datasets"].append(
            {
                "dataset_id": dataset_id,
                "config_file": f"datasets/{dataset_id}/dataset.json5",
                "replace_dimension_names_with_ids": True,
            }
        )
        registration["dataset_submissions"].append(
            {"dataset_id": dataset_id, "project_id": project["project_id"]}
        )
    project_path.write_text(json.dumps(project, indent=2), encoding="utf-8")
    registration["projects"].append(
        {"project_id": project["project_id"], "config_file": "project.json5"}
    )
    bulk = out / "registration.json5"
    bulk.write_text(json.dumps(registration, indent=2), encoding="utf-8")
    return bulk
