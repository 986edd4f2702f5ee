"""Where the reference is wrong: each entry is proved by a test of test_reference_wrong.py
with an independent computation (pandas over the raw files), and listed in
docs/compatibility.md by compat_page.py."""

from __future__ import annotations

BUGS: list[dict[str, str]] = [
    {
        "title": "CSV timestamps with a UTC offset are read as clock times without it",
        "test": "test_reference_drops_csv_utc_offsets",
        "what": (
            "A CSV data file whose time column holds ISO timestamps with an offset "
            "(`2012-01-01 00:00:00+00:00`) and no declared column types: the reference reads "
            "them as naive clock times, then refuses the dataset, listing every expected "
            "timestamp as missing and the same instants, without their zone, as extra. "
            "Declaring the column (`data_file.columns: [{name: timestamp, data_type: "
            "TIMESTAMP_TZ}]`) works around it. We read the offsets and register the dataset."
        ),
        "proof": (
            "pandas reads the generated file (`tests/compat/compat_generate.py`, layout one_table, "
            "stacked, CSV) with `pd.to_datetime(..., utc=True)`: every combination of "
            "county, subsector and end use has exactly the 24 hourly UTC instants of the "
            "project's time dimension, 192 values summing to 382.08; our stored table holds "
            "the same instants, count and sum."
        ),
    },
]
