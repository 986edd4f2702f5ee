"""The right answers to the queries the reference gets wrong, computed with pandas over the raw
test_efs files (tests/reference.py reads, maps and converts them), never with our code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from reference import apply_mapping, dataset_frame, records, to_project

TRIVIAL = {"weather_year": "2012", "model_year": "2012", "scenario": "baseline"}
PROJECT_ZONE = "Etc/GMT+5"  # the project's time dimension: EST, no daylight saving
PROJECT = "test_efs/dsgrid_project"
MODELED = f"{PROJECT}/datasets/modeled"


def comstock_in_project(test_data: Path) -> pd.DataFrame:
    """test_efs_comstock mapped to the project's base dimensions (UTC period-beginning)."""
    folder = test_data / MODELED / "comstock"
    frame = dataset_frame(folder / "dataset.json5", TRIVIAL, PROJECT_ZONE)
    return to_project(
        frame,
        folder / "dimension_mappings.json5",
        records(folder / "dimensions" / "comstock_enduses.csv"),
        records(test_data / PROJECT / "dimensions" / "enduses.csv"),
    )


def counties(test_data: Path) -> pd.DataFrame:
    return records(test_data / PROJECT / "dimensions" / "comstock_counties.csv")


def to_states(test_data: Path, frame: pd.DataFrame) -> pd.DataFrame:
    mapping = records(
        test_data / PROJECT / "dimension_mappings/base_to_supplemental/lookup_county_to_state.csv"
    )
    return apply_mapping(frame, "geography", mapping)


def state_names(test_data: Path) -> dict[str, str]:
    states = records(test_data / PROJECT / "dimensions/supplemental/states.csv")
    return dict(zip(states["id"], states["name"], strict=True))


def summed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.groupby(keys, as_index=False)["value"].sum()


def local_clock(instants: pd.Series, zone: str) -> pd.Series:
    """UTC instants as naive clock times of ``zone``."""
    return instants.dt.tz_convert(zone).dt.tz_localize(None)


def peaks(frame: pd.DataFrame, group: list[str]) -> pd.DataFrame:
    """For each group, the row with the largest value (its time kept)."""
    best = frame.loc[frame.groupby(group)["value"].idxmax()]
    return best.reset_index(drop=True)


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal tables: the expected columns, every key equal, values within 1e-9 relative."""
    keys = [c for c in expected.columns if c != "value"]
    assert sorted(actual.columns) == sorted(expected.columns), list(actual.columns)
    assert len(actual) == len(expected), (len(actual), len(expected))
    left = actual[list(expected.columns)].copy()
    right = expected.copy()
    for key in keys:
        for frame in (left, right):
            column = frame[key]
            if pd.api.types.is_datetime64_any_dtype(column) and column.dt.tz is not None:
                column = column.dt.tz_convert("UTC").dt.tz_localize(None)
            frame[key] = column.astype(str)
    left = left.sort_values(keys).reset_index(drop=True)
    right = right.sort_values(keys).reset_index(drop=True)
    for key in keys:
        assert list(left[key]) == list(right[key]), key
    np.testing.assert_allclose(left["value"], right["value"], rtol=1e-9, atol=1e-9)
