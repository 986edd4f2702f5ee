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
Keys are "<corpus>/<query file stem>" (queries_corpus.CORPORA: test_efs for queries/,
standard_scenarios for queries_standard_scenarios/)."""

from __future__ import annotations

GAPS: dict[str, str] = {}  # test_efs: none today

# the standard_scenarios corpus: our planner's mapping of a dataset's time to the project's
# (annual, representative-period, index time, datetime in each geography's clock) was being
# changed while its queries were written; none differs today

# gaps of one of our engines only (the page shows DuckDB): (engine, key) -> reason; engines
# "duckdb", "spark" (local), "spark_connect" (our Spark engine through a Connect client),
# "spark_cluster" (a classic session on a standalone cluster): none today, every query answers
# alike on the four
ENGINE_GAPS: dict[tuple[str, str], str] = {}

# the outcome that means fixed, for gaps where the reference is wrong too (query_bugs.py):
# empty today
FIXED_WHEN: dict[str, str] = {}

INTENDED: dict[str, tuple[str, str]] = {
    # key: (outcome, reason)
    "test_efs/excluded_dataset_ids": (
        "ours only",
        "excluded_dataset_ids is read and applied (the listed source datasets are left out); "
        "dsgrid refuses it as not supported yet",
    ),
    "test_efs/filter_column_eqnullsafe": (
        "ours only",
        "eqNullSafe, a pyspark Column method that dsgrid's list of operators leaves out, is "
        "accepted (equality that also matches nulls)",
    ),
    "test_efs/filter_expression_negate": (
        "ours only",
        "negate is read on an expression filter too (dsgrid's expression filter model has no "
        "negate and refuses the key)",
    ),
    "test_efs/filter_on_time_dataset_param": (
        "ours only",
        "a dataset filter on time is applied (dsgrid: 'Pre-filtering time is not supported yet')",
    ),
    "test_efs/source_without_type": (
        "ours only",
        "a source dataset without dataset_type is read as standalone, the only type both tools "
        "run; dsgrid's model requires the key",
    ),
}
