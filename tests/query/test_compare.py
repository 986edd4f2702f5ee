"""Comparisons (a query's ``comparison``: two scenarios, model years, datasets or versions of a
dataset side by side) on every engine, against pandas over the demo's raw generated files (and,
for versions, over the rows the registry stores for each version); refusals of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference import apply_mapping, dataset_frame, in_unit, records, to_project
from versioned_demo import CHANGED, DATASET, FIRST, UNFIT, make_versioned, stored_rows

from dsgrid_core.errors import DsgridError

TZ = "Etc/GMT+5"
DATASETS = ("demo_comstock_like", "demo_resstock_like")
TIME = "Demo Time 2018 Hourly EST"
STATES = "Demo States"
VALUES = ["base", "other", "difference", "relative_difference"]
# Columns no demo submission maps, and the value each takes once summed over.
UNMAPPED = {
    "geography": "all",
    "sector": "all",
    "subsector": "all",
    "timestamp": pd.Timestamp("2018-01-01", tz="UTC"),
}


def _summed(frame: pd.DataFrame, keep=()) -> pd.DataFrame:
    """``frame`` summed over the unmapped columns not in ``keep``. Mappings and unit factors
    apply row by row, so the sums are the same, and pandas maps a fraction of the rows (it
    expands each row to 6 model year x scenario pairs)."""
    drop = [c for c in UNMAPPED if c not in keep]
    keys = [c for c in frame.columns if c not in (*drop, "value")]
    summed = frame.groupby(keys, as_index=False, sort=False)["value"].sum()
    return summed.assign(**{c: UNMAPPED[c] for c in drop})


@pytest.fixture(scope="module")
def demo_raw(demo_registry) -> dict[str, pd.DataFrame]:
    """Each demo dataset from the generated inputs, in its own dimensions, summed over its
    sectors and subsectors (no test keeps them)."""
    _, inputs = demo_registry
    weather = records(inputs / "dimensions" / "weather_years.csv")["id"].iloc[0]
    frames = {}
    for dataset in DATASETS:
        folder = inputs / "datasets" / dataset
        trivial = {"weather_year": weather}
        for dim, file in (("model_year", "model_years.csv"), ("scenario", "scenarios.csv")):
            trivial[dim] = records(folder / "dimensions" / file)["id"].iloc[0]
        frame = dataset_frame(folder / "dataset.json5", trivial, TZ)
        frames[dataset] = _summed(frame, keep=("geography", "timestamp"))
    return frames


def _projected(frames: dict[str, pd.DataFrame], inputs, keep=(), geography=None) -> pd.DataFrame:
    """The datasets in the project's base dimensions, in kWh, with a ``dataset`` column
    (reference.to_project over each submission's mapping files); ``keep``: the unmapped columns
    the test keeps; ``geography``: a mapping of counties applied first (to states)."""
    units = records(inputs / "dimensions" / "enduses.csv")
    projected = []
    for dataset, frame in frames.items():
        if geography is not None:
            frame = apply_mapping(frame, "geography", geography)
        folder = inputs / "datasets" / dataset
        frame = to_project(
            _summed(frame, keep),
            folder / "dimension_mappings.json5",
            records(folder / "dimensions" / "enduses.csv"),
            units,
        )
        projected.append(frame.assign(dataset=dataset))
    return in_unit(pd.concat(projected, ignore_index=True), units, "kWh")


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


def test_scenarios_by_state_and_hour(demo_registry, demo_raw, engine, run_query_on):
    registry, inputs = demo_registry
    query = _query(
        "cmp_scenarios",
        {"dimension": "scenario", "base": "reference", "other": "high_electrification"},
        filters=[("model_year", "2035")],
        aggregations=[{"dimensions": {"geography": [STATES], "time": [TIME]}}],
    )
    table, result = run_query_on(registry, query, engine)
    states = records(inputs / "dimension_mappings" / "base_to_supplemental" / "county_to_state.csv")
    frame = _projected(demo_raw, inputs, ("geography", "timestamp"), geography=states)
    frame = frame[frame["model_year"] == "2035"]
    expected = _expected(
        frame, ["geography", "timestamp"], "scenario", "reference", "high_electrification"
    )
    _same(table, expected, ["geography", "timestamp"])
    assert result.metadata["comparison"]["other"] == "high_electrification"
    # the demo's high electrification scenario is the reference times a multiplier > 1
    assert (table["difference"] > 0).all()


def test_model_years_by_county(demo_registry, demo_raw, engine, run_query_on):
    registry, inputs = demo_registry
    query = _query(
        "cmp_years",
        {"dimension": "model_year", "base": "2025", "other": "2045"},
        filters=[("scenario", "reference")],
        aggregations=[{"dimensions": {"geography": ["Demo Counties"]}}],
        sort_columns=["-difference"],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = _projected(demo_raw, inputs, ("geography",))
    frame = frame[frame["scenario"] == "reference"]
    expected = _expected(frame, ["geography"], "model_year", "2025", "2045")
    # sorted as asked: by difference, largest first
    assert list(table["difference"]) == sorted(table["difference"], reverse=True)
    _same(table, expected, ["geography"])


def test_datasets_by_end_use_with_null_relative(demo_registry, demo_raw, engine, run_query_on):
    registry, inputs = demo_registry
    query = _query(
        "cmp_datasets",
        {"dimension": "dataset", "base": "demo_resstock_like", "other": "demo_comstock_like"},
        filters=[("scenario", "reference"), ("model_year", "2025")],
        aggregations=[{"dimensions": {"metric": ["Demo End Uses"]}}],
    )
    table, _ = run_query_on(registry, query, engine)
    frame = _projected(demo_raw, inputs)
    frame = frame[(frame["scenario"] == "reference") & (frame["model_year"] == "2025")]
    expected = _expected(frame, ["metric"], "dataset", "demo_resstock_like", "demo_comstock_like")
    _same(table, expected, ["metric"])
    # end uses only the commercial dataset has: base 0 there, so no relative difference
    only_other = table[table["base"] == 0]
    assert len(only_other) > 0 and only_other["relative_difference"].isna().all()
    assert table.loc[table["base"] != 0, "relative_difference"].notna().all()


@pytest.fixture(scope="module")
def versioned(demo_registry, dsgrid, tmp_path_factory):
    """A copy of the demo registry with versions 1.1.0 (values changed) and 1.2.0 (a county
    the project lacks) of demo_resstock_like (tests/versioned_demo.py); the project lists
    1.0.0."""
    return make_versioned(dsgrid, demo_registry[0], tmp_path_factory.mktemp("versions"))


def _versions(base: str, other: str) -> dict:
    return {"dimension": "dataset_version", "dataset_id": DATASET, "base": base, "other": other}


@pytest.fixture(scope="module")
def version_sides(versioned, demo_registry) -> pd.DataFrame:
    """Both sides of a version comparison with pandas, from the rows the registry stores: the
    other dataset at the version the project lists, the compared one at each version (a
    ``version`` column); in base dimensions and kWh, summed over hours."""
    _, inputs = demo_registry
    sides = []
    for version in (FIRST, CHANGED):
        frames = {
            "demo_comstock_like": stored_rows(versioned, "demo_comstock_like", "1.0.0"),
            DATASET: stored_rows(versioned, DATASET, version),
        }
        sides.append(_projected(frames, inputs, ("geography",)).assign(version=version))
    return pd.concat(sides, ignore_index=True)


def test_versions_by_county_and_end_use(versioned, version_sides, engine, run_query_on):
    query = _query(
        "cmp_versions",
        _versions(FIRST, CHANGED),
        filters=[("scenario", "high_electrification"), ("model_year", "2035")],
        aggregations=[
            {"dimensions": {"geography": ["Demo Counties"], "metric": ["Demo End Uses"]}}
        ],
    )
    table, result = run_query_on(versioned, query, engine)
    frame = version_sides[
        (version_sides["scenario"] == "high_electrification")
        & (version_sides["model_year"] == "2035")
    ]
    expected = _expected(frame, ["geography", "metric"], "version", FIRST, CHANGED)
    _same(table, expected, ["geography", "metric"])
    # what changed, and only that: county 11001 up a quarter, lighting in 10001 halved
    changed = table[table["difference"].abs() > 1e-9]
    assert set(changed["geography"]) == {"11001", "10001"}
    assert (changed.loc[changed["geography"] == "11001", "difference"] > 0).all()
    assert list(changed.loc[changed["geography"] == "10001", "metric"]) == [
        "electricity_interior_lighting"
    ]
    assert result.metadata["comparison"]["dataset_id"] == DATASET


def test_versions_are_cached_apart(versioned):
    """The key holds both versions read: each pair of versions is a result of its own."""
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    def query(base, other):
        return parse_query(
            _query(
                "cmp_version_cache",
                _versions(base, other),
                filters=[("scenario", "reference"), ("model_year", "2025")],
                aggregations=[{"dimensions": {"geography": [STATES]}}],
            )
        )

    with Registry(versioned, read_only=True) as registry:
        first = run_query(registry, query(FIRST, CHANGED))
        again = run_query(registry, query(FIRST, CHANGED))
        swapped = run_query(registry, query(CHANGED, FIRST))
        assert [r.metadata["cache"] for r in (first, again, swapped)] == ["miss", "hit", "miss"]
        assert first.metadata["versions"]["compared"] == {
            "base": {DATASET: FIRST},
            "other": {DATASET: CHANGED},
        }
        left, right = first.to_pandas(), swapped.to_pandas()
    # rows in no particular order (the query sorts nothing): matched by state
    keys = [c for c in left.columns if c not in ("base", "other", "difference")]
    keys = [c for c in keys if c != "relative_difference"]
    assert len(keys) == 1
    left = left.sort_values(keys).reset_index(drop=True)
    right = right.sort_values(keys).reset_index(drop=True)
    assert list(left[keys[0]]) == list(right[keys[0]])
    np.testing.assert_allclose(left["difference"], -right["difference"], rtol=1e-12)
    assert (left["difference"] > 0).any()


def test_a_version_that_does_not_fit_the_project_is_refused(versioned, duckdb_engine, run_query_on):
    query = _query(
        "cmp_unfit",
        _versions(FIRST, UNFIT),
        aggregations=[{"dimensions": {"geography": [STATES]}}],
    )
    with pytest.raises(DsgridError) as info:
        run_query_on(versioned, query, duckdb_engine)
    message = str(info.value)
    assert message.startswith(f"comparison.other: dataset '{DATASET}' version {UNFIT}")
    # the registry's words for a dataset whose records are not the project's
    assert "'Demo Counties Plus', whose records are not all records of the project's" in message


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
            "to compare two versions of a dataset use dimension: dataset_version",
        ),
        (
            _versions("1.0.0", "1.0.0"),
            {},
            "base and other are both '1.0.0'; pick two different versions of demo_resstock_like",
        ),
        (
            _versions("1.0.0", "1.1.0"),
            {},
            "comparison.other: dataset 'demo_resstock_like' has no version '1.1.0'; its "
            "versions are 1.0.0",
        ),
        (
            {"dimension": "dataset_version", "base": "1.0.0", "other": "1.1.0"},
            {},
            "comparison.dataset_id: a comparison of versions names the dataset",
        ),
        (
            {**_versions("1.0.0", "1.1.0"), "dataset_id": "demo_other"},
            {},
            "comparison.dataset_id: dataset 'demo_other' is not a source dataset of the query",
        ),
        (
            {
                "dimension": "scenario",
                "base": "reference",
                "other": "high_electrification",
                "dataset_id": "demo_resstock_like",
            },
            {},
            "comparison.dataset_id: only a dataset_version comparison names a dataset",
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
    ids=[
        "same-twice",
        "unknown",
        "no-alternatives",
        "version",
        "same-version-twice",
        "unknown-version",
        "versions-without-dataset",
        "versions-of-no-source",
        "dataset-id-with-scenario",
        "parts",
        "dataset",
        "pivot",
    ],
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
