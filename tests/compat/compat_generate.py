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


def _frequency(value: str) -> timedelta:
    if value.startswith("P"):
        raise NotGenerated(f"ISO 8601 frequency {value!r}")
    hours, minutes, seconds = (int(x) for x in value.split(":"))
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _timestamps(time_dim: dict) -> list[datetime]:
    if time_dim.get("time_type", "datetime") != "datetime":
        raise NotGenerated(f"time type {time_dim.get('time_type')}")
    points = []
    for rng in time_dim["ranges"]:
        fmt = rng.get("str_format") or time_dim.get("str_format") or "%Y-%m-%d %H:%M:%S"
        step = _frequency(str(rng.get("frequency") or time_dim.get("frequency")))
        current, end = datetime.strptime(rng["start"], fmt), datetime.strptime(rng["end"], fmt)
        while current <= end:
            points.append(current)
            current += step
    return points


def dimensions_of(config: dict, folder: Path, project: dict, project_folder: Path) -> dict:
    """Dimension type -> its config, with 'records' (ids) for record dimensions."""
    by_name = {d["name"]: (d, project_folder) for d in project["dimensions"]["base_dimensions"]}
    found = {}
    for dim in config.get("dimensions", []):
        found[dim["type"]] = (dim, folder)
    for ref in config.get("dimension_references", []):
        if ref["name"] not in by_name:
            raise NotGenerated(f"dimension {ref['name']!r} is not a project base dimension")
        found.setdefault(ref["type"], by_name[ref["name"]])
    out = {}
    for dim_type, (dim, base) in found.items():
        entry = dict(dim)
        if dim_type != "time":
            entry["records"] = _records(base / dim["file"])
        out[dim_type] = entry
    return out


def frame_for(config: dict, dims: dict) -> pd.DataFrame:
    """The dataset stacked: one column per non-trivial dimension, 'timestamp', 'value'."""
    trivial = set(config.get("trivial_dimensions", []))
    columns = sorted(t for t in dims if t not in trivial and t != "time")
    combos = itertools.product(*(dims[t]["records"] for t in columns))
    rows = []
    stamps = _timestamps(dims["time"])
    for i, combo in enumerate(combos):
        for j, stamp in enumerate(stamps):
            rows.append((*combo, stamp, round(1.0 + 0.25 * i + 0.01 * j, 6)))
    frame = pd.DataFrame(rows, columns=[*columns, "timestamp", "value"])
    zone = (dims["time"].get("time_zone_format") or {}).get("time_zone")
    if zone:
        frame["timestamp"] = frame["timestamp"].dt.tz_localize(zone)
    return frame


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
        frame = frame.pivot_table(index=keep, columns=pivot, values="value").reset_index()
        frame.columns.name = None
    data_file = config_path.parent / layout["data_file"]["path"]
    if layout["table_format"] == "two_table":
        value_side = {"timestamp", "value", "metric"} | set(
            dims.get(layout.get("pivoted_dimension_type") or "", {}).get("records", [])
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
