"""An independent pandas implementation of dsgrid's semantics, read from the raw input files.

Query results are compared with this, not with anything the code under test computes: the
raw data files are read with pandas, mapped with the mapping CSVs (join on from_id, multiply
by from_fraction), converted to the project's units and shifted to period-beginning.
"""

from __future__ import annotations

from pathlib import Path

import json5
import pandas as pd

DIMS = ["metric", "geography", "sector", "subsector", "weather_year", "model_year", "scenario"]
TO_KWH = {"kWh": 1.0, "MWh": 1e3, "GWh": 1e6, "therm": 29.307107, "MBtu": 293.07107}


def records(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"geography": str})
    if path.suffix == ".json":
        return pd.read_json(path, lines=True, dtype={"geography": str})
    return pd.read_parquet(path)


def dataset_frame(config_path: Path, trivial: dict[str, str], time_zone: str) -> pd.DataFrame:
    """The dataset stacked: one column per dimension, UTC timestamp of the period beginning."""
    config = json5.loads(config_path.read_text())
    layout = config["data_layout"]
    folder = config_path.parent
    data = _read((folder / layout["data_file"]["path"]).resolve())
    time_dim = next((d for d in config.get("dimensions", []) if d["type"] == "time"), None)
    if layout["table_format"] == "two_table":
        lookup = _read((folder / layout["lookup_data_file"]["path"]).resolve())
        data = data.merge(lookup, on="id").drop(columns="id")
    if time_dim is not None and time_dim.get("column_format", {}).get("dtype") == (
        "time_format_in_parts"
    ):
        local = pd.to_datetime(data[["year", "month", "day", "hour"]])
        data["timestamp"] = local.dt.tz_localize(time_zone).dt.tz_convert("UTC")
        data = data.drop(columns=["year", "month", "day", "hour"])
    else:
        data["timestamp"] = pd.to_datetime(data["timestamp"], utc=True)
    if layout.get("value_format") == "pivoted":
        keep = [c for c in data.columns if c in DIMS or c == "timestamp"]
        data = data.melt(id_vars=keep, var_name="metric", value_name="value")
    for dim, value in trivial.items():
        data[dim] = value
    if time_dim is not None and time_dim.get("time_interval_type") == "period_ending":
        data["timestamp"] = data["timestamp"] - pd.Timedelta(hours=1)
    for dim in DIMS:
        data[dim] = data[dim].astype(str)
    return data[[*DIMS, "timestamp", "value"]]


def apply_mapping(frame: pd.DataFrame, column: str, mapping: pd.DataFrame) -> pd.DataFrame:
    mapping = mapping.copy()
    if "from_fraction" not in mapping:
        mapping["from_fraction"] = "1"
    mapping = mapping[mapping["to_id"] != ""]
    mapping["from_fraction"] = mapping["from_fraction"].astype(float)
    merged = frame.merge(
        mapping[["from_id", "to_id", "from_fraction"]], left_on=column, right_on="from_id"
    )
    merged["value"] = merged["value"] * merged["from_fraction"]
    merged[column] = merged["to_id"]
    return merged.drop(columns=["from_id", "to_id", "from_fraction"])


def to_project(
    frame: pd.DataFrame,
    mappings_file: Path,
    dataset_units: pd.DataFrame,
    project_units: pd.DataFrame,
) -> pd.DataFrame:
    """Map a dataset to the project's base dimensions, converting metric units (as categories
    inside: the merges and the sum copy small codes, not millions of strings)."""
    config = json5.loads(mappings_file.read_text())
    frame = frame.astype(dict.fromkeys(DIMS, "category"))
    metric_done = False
    for entry in config["mappings"]:
        mapping = records(mappings_file.parent / entry["file"])
        dim = entry["dimension_type"]
        if dim == "metric":
            from_unit = dict(zip(dataset_units["id"], dataset_units["unit"], strict=True))
            to_unit = dict(zip(project_units["id"], project_units["unit"], strict=True))
            if "from_fraction" not in mapping:
                mapping["from_fraction"] = "1"
            mapping["from_fraction"] = [
                str(float(x) * TO_KWH[from_unit[f]] / TO_KWH[to_unit[t]])
                for f, t, x in zip(
                    mapping["from_id"], mapping["to_id"], mapping["from_fraction"], strict=True
                )
            ]
            metric_done = True
        frame = apply_mapping(frame, dim, mapping)
        frame[dim] = frame[dim].astype("category")
    assert metric_done or set(frame["metric"]) <= set(project_units["id"])
    summed = frame.groupby([*DIMS, "timestamp"], as_index=False, observed=True)["value"].sum()
    return summed.astype(dict.fromkeys(DIMS, object))  # plain strings, as callers compare


def in_unit(frame: pd.DataFrame, metric_records: pd.DataFrame, unit: str) -> pd.DataFrame:
    """``frame`` (base metric ids in 'metric', values in each record's own unit) with every
    value converted to ``unit`` (an energy unit of TO_KWH)."""
    unit_of = dict(zip(metric_records["id"], metric_records["unit"], strict=True))
    factor = frame["metric"].map(lambda m: TO_KWH[unit_of[m]] / TO_KWH[unit])
    return frame.assign(value=frame["value"] * factor)
