"""The one place listing where our answers to the suite's queries differ from the reference's.

GAPS: differences to fix, one line each. Each makes its query's test a strict xfail: when
someone fixes one, the test passes, and so fails until the entry is removed here (then
regenerate docs/compatibility-queries.md with scripts/compat_queries_report.py). A gap is
fixed when its query's outcome is compatible (same, refused by both), or exactly the outcome
of FIXED_WHEN where that is not enough (the reference refuses the query wrongly: fixed, we
answer it).

INTENDED: differences by design (the outcome they give, and why); the test checks the
outcome stays exactly that.

Where the reference is wrong, the query is not here but in query_bugs.py, with its proof.
Keys are the query files' names (queries/<key>.json5)."""

from __future__ import annotations

_DATASET_QUERY = (
    "dataset queries in dsgrid's form (to_dimension_references, result) are refused: we know "
    "only our own form (dataset_id with aggregations and filters at the top level)"
)

GAPS: dict[str, str] = {
    "agg_county_and_state": (
        "two columns of one dimension type in an aggregation (county and its state) are refused"
    ),
    "chained_aggregations": (
        "several aggregations in a row (each on the result of the one before) are refused: we "
        "take one aggregation per query"
    ),
    **dict.fromkeys(
        [
            "dataset_query_sorted",
            "dataset_query_to_census_regions",
            "dataset_query_to_states",
            "dataset_query_unpivoted_to_states",
        ],
        _DATASET_QUERY,
    ),
    "expression_product": "'*' between datasets in an expression is refused",
    "time_zone_geography": (
        "time_zone 'geography' (each row converted to its county's own zone, named in a "
        "time_zone column) is refused"
    ),
}

# gaps of one of our engines only (the page shows DuckDB): (engine, key) -> reason
ENGINE_GAPS: dict[tuple[str, str], str] = {}

# the outcome that means fixed, for gaps where the reference is wrong too (query_bugs.py):
# empty today
FIXED_WHEN: dict[str, str] = {}

INTENDED: dict[str, tuple[str, str]] = {
    # key: (outcome, reason)
    "excluded_dataset_ids": (
        "ours only",
        "excluded_dataset_ids is read and applied (the listed source datasets are left out); "
        "dsgrid refuses it as not supported yet",
    ),
    "filter_column_eqnullsafe": (
        "ours only",
        "eqNullSafe, a pyspark Column method that dsgrid's list of operators leaves out, is "
        "accepted (equality that also matches nulls)",
    ),
    "filter_expression_negate": (
        "ours only",
        "negate is read on an expression filter too (dsgrid's expression filter model has no "
        "negate and refuses the key)",
    ),
    "filter_on_time_dataset_param": (
        "ours only",
        "a dataset filter on time is applied (dsgrid: 'Pre-filtering time is not supported yet')",
    ),
    "source_without_type": (
        "ours only",
        "a source dataset without dataset_type is read as standalone, the only type both tools "
        "run; dsgrid's model requires the key",
    ),
}
