"""Where the reference answers a query wrongly: each entry names the queries it concerns (with
the outcome they give), and is proved by a test of test_compat_queries_reference_wrong.py
that computes the right answer with pandas over the raw test_efs files and finds ours equal
to it and the reference's not. Listed in docs/compatibility-queries.md."""

from __future__ import annotations

BUGS: list[dict] = [
    {
        "title": "between_column_operator always fails on the DuckDB backend",
        "test": "test_between_filters",
        "queries": {
            "test_efs/filter_between_model_year": "ours only",
            "test_efs/filter_between_negate": "ours only",
            "test_efs/result_filter_between_time": "ours only",
            "test_efs/result_filter_between_time_negate": "ours only",
        },
        "what": (
            "Every between_column_operator filter, on a dataset (model years) or on the result "
            "(the time column), stops with `TypeError: 'Column' object is not callable`: the "
            "filter calls `F.col(column).between(...)`, and DuckDB's Spark-like Column has no "
            "`between`, so the attribute is read as a struct field. DuckDB is the reference's "
            "default backend."
        ),
        "proof": (
            "pandas over the raw files: the model years 2020 to 2040 (and the others, with "
            "negate) summed by model year and end use; the by-state hourly sums of 2012-01-02 "
            "in the project's time zone (and the other days, with negate). Ours equals pandas."
        ),
    },
    {
        "title": "isNull and isNotNull column operators always fail on the DuckDB backend",
        "test": "test_is_not_null_filter",
        "queries": {"test_efs/filter_column_isnotnull_record_column": "ours only"},
        "what": (
            "A column_operator filter with operator isNull or isNotNull (both in dsgrid's list of "
            "operators) stops with `TypeError: 'Column' object is not callable`: DuckDB's "
            "Spark-like Column has neither method."
        ),
        "proof": (
            "every end use has a fuel_id, so the filter keeps all of them: pandas' by-state sums "
            "of all the data. Ours equals pandas."
        ),
    },
    {
        "title": "peak_load never runs from a query file",
        "test": "test_peak_load_reports",
        "queries": {
            "test_efs/peak_load_by_state": "ours only",
            "test_efs/peak_load_by_county": "ours only",
            "test_efs/peak_load_no_group_by": "ours only",
            "standard_scenarios/tempo_peak_load_by_state": "ours only",
        },
        "what": (
            "A peak_load report given in a query file (as `dsgrid query project run` reads it) "
            "stops with `AttributeError: 'dict' object has no attribute 'group_by_columns'`: "
            "the report's inputs stay the plain dict of the file (ReportInputModel.inputs is "
            "`Any`), and the report reads them as its PeakLoadInputModel. Only Python callers "
            "that build that model themselves get a report."
        ),
        "proof": (
            "pandas: the hourly sums by state (by county), and for each state and end use (each "
            "county and end use; each end use, without group_by_columns) the largest value with "
            "its time. Ours equals pandas."
        ),
    },
    {
        "title": "Result filters run before the aggregation: a supplemental column is refused",
        "test": "test_result_filters_on_supplemental_columns",
        "queries": {
            "test_efs/result_filter_column_isin": "ours only",
            "test_efs/result_filter_expression": "ours only",
            "test_efs/result_filter_supplemental": "ours only",
        },
        "what": (
            "`result.dimension_filters` are documented as 'filters to apply to the result; must "
            "contain columns in the result', but they are applied to the table before the "
            "aggregation, which has only the base dimensions' columns: a filter on the `US "
            "States` column of a by-state result stops with `filter column US States is not in "
            "the dataframe`."
        ),
        "proof": "pandas' by-state sums, kept for the states filtered. Ours equals pandas.",
    },
    {
        "title": "Result expression filters fail on any dimension name with a space",
        "test": "test_result_expression_filter_on_a_name_with_spaces",
        "queries": {"test_efs/result_filter_expression_base": "ours only"},
        "what": (
            "An expression result filter becomes the SQL text `(<dimension name> == 'fans')` "
            "with the name unquoted: every dimension name of test_efs has spaces (`EFS Detailed "
            "End Uses - ComStock Only`), and the query stops with a parser error."
        ),
        "proof": "pandas' by-state sums of the end use fans. Ours equals pandas.",
    },
    {
        "title": "Result filters ignore `column`",
        "test": "test_result_filter_ignores_column",
        "queries": {"test_efs/result_filter_record_column": "different numbers"},
        "what": (
            "A result filter on a record column (`column: state`, value CA, on the county "
            "column) is applied to the column named after the dimension, with `column` dropped: "
            "county ids are compared with 'CA', and the result is empty with no error."
        ),
        "proof": (
            "pandas' by-county sums of the two California counties (4 rows); the reference "
            "answers 0 rows. Ours equals pandas."
        ),
    },
    {
        "title": "column_type dimension_types ignores supplemental dimensions",
        "test": "test_dimension_types_with_a_supplemental_dimension",
        "queries": {
            "test_efs/column_type_types_supplemental": "different numbers",
            "test_efs/names_dimension_types": "different numbers",
        },
        "what": (
            "With `column_type: dimension_types`, an aggregation by `US States` groups by the "
            "base column (county) instead: the result has one row per county, labelled "
            "geography."
        ),
        "proof": (
            "pandas' by-state sums (8 rows; with the states' names); the reference answers 16 "
            "rows of county sums. Ours equals pandas."
        ),
    },
    {
        "title": "replace_ids_with_names does nothing with column_type dimension_types",
        "test": "test_names_with_dimension_types",
        "queries": {"test_efs/names_dimension_types_base": "different numbers"},
        "what": (
            "replace_ids_with_names replaces the ids of the columns named after a dimension; "
            "with `column_type: dimension_types` no column is (they are named geography, "
            "metric, ...), so every id stays an id, with no error."
        ),
        "proof": (
            "pandas' by-county sums with the counties' and end uses' names (San Diego County, "
            "Fans, ...); the reference answers the ids (06073, fans). Ours equals pandas."
        ),
    },
    {
        "title": "column_type dimension_types ignores time functions",
        "test": "test_dimension_types_with_a_time_function",
        "queries": {"test_efs/column_type_types_time_function": "different numbers"},
        "what": (
            "With `column_type: dimension_types`, a time column with a function (month) is "
            "grouped as the plain time column: the result keeps every hour."
        ),
        "proof": (
            "pandas' sums by month and end use (2 rows); the reference answers 336 hourly rows. "
            "Ours, its month read as a month number, equals pandas."
        ),
    },
    {
        "title": "time_zone fails with the default column names",
        "test": "test_time_zone_with_default_column_names",
        "queries": {"test_efs/time_zone_new_york": "ours only"},
        "what": (
            "A query with `time_zone` and the default column_type (dimension_names) stops with "
            "`A name can only have alphanumeric characters: name='Time-2012-EST-hourly-...'`: "
            "the time-zone conversion (chronify) takes the time column's name, the time "
            "dimension's name, as a table column name, which it refuses."
        ),
        "proof": (
            "pandas' by-state hourly sums with the instants written as New York clock times. "
            "Ours equals pandas."
        ),
    },
    {
        "title": "A dataset query with a pivoted table_format always fails",
        "test": "test_pivoted_dataset_query",
        "queries": {"test_efs/dataset_query_pivoted": "ours only"},
        "what": (
            "A dataset query whose result asks for `table_format: {format_type: pivoted, "
            "pivoted_dimension_type: metric}` stops with `Bug: The pivoted dimension can only "
            "have 1 column and 1 name: columns=set() names=set()`: the dataset's table, once "
            "mapped, is stacked, and the pivot looks for the metric's records among its columns."
        ),
        "proof": (
            "the reference's own answer to the same query stacked (dataset_query_to_states: "
            "test_efs_comstock mapped to states), pivoted by metric with pandas. Ours equals it."
        ),
    },
    {
        "title": "A dataset without time (no-op time) fails in a project query",
        "test": "test_dataset_without_time",
        "queries": {
            "standard_scenarios/aeo_industrial_by_model_year": "ours only",
            "standard_scenarios/aeo_other_commercial_sector_end_use": "ours only",
            "standard_scenarios/aeo_union_growth_factors": "ours only",
        },
        "what": (
            "A project query over a dataset whose time dimension is NoOpTime (StandardScenarios' "
            "AEO 2021 growth factors, registered and submitted to the project) stops with "
            '`Binder Error: Referenced column "time_est" not found in FROM clause`: the mapped '
            "dataset has no time column, and the query reads the project's time column anyway, "
            "even with time aggregated away."
        ),
        "proof": (
            "pandas over the raw files of the small copy: each growth factor with the dataset's "
            "single-record dimensions, mapped to the project by the dataset's mapping files "
            "(duplication to every model year, scenario and county), summed by model year (and "
            "sector, end use). Ours equals pandas."
        ),
    },
]


def bug_outcomes() -> dict[str, str]:
    """Every query a bug concerns, with the outcome it gives."""
    return {key: outcome for bug in BUGS for key, outcome in bug["queries"].items()}
