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
    {
        "title": "autogen_reverse_supplemental_mappings never works",
        "test": "test_reference_never_autogenerates_reverse_mappings",
        "what": (
            "A submission that asks for the mapping of a dataset dimension that is one of the "
            "project's supplemental dimensions to be made by reversing the project's mapping "
            "(`autogen_reverse_supplemental_mappings: [geography]` in a bulk file, `-a` on the "
            "command line) is always refused with `Mappings to autgen [[]] does not match "
            "user-specified autogen_reverse_supplemental_mappings={'geography'}`: the "
            "reference looks for the dataset's dimension types (enum members) in the set of "
            "the requested types' string values, which never holds. The StandardScenarios bulk "
            "file asks it for its AEO growth-factor datasets. We make the reverse mapping and "
            "submit the dataset."
        ),
        "proof": (
            "A project of two counties (Colorado, Virginia) with a county -> state supplemental "
            "dimension and a dataset by state: the reference refuses the submission with that "
            "message (and `DimensionType.GEOGRAPHY in {'geography'}` is False in its Python); "
            "pandas reverses the project's mapping file (each state to its counties, multiplier "
            "1) and our registered dataset-to-project mapping holds exactly those rows."
        ),
    },
    {
        "title": "Any dimension name shared in the registry breaks every later name lookup",
        "test": "test_reference_crashes_on_any_shared_dimension_name",
        "what": (
            "The reference registers several dimensions with one name (datasets each bring "
            "their own `sector` or `model_year`), but replacing a config's dimension names "
            "with ids (`replace_dimension_names_with_ids` in bulk-register) first asserts that "
            "no two dimensions in the whole registry share a name, and stops with a bare "
            "`AssertionError` when two do, even if the names the config uses are unique. "
            "Registering the StandardScenarios bulk file stops there at its AEO residential "
            "growth factors, after TEMPO brought a second `model_year`. We resolve each name "
            "the config uses, refuse only a name that is itself shared (saying which ids share "
            "it), and say when a registration makes a name shared."
        ),
        "proof": (
            "A project and two datasets each with its own sector dimension named 'Local "
            "Sectors', then a third dataset naming only project dimensions: the reference "
            "registers the first two and stops at the third with AssertionError; we register "
            "all three (a notice at the second) and store the third's values whole: count and "
            "sum equal pandas' over its data file."
        ),
    },
]
