"""Run the reference's time mapping (dsgrid 0.4's time configs -> chronify 0.7, exactly the
schemas dsgrid builds at submission) on a small table; used by test_time_alignment.

Run with the reference's Python: reads JSON {from, to, rows, wrap, adjustment} on stdin,
prints the mapped rows as JSON (timestamps in ISO form, UTC)."""

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


def main():
    job = json.load(sys.stdin)
    adapter = TypeAdapter(DimensionsListModel)
    src_dim = config(adapter.validate_python([job["from"]])[0])
    dst_dim = config(adapter.validate_python([job["to"]])[0])
    df = pd.DataFrame(job["rows"])
    for col in job.get("timestamp_columns", []):
        df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert(job["from_zone"])
    src, dst = ds_utils._get_mapping_schemas(Columns(list(df.columns)), src_dim, dst_dim)
    store = chronify.Store.create_in_memory_db()
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
    out = store.read_table(dst.name)
    col = dst.time_config.time_column
    out[col] = pd.to_datetime(out[col], utc=True).map(lambda t: t.isoformat())
    print(json.dumps(out.to_dict(orient="records"), default=str))


if __name__ == "__main__":
    main()
