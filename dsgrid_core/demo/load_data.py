"""Parquet writers for the two demo datasets, one state (or a slice of one) per row group.

Rows are built as numpy blocks and written as Arrow dictionary arrays, so no Python object
is created per row; memory stays bounded by one row group (about 1.5M rows). The Arrow
schema is not stored in the files (`store_schema=False`), so readers see plain `string` and
`timestamp[us, tz=UTC]` columns, exactly like the DuckDB-written Parquet of dsgrid's own
test data, while Parquet still dictionary-encodes every string column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dsgrid_core.demo import shapes
from dsgrid_core.demo.catalog import (
    HOURS_PER_YEAR,
    NO_MOBILE_HOME_COUNTIES,
    DatasetSpec,
    residential_subsectors_in,
    subsectors_of,
)

ROW_GROUP_TARGET = 1_500_000
TIMESTAMP = pa.timestamp("us", tz="UTC")

Progress = Callable[[int], None]


def _state_batches(counties: list[dict[str, str]], rows_per_county: int) -> Iterator[list]:
    """Consecutive counties of one state, about ROW_GROUP_TARGET rows per batch."""
    size = max(1, ROW_GROUP_TARGET // max(rows_per_county, 1))
    start = 0
    while start < len(counties):
        state = counties[start]["state"]
        end = start
        while end < len(counties) and counties[end]["state"] == state and end - start < size:
            end += 1
        yield counties[start:end]
        start = end


class _Weather:
    """Temperatures per state, computed once per state and shared by both datasets."""

    def __init__(self, seed: int):
        self.seed = seed
        self._cache: dict[str, np.ndarray] = {}

    def for_county(self, county: dict[str, str]) -> np.ndarray:
        state = county["state"]
        if state not in self._cache:
            self._cache[state] = shapes.state_temperature(
                state, int(county["id"][:2]), county["time_zone"], self.seed
            )
        return self._cache[state]


def _series(spec: DatasetSpec, subsectors, county, weather: _Weather, seed: int) -> np.ndarray:
    urban = county["id"] in NO_MOBILE_HOME_COUNTIES
    return shapes.county_series(
        spec,
        subsectors,
        county["id"],
        county["time_zone"],
        weather.for_county(county),
        shapes.county_size(county["id"], seed, urban),
        seed,
    )


def _dictionary(indices: np.ndarray, values: list[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32, copy=False)), pa.array(values, pa.string())
    )


def write_one_table_stacked(
    path: Path,
    spec: DatasetSpec,
    counties: list[dict[str, str]],
    weather: _Weather,
    seed: int,
    progress: Progress,
) -> int:
    """Write `timestamp, geography, sector, subsector, metric, value`, sorted in that nesting."""
    subsectors = subsectors_of(spec.sector)
    missing = set(spec.missing_subsector_metric)
    combos = [
        (si, ei)
        for si, sub in enumerate(subsectors)
        for ei, eu in enumerate(spec.end_uses)
        if (sub.id, eu.id) not in missing
    ]
    per_county = len(combos) * HOURS_PER_YEAR
    sub_idx = np.repeat(np.array([c[0] for c in combos]), HOURS_PER_YEAR)
    metric_idx = np.repeat(np.array([c[1] for c in combos]), HOURS_PER_YEAR)
    county_ids = [c["id"] for c in counties]
    position = {cid: i for i, cid in enumerate(county_ids)}
    sub_ids = [s.id for s in subsectors]
    metric_ids = [eu.id for eu in spec.end_uses]
    schema = pa.schema(
        [
            ("timestamp", TIMESTAMP),
            ("geography", pa.dictionary(pa.int32(), pa.string())),
            ("sector", pa.dictionary(pa.int32(), pa.string())),
            ("subsector", pa.dictionary(pa.int32(), pa.string())),
            ("metric", pa.dictionary(pa.int32(), pa.string())),
            ("value", pa.float64()),
        ]
    )
    ts = shapes.timestamps_us()
    written = 0
    with pq.ParquetWriter(path, schema, compression="snappy", store_schema=False) as writer:
        for batch in _state_batches(counties, per_county):
            n = len(batch)
            values = np.concatenate(
                [_series(spec, subsectors, c, weather, seed).ravel() for c in batch]
            )
            geo_idx = np.repeat(np.array([position[c["id"]] for c in batch]), per_county)
            table = pa.Table.from_arrays(
                [
                    pa.array(np.tile(ts, n * len(combos)), TIMESTAMP),
                    _dictionary(geo_idx, county_ids),
                    _dictionary(np.zeros(n * per_county, np.int32), [spec.sector]),
                    _dictionary(np.tile(sub_idx, n), sub_ids),
                    _dictionary(np.tile(metric_idx, n), metric_ids),
                    pa.array(values, pa.float64()),
                ],
                schema=schema,
            )
            writer.write_table(table, row_group_size=len(table))
            written += len(table)
            progress(len(table))
    return written


def write_two_table_pivoted(
    data_path: Path,
    lookup_path: Path,
    spec: DatasetSpec,
    counties: list[dict[str, str]],
    weather: _Weather,
    seed: int,
    progress: Progress,
) -> int:
    """Write `id, timestamp, <one column per end use>` plus the lookup `id, geography, sector,
    subsector`. Returns the number of stacked rows (data rows x end-use columns)."""
    if spec.missing_subsector_metric:
        raise ValueError("a pivoted dataset cannot leave single end uses out without nulls")
    n_eu = len(spec.end_uses)
    schema = pa.schema(
        [("id", pa.int64()), ("timestamp", TIMESTAMP)]
        + [(eu.id, pa.float64()) for eu in spec.end_uses]
    )
    ts = shapes.timestamps_us()
    lookup: list[tuple[int, str, str]] = []
    stacked = 0
    per_county = len(subsectors_of(spec.sector)) * HOURS_PER_YEAR
    with pq.ParquetWriter(data_path, schema, compression="snappy", store_schema=False) as writer:
        for batch in _state_batches(counties, per_county):
            blocks = []
            ids = []
            for county in batch:
                subsectors = residential_subsectors_in(county["id"])
                series = _series(spec, subsectors, county, weather, seed)
                blocks.append(series.reshape(len(subsectors), n_eu, HOURS_PER_YEAR))
                for sub in subsectors:
                    lookup.append((len(lookup) + 1, county["id"], sub.id))
                    ids.append(len(lookup))
            cube = np.concatenate(blocks)  # (lookup rows, end uses, hours)
            columns = [
                pa.array(np.repeat(np.array(ids, np.int64), HOURS_PER_YEAR)),
                pa.array(np.tile(ts, len(ids)), TIMESTAMP),
            ]
            columns += [pa.array(cube[:, k, :].ravel()) for k in range(n_eu)]
            table = pa.Table.from_arrays(columns, schema=schema)
            writer.write_table(table, row_group_size=len(table))
            stacked += len(table) * n_eu
            progress(len(table) * n_eu)
    lookup_table = pa.table(
        {
            "id": pa.array([row[0] for row in lookup], pa.int64()),
            "geography": pa.array([row[1] for row in lookup], pa.string()),
            "sector": pa.array([spec.sector] * len(lookup), pa.string()),
            "subsector": pa.array([row[2] for row in lookup], pa.string()),
        }
    )
    pq.write_table(lookup_table, lookup_path, compression="snappy", store_schema=False)
    return stacked


def new_weather(seed: int) -> _Weather:
    return _Weather(seed)
