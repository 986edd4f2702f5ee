"""The reference's wrong answers (query_bugs.py), each proved: the right answer computed with
pandas over the raw test_efs files, the reference's answer (a refusal or a table) not it, and
ours equal to it. Our tables are read with their columns named by dimension type whatever
column names we give (a column named after a dimension is renamed to its type)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from queries_compare import renamed_by_type
from queries_corpus import engines_for
from queries_pandas import (
    PROJECT,
    PROJECT_ZONE,
    assert_same,
    comstock_in_project,
    counties,
    local_clock,
    peaks,
    records,
    state_names,
    summed,
    to_states,
)
from queries_reference import dimension_types_by_name
from query_bugs import BUGS

NOT_CALLABLE = "'Column' object is not callable"


# these read the test_efs comparison: on its engines (queries_corpus.TRANSPORT_CORPORA)
on_test_efs_engines = pytest.mark.parametrize(
    "query_engine", engines_for("test_efs"), indirect=True
)


def test_every_bug_has_its_proof():
    assert {bug["test"] for bug in BUGS} <= set(globals())


@pytest.fixture(scope="module")
def base(test_data) -> pd.DataFrame:
    return comstock_in_project(test_data)


@pytest.fixture(scope="module")
def states(test_data, base) -> pd.DataFrame:
    return to_states(test_data, base)


@pytest.fixture
def answers(query_comparison, query_reference_registry):
    """(the reference's verdict, our table renamed by dimension type) of a query."""
    name_types = dimension_types_by_name(query_reference_registry)

    def get(stem: str, table: str = "table"):
        key = f"test_efs/{stem}"
        ours = query_comparison.ours[key]
        assert ours["accepted"], ours["message"]
        frame = renamed_by_type(ours["frames"][table], name_types)
        assert frame is not None
        return query_comparison.reference[key], frame

    return get


def _refused(reference: dict, text: str) -> None:
    assert not reference["accepted"] and text in reference["message"], reference["message"]


@on_test_efs_engines
def test_between_filters(answers, base, states):
    years = base["model_year"].between("2020", "2040")
    for key, kept in (("filter_between_model_year", years), ("filter_between_negate", ~years)):
        reference, ours = answers(key)
        _refused(reference, NOT_CALLABLE)
        assert_same(ours, summed(base[kept], ["model_year", "metric"]))

    hourly = summed(states, ["geography", "metric", "timestamp"])
    clock = local_clock(hourly["timestamp"], PROJECT_ZONE)
    day = clock.between(pd.Timestamp("2012-01-02 00:00"), pd.Timestamp("2012-01-02 23:00"))
    week = clock.between(pd.Timestamp("2012-01-02 00:00"), pd.Timestamp("2012-01-07 23:00"))
    for key, kept in (
        ("result_filter_between_time", day),
        ("result_filter_between_time_negate", ~week),
    ):
        reference, ours = answers(key)
        _refused(reference, NOT_CALLABLE)
        assert 0 < kept.sum() < len(hourly)
        assert_same(ours, hourly[kept])


@on_test_efs_engines
def test_is_not_null_filter(answers, test_data, states):
    end_uses = records(test_data / PROJECT / "dimensions" / "enduses.csv")
    assert (end_uses["fuel_id"] != "").all()  # the filter keeps every end use
    reference, ours = answers("filter_column_isnotnull_record_column")
    _refused(reference, NOT_CALLABLE)
    assert_same(ours, summed(states, ["geography", "metric"]))


@on_test_efs_engines
def test_peak_load_reports(answers, base, states):
    by_state = summed(states, ["geography", "metric", "timestamp"])
    reference, ours = answers("peak_load_by_state", "peak_load")
    _refused(reference, "'dict' object has no attribute 'group_by_columns'")
    assert_same(ours, peaks(by_state, ["geography", "metric"]))

    by_county = summed(base, ["geography", "metric", "timestamp"])
    reference, ours = answers("peak_load_by_county", "peak_load")
    _refused(reference, "'dict' object has no attribute 'group_by_columns'")
    assert_same(ours, peaks(by_county, ["geography", "metric"]))

    reference, ours = answers("peak_load_no_group_by", "peak_load")
    _refused(reference, "'dict' object has no attribute 'group_by_columns'")
    # dsgrid joins each peak back to its rows by (group, metric, value): time, metric, value
    assert_same(ours, peaks(by_state, ["metric"])[["metric", "timestamp", "value"]])


@on_test_efs_engines
def test_result_filters_on_supplemental_columns(answers, states):
    by_state = summed(states, ["geography", "metric"])
    for key, kept in (
        ("result_filter_column_isin", ["CA", "NY"]),
        ("result_filter_expression", ["TX"]),
        ("result_filter_supplemental", ["CO"]),
    ):
        reference, ours = answers(key)
        _refused(reference, "filter column US States is not in the dataframe")
        assert_same(ours, by_state[by_state["geography"].isin(kept)])


@on_test_efs_engines
def test_result_expression_filter_on_a_name_with_spaces(answers, states):
    reference, ours = answers("result_filter_expression_base")
    _refused(reference, "Parser Error")
    by_state = summed(states, ["geography", "metric"])
    assert_same(ours, by_state[by_state["metric"] == "fans"])


@on_test_efs_engines
def test_result_filter_ignores_column(answers, test_data, base):
    reference, ours = answers("result_filter_record_column")
    california = counties(test_data).query("state == 'CA'")["id"]
    by_county = summed(base, ["geography", "metric"])
    expected = by_county[by_county["geography"].isin(california)]
    assert len(expected) == 4
    assert reference["accepted"] and len(reference["frames"]["table"]) == 0
    assert_same(ours, expected)


@on_test_efs_engines
def test_dimension_types_with_a_supplemental_dimension(answers, test_data, states):
    expected = summed(states, ["geography", "metric"])
    reference, ours = answers("column_type_types_supplemental")
    wrong = reference["frames"]["table"]
    assert len(wrong) == 16 and set(wrong["geography"]) == set(counties(test_data)["id"])
    assert_same(ours, expected)

    reference, ours = answers("names_dimension_types")
    named = expected.assign(
        geography=expected["geography"].map(state_names(test_data)),
        metric=expected["metric"].map(_end_use_names(test_data)),
    )
    assert len(reference["frames"]["table"]) == 16
    assert_same(ours, named)


def _end_use_names(test_data) -> dict[str, str]:
    end_uses = records(test_data / PROJECT / "dimensions" / "enduses.csv")
    return dict(zip(end_uses["id"], end_uses["name"], strict=True))


@on_test_efs_engines
def test_names_with_dimension_types(answers, test_data, base):
    by_county = summed(base, ["geography", "metric"])
    places = counties(test_data)
    named = by_county.assign(
        geography=by_county["geography"].map(dict(zip(places["id"], places["name"], strict=True))),
        metric=by_county["metric"].map(_end_use_names(test_data)),
    )
    reference, ours = answers("names_dimension_types_base")
    wrong = reference["frames"]["table"]
    assert set(wrong["geography"]) == set(places["id"])
    assert set(wrong["metric"]) == {"fans", "cooling"}
    assert_same(ours, named)


@on_test_efs_engines
def test_dimension_types_with_a_time_function(answers, base):
    frame = base.assign(month=local_clock(base["timestamp"], PROJECT_ZONE).dt.month)
    expected = summed(frame, ["month", "metric"])
    reference, ours = answers("column_type_types_time_function")
    assert len(expected) == 2 and len(reference["frames"]["table"]) == 336
    if pd.api.types.is_datetime64_any_dtype(ours["month"]):  # a month read as its number
        ours = ours.assign(month=ours["month"].dt.month)
    assert_same(ours, expected)


@on_test_efs_engines
def test_time_zone_with_default_column_names(answers, states):
    reference, ours = answers("time_zone_new_york")
    _refused(reference, "A name can only have alphanumeric characters")
    hourly = summed(states, ["geography", "metric", "timestamp"])
    expected = hourly.assign(timestamp=local_clock(hourly["timestamp"], "America/New_York"))
    # the zone of the clock times in its own column, as dsgrid gives it where it answers
    assert_same(ours, expected.assign(time_zone="America/New_York"))


def _text(column: pd.Series) -> pd.Series:
    """A key column as text, instants in UTC."""
    if pd.api.types.is_datetime64_any_dtype(column) and column.dt.tz is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return column.astype(str)


@on_test_efs_engines
def test_pivoted_dataset_query(answers):
    reference, ours = answers("dataset_query_pivoted")
    _refused(reference, "The pivoted dimension can only have 1 column and 1 name")
    stacked, _ = answers("dataset_query_to_states")
    assert stacked["accepted"], stacked["message"]
    frame = stacked["frames"]["table"]
    keys = [c for c in frame.columns if c not in ("metric", "value")]
    pivoted = frame.pivot_table(index=keys, columns="metric", values="value", aggfunc="sum")
    expected = pivoted.reset_index()
    expected.columns.name = None
    metrics = [c for c in expected.columns if c not in keys]
    assert sorted(ours.columns) == sorted(expected.columns), list(ours.columns)
    assert len(ours) == len(expected)
    left = ours.sort_values(keys).reset_index(drop=True)
    right = expected.sort_values(keys).reset_index(drop=True)
    for key in keys:
        assert list(_text(left[key])) == list(_text(right[key])), key
    for metric in metrics:
        np.testing.assert_allclose(left[metric], right[metric], rtol=1e-9, atol=1e-9)


# --- the standard_scenarios corpus (the small copy of StandardScenarios) ----------------------


@pytest.fixture
def standard_answers(standard_scenarios_comparison, standard_scenarios_registries):
    """(the reference's verdict, our table renamed by dimension type) of a query of the corpus."""
    name_types = dimension_types_by_name(standard_scenarios_registries.url)

    def get(stem: str, table: str = "table"):
        key = f"standard_scenarios/{stem}"
        ours = standard_scenarios_comparison.ours[key]
        assert ours["accepted"], ours["message"]
        frame = renamed_by_type(ours["frames"][table], name_types)
        assert frame is not None
        return standard_scenarios_comparison.reference[key], frame

    return get


def _growth_factors(copy: Path, folder: str) -> pd.DataFrame:
    """An AEO growth-factor dataset of the small copy mapped to the project with pandas: its
    values (pivoted by metric) with its single-record dimensions, through its mapping files."""
    import json5
    from reference import DIMS, apply_mapping

    folder = copy / "dsgrid_project/datasets/modeled/aeo2021_reference" / folder
    config = json5.loads((folder / "dataset.json5").read_text())
    data = pd.read_parquet(folder / config["data_layout"]["data_file"]["path"])
    present = [c for c in data.columns if c in DIMS]
    frame = data.melt(id_vars=present, var_name="metric", value_name="value")
    for dim in config["dimensions"]:
        if dim["type"] != "time" and dim["type"] not in frame.columns:
            (only,) = records(folder / dim["file"])["id"]
            frame[dim["type"]] = only
    mappings = json5.loads((folder / "dimension_mappings.json5").read_text())
    for mapping in mappings["mappings"]:
        frame = apply_mapping(frame, mapping["dimension_type"], records(folder / mapping["file"]))
    return frame


def test_dataset_without_time(standard_answers, standard_scenarios_registries):
    copy = standard_scenarios_registries.ours.parent / "copy"
    industrial = _growth_factors(copy, "industrial/Growth_Factors")
    other = _growth_factors(copy, "other_commercial/Growth_Factors")
    refusal = 'Referenced column "time_est" not found'

    reference, ours = standard_answers("aeo_industrial_by_model_year")
    _refused(reference, refusal)
    assert_same(ours, summed(industrial, ["model_year", "metric"]))

    reference, ours = standard_answers("aeo_other_commercial_sector_end_use")
    _refused(reference, refusal)
    assert_same(ours, summed(other, ["model_year", "sector", "metric"]))

    reference, ours = standard_answers("aeo_union_growth_factors")
    _refused(reference, refusal)
    both = pd.concat([industrial, other], ignore_index=True)
    assert_same(ours, summed(both, ["model_year", "sector", "metric"]))


def test_peak_load_on_standard_scenarios(standard_answers, standard_scenarios_registries):
    """The peak_load query's aggregation is tempo_state_end_use_hourly's (same filters): its
    peaks are computed with pandas over the reference's own answer to that query."""
    reference, ours = standard_answers("tempo_peak_load_by_state", "peak_load")
    _refused(reference, "'dict' object has no attribute 'group_by_columns'")
    hourly = standard_answers("tempo_state_end_use_hourly")[0]
    assert hourly["accepted"], hourly["message"]
    name_types = dimension_types_by_name(standard_scenarios_registries.url)
    table = renamed_by_type(hourly["frames"]["table"], name_types)
    # every hour at its group's largest value (the representative weeks repeat their hours:
    # equal sums, up to float noise)
    largest = table.groupby(["geography", "metric"])["value"].transform("max")
    peak = np.isclose(table["value"], largest, rtol=1e-9, atol=0)
    assert_same(ours, table[peak].reset_index(drop=True))
