"""Comparisons (a query's ``comparison``: two scenarios, model years or datasets side by side)
on every engine, against pandas over the demo's raw generated files; refusals of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference import apply_mapping, dataset_frame, in_unit, records, to_project

from dsgrid_core.errors import DsgridError

TZ = "Etc/GMT+5"
DATASETS = ("demo_comstock_like", "demo_resstock_like")
TIME = "Demo Time 2018 Hourly EST"
STATES = "Demo States"
VALUES = ["base", "other", "difference", "relative_difference"]


@pytest.fixture(scope="module")
def demo_by_dataset(demo_registry):
    """Each demo dataset in the project's base dimensions, in kWh, from the generated inputs,
    with a ``dataset`` column."""
    _, inputs = demo_registry
    weather = records(inputs / "dimensions" / "weather_years.csv")["id"].iloc[0]
    frames = []
    for dataset in DATASETS:
        folder = inputs / "datasets" / dataset
        trivial = {"weather_year": weather}
        for dim, file in (("model_year", "model_years.csv"), ("scenario", "scenarios.csv")):
            trivial[dim] = records(folder / "dimensions" / file)["id"].iloc[0]
        frame = dataset_frame(folder / "dataset.json5", trivial, TZ)
        frame = to_project(
            frame,
            folder / "dimension_mappings.json5",
            records(folder / "dimensions" / "enduses.csv"),
            records(inputs / "dimensions" / "enduses.csv"),
        )
        frames.append(frame.assign(dataset=dataset))
    both = pd.concat(frames, ignore_index=True)
    return in_unit(both, records(inputs / "dimensions" / "enduses.csv"), "kWh")


def _query(name: str, comparison: dict, filters=(), **result) -> dict:
    return {
        "name": name,
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": d} for d in DATASETS],
            },
        },
        "result": {
            "column_type": "dimension_types",
            "unit": "kWh",
            "dimension_filters": [
                {
                    "filter_type": "expression",
                    "dimension_type": t,
                    "dimension_name": t,
                    "value": v,
                }
                for t, v in filters
            ],
            **result,
        },
        "comparison": comparison,
    }


def _expected(frame: pd.DataFrame, keys: list[str], column: str, base: str, other: str):
    """base, other, other - base, (other - base) / base (NaN where base is 0), a group missing
    on one side counting 0 there: pandas, independently of the planner."""
    sums = frame.groupby([*keys, column])["value"].sum().unstack(column, fill_value=0.0)
    for side in (base, other):
        if side not in sums.columns:
            sums[side] = 0.0
    out = pd.DataFrame({"base": sums[base], "other": sums[other]}).reset_index()
    out["difference"] = out["other"] - out["base"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["relative_difference"] = np.where(
            out["base"] == 0, np.nan, out["difference"] / out["base"]
        )
    return out.sort_values(keys).reset_index(drop=True)


def _same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    actual = actual.sort_values(keys).reset_index(drop=True)
    assert list(actual.columns) == [*keys, *VALUES]
    assert len(actual) == len(expected) > 0
    for key in keys:
        left, right = actual[key], expected[key]
        if pd.api.types.is_datetime64_any_dtype(right):
            left = pd.to_datetime(left, utc=True)
        assert list(left) == list(right), key
    for name in VALUES:
        np.testing.assert_allclose(
            actual[name].to_numpy(dtype=float),
            expected[name].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-9,
            equal_nan=True,
            err_msg=name,
        )


def test_scenarios_by_state_and_hour(demo_registry, demo_by_dataset, engine, run_query_on):
    registry, inputs = demo_registry
    query = _query(
        "cmp_scenarios",
        {"dimension": "scenario", "base": "reference", "other": "high_electrification"},
        filters=[("model_year", "2035")],
        aggregations=[{"dimensions": {"geography": [STATES], "time": [TIME]}}],
    )
    table, result = run_query_on(registry, query, engine)
    states = records(inputs / "dimension_mappings" / "base_to_supplemental" / "county_to_state.csv")
    frame = apply_mapping(demo_by_dataset, "geography", states)
    frame = frame[frame["model_year"] == "2035"]
    expected = _expected(
        frame, ["geography", "timestamp"], "scenario", "reference", "high_electrification"
    )
    _same(table, expected, ["geography", "timestamp"])
    assert result.metadata["comparison"]["other"] == "high_electrification"
    # the demo's high electrification scenario is the reference times a multiplier > 1
    assert (table["difference"] > 0).all()


def test_model_years_by_county(demo_registry, demo_by_dataset, engine, run_query_on):
    registry, _ = demo_registry
    query = _query(
        "cmp_years",
        {"dimension": "model_year", "base": "2025", "other": "2045"},
        filters=[("scenario", "reference")],
        aggregations=[{"dimensions": {"geography": ["Demo Counties"]}}],
        sort_columns=["-difference"],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = demo_by_dataset[demo_by_dataset["scenario"] == "reference"]
    expected = _expected(frame, ["geography"], "model_year", "2025", "2045")
    # sorted as asked: by difference, largest first
    assert list(table["difference"]) == sorted(table["difference"], reverse=True)
    _same(table, expected, ["geography"])


def test_datasets_by_end_use_with_null_relative(
    demo_registry, demo_by_dataset, engine, run_query_on
):
    registry, _ = demo_registry
    query = _query(
        "cmp_datasets",
        {"dimension": "dataset", "base": "demo_resstock_like", "other": "demo_comstock_like"},
        filters=[("scenario", "reference"), ("model_year", "2025")],
        aggregations=[{"dimensions": {"metric": ["Demo End Uses"]}}],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = demo_by_dataset[
        (demo_by_dataset["scenario"] == "reference") & (demo_by_dataset["model_year"] == "2025")
    ]
    expected = _expected(frame, ["metric"], "dataset", "demo_resstock_like", "demo_comstock_like")
    _same(table, expected, ["metric"])
    # end uses only the commercial dataset has: base 0 there, so no relative difference
    only_other = table[table["base"] == 0]
    assert len(only_other) > 0 and only_other["relative_difference"].isna().all()
    assert table.loc[table["base"] != 0, "relative_difference"].notna().all()


def test_comparison_is_cached_apart_from_its_sides(demo_registry_copy):
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    comparison = {"dimension": "scenario", "base": "reference", "other": "high_electrification"}
    query = _query(
        "cmp_cache",
        comparison,
        filters=[("model_year", "2025")],
        aggregations=[{"dimensions": {"geography": [STATES]}}],
    )
    swapped = _query(
        "cmp_cache",
        {**comparison, "base": comparison["other"], "other": comparison["base"]},
        filters=[("model_year", "2025")],
        aggregations=[{"dimensions": {"geography": [STATES]}}],
    )
    with Registry(demo_registry_copy, read_only=True) as registry:
        first = run_query(registry, parse_query(query))
        again = run_query(registry, parse_query(query))
        other = run_query(registry, parse_query(swapped))
        assert first.metadata["cache"] == "miss"
        assert again.metadata["cache"] == "hit"
        assert other.metadata["cache"] == "miss"
        left = first.to_pandas().sort_values("geography").reset_index(drop=True)
        right = other.to_pandas().sort_values("geography").reset_index(drop=True)
    np.testing.assert_allclose(left["base"], right["other"], rtol=1e-12)
    np.testing.assert_allclose(left["difference"], -right["difference"], rtol=1e-12)


@pytest.mark.parametrize(
    ("comparison", "result", "message"),
    [
        (
            {"dimension": "scenario", "base": "reference", "other": "reference"},
            {},
            "base and other are both 'reference'",
        ),
        (
            {"dimension": "scenario", "base": "reference", "other": "high_elec"},
            {},
            "comparison.other: 'high_elec' is not a record of the project's scenario",
        ),
        (
            {"dimension": "weather_year", "base": "2018", "other": "2019"},
            {},
            "has one record (2018): there are no alternatives to compare",
        ),
        (
            {"dimension": "version", "base": "1.0.0", "other": "1.1.0"},
            {},
            "comparing two versions of a dataset is not supported",
        ),
        (
            {"dimension": "geography", "base": "10001", "other": "10003"},
            {},
            "'geography' cannot be compared",
        ),
        (
            {"dimension": "dataset", "base": "demo_comstock_like", "other": "nope"},
            {},
            "comparison.other: dataset 'nope' is not a source dataset",
        ),
        (
            {"dimension": "scenario", "base": "reference", "other": "high_electrification"},
            {"table_format": {"format_type": "pivoted", "pivoted_dimension_type": "metric"}},
            "a comparison has four value columns",
        ),
    ],
    ids=["same-twice", "unknown", "no-alternatives", "versions", "parts", "dataset", "pivot"],
)
def test_bad_comparisons_are_refused_naming_the_field(
    demo_registry, duckdb_engine, run_query_on, comparison, result, message
):
    registry, _ = demo_registry
    query = _query(
        "cmp_bad",
        comparison,
        aggregations=[{"dimensions": {"geography": [STATES]}}],
        **result,
    )
    with pytest.raises(DsgridError) as info:
        run_query_on(registry, query, duckdb_engine)
    assert message in str(info.value)
