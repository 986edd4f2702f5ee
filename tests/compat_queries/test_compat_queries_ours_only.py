"""The queries we answer and the reference refuses by design (query_gaps.INTENDED): the
reference's refusal as recorded, and our answer checked against pandas over the raw files."""

from __future__ import annotations

import pandas as pd
import pytest
from queries_compare import renamed_by_type
from queries_corpus import engines_for
from queries_pandas import (
    PROJECT_ZONE,
    assert_same,
    comstock_in_project,
    local_clock,
    summed,
    to_states,
)
from queries_reference import dimension_types_by_name
from query_gaps import INTENDED

CHECKED = {
    "excluded_dataset_ids",
    "source_without_type",
    "filter_column_eqnullsafe",
    "filter_expression_negate",
    "filter_on_time_dataset_param",
}


# these read the test_efs comparison: on its engines (queries_corpus.TRANSPORT_CORPORA)
on_test_efs_engines = pytest.mark.parametrize(
    "query_engine", engines_for("test_efs"), indirect=True
)


def test_every_intended_difference_is_checked():
    assert set(INTENDED) == {f"test_efs/{stem}" for stem in CHECKED}


@pytest.fixture(scope="module")
def base(test_data) -> pd.DataFrame:
    return comstock_in_project(test_data)


@pytest.fixture
def ours(query_comparison, query_reference_registry):
    """Our table of a query the reference refuses, renamed by dimension type."""
    name_types = dimension_types_by_name(query_reference_registry)

    def get(stem: str, refusal: str) -> pd.DataFrame:
        key = f"test_efs/{stem}"
        assert INTENDED[key][0] == "ours only"
        reference = query_comparison.reference[key]
        assert not reference["accepted"] and refusal in reference["message"]
        verdict = query_comparison.ours[key]
        assert verdict["accepted"], verdict["message"]
        return renamed_by_type(verdict["frames"]["table"], name_types)

    return get


@on_test_efs_engines
def test_excluded_dataset_ids(ours, test_data, base):
    # the unpivoted copy is left out: test_efs_comstock alone
    table = ours("excluded_dataset_ids", "excluded_dataset_ids is not supported yet")
    assert_same(table, summed(to_states(test_data, base), ["geography", "metric"]))


@on_test_efs_engines
def test_source_dataset_without_type(ours, test_data, base):
    table = ours("source_without_type", "Unable to extract tag using discriminator")
    assert_same(table, summed(to_states(test_data, base), ["geography", "metric"]))


@on_test_efs_engines
def test_eq_null_safe_filter(ours, base):
    table = ours("filter_column_eqnullsafe", "operator=eqNullSafe is not supported")
    assert_same(table, summed(base[base["geography"] == "06073"], ["geography", "metric"]))


@on_test_efs_engines
def test_negated_expression_filter(ours, base):
    table = ours("filter_expression_negate", "negate Extra inputs are not permitted")
    assert_same(table, summed(base[base["geography"] != "06073"], ["geography", "metric"]))


@on_test_efs_engines
def test_time_filter_on_the_datasets(ours, test_data, base):
    table = ours("filter_on_time_dataset_param", "Pre-filtering time is not supported yet")
    hourly = summed(to_states(test_data, base), ["geography", "metric", "timestamp"])
    clock = local_clock(hourly["timestamp"], PROJECT_ZONE)
    day = clock.between(pd.Timestamp("2012-01-02 00:00"), pd.Timestamp("2012-01-02 23:00"))
    assert_same(table, hourly[day])
