"""Run the reference's time mapping (dsgrid 0.4's time configs -> chronify 0.7, exactly the
schemas dsgrid builds at submission) on a small table; used by test_time_alignment and
test_time_std_clock.

Run with the reference's Python: reads JSON {from, to, rows, wrap, adjustment} on stdin,
prints the mapped rows as JSON (timestamps in ISO form, UTC).

With {"localize": true} (and no "to"), the rows are instead localized as dsgrid localizes
tz-naive timestamps aligned_in_std_clock_time at registration (chronify's
localize_time_zone_by_column on the schema dsgrid builds); "naive_timestamp_columns" lists
the columns read as tz-naive clock times. With {"expected": true} (no rows), prints the
timestamps the reference expects per time zone for the "from" time config (chronify's range
generator on dsgrid's to_chronify()), as {time_zone, timestamp} rows."""

import json
import logging
import sys
import tempfile
from pathlib import Path

logging.disable(logging.CRITICAL)

import chronify  # noqa: E402
import pandas as pd  # noqa: E402
from dsgrid.config.dimensions import DimensionsListModel  # noqa: E402
from dsgrid.dimension.time import TimeBasedDataAdjustmentModel  # noqa: E402
from dsgrid.utils import dataset as ds_utils  # noqa: E402
from pydantic import TypeAdapter  # noqa: E402


def config(model):
    from dsgrid.config.date_time_dimension_config import DateTimeDimensionConfig
    from dsgrid.config.index_time_dimension_config import IndexTimeDimensionConfig
    from dsgrid.config.representative_period_time_dimension_config import (
        RepresentativePeriodTimeDimensionConfig,
    )

    kinds = {
        "datetime": DateTimeDimensionConfig,
        "index": IndexTimeDimensionConfig,
        "representative_period": RepresentativePeriodTimeDimensionConfig,
    }
    return kinds[model.time_type.value](model)


class Columns:
    def __init__(self, columns):
        self.columns = columns


def localize(store, df, src_dim):
    src = ds_utils._get_src_schema(Columns(list(df.columns)), src_dim)
    store.ingest_table(df, src, skip_time_checks=True)
    with tempfile.TemporaryDirectory() as scratch:
        dst = store.localize_time_zone_by_column(src.name, scratch_dir=Path(scratch))
    return dst


def expected(src_dim):
    from chronify.time_range_generator_factory import make_time_range_generator

    by_zone = make_time_range_generator(src_dim.to_chronify()).list_timestamps_by_time_zone()
    stamps = {z: [pd.Timestamp(t) for t in ts] for z, ts in by_zone.items()}
    rows = [
        {"time_zone": zone, "timestamp": (t.tz_convert("UTC") if t.tzinfo else t).isoformat()}
        for zone, ts in stamps.items()
        for t in ts
    ]
    print(json.dumps(rows))


def main():
    job = json.load(sys.stdin)
    adapter = TypeAdapter(DimensionsListModel)
    src_dim = config(adapter.validate_python([job["from"]])[0])
    if job.get("expected"):
        expected(src_dim)
        return
    df = pd.DataFrame(job["rows"])
    for col in job.get("timestamp_columns", []):
        df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(job["from_zone"])
    for col in job.get("naive_timestamp_columns", []):
        df[col] = pd.to_datetime(df[col])
    store = chronify.Store.create_in_memory_db()
    if job.get("localize"):
        dst = localize(store, df, src_dim)
        emit(store, dst)
        return
    dst_dim = config(adapter.validate_python([job["to"]])[0])
    src, dst = ds_utils._get_mapping_schemas(Columns(list(df.columns)), src_dim, dst_dim)
    store.ingest_table(df, src, skip_time_checks=True)
    adjustment = TimeBasedDataAdjustmentModel(**job.get("adjustment", {}))
    with tempfile.TemporaryDirectory() as scratch:
        store.map_table_time_config(
            src.name,
            dst,
            wrap_time_allowed=job.get("wrap", False),
            data_adjustment=ds_utils._to_chronify_time_based_data_adjustment(adjustment),
            scratch_dir=Path(scratch),
        )
    emit(store, dst)


def emit(store, dst):
    out = store.read_table(dst.name)
    col = dst.time_config.time_column
    out[col] = pd.to_datetime(out[col], utc=True).map(lambda t: t.isoformat())
    print(json.dumps(out.to_dict(orient="records"), default=str))


if __name__ == "__main__":
    main()
