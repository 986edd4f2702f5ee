"""Projection source datasets (dsgrid's ProjectionDatasetModel, as the Standard Scenarios
project builds its projected ComStock and ResStock): an initial-value dataset with time and
model year 2018 grown by a no-op-time growth-rate dataset over the project's model years.
Checked against pandas over the raw files (test_projection_fixture.expected) on every engine,
and row by row against the reference dsgrid 0.4.0 run on the same files. What dsgrid cannot
compute either is refused, naming the field."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import test_projection_fixture as fx

from dsgrid_core.errors import InputError

KEYS = ["geography", "subsector", "metric", "model_year", "timestamp"]
YEARS = ["Growth Model Years"]
BY_YEAR_METRIC = [{"dimensions": {"model_year": YEARS, "metric": ["Compat End Uses"]}}]
BY_YEAR_COUNTY = [{"dimensions": {"model_year": YEARS, "geography": ["Compat Counties"]}}]


@pytest.fixture(scope="module")
def growth(tmp_path_factory):
    """(registry path, files folder): the fixture registered once with our registry."""
    from dsgrid_core.registry.registry import Registry

    root = tmp_path_factory.mktemp("projection")
    out = fx.build(root / "files")
    with Registry.create(root / "reg") as registry:
        fx.register(registry, out)
    return root / "reg", out


def projection(**extra) -> dict:
    return {
        "dataset_type": "projection",
        "dataset_id": fx.PROJECTED,
        "initial_value_dataset_id": fx.IV,
        "growth_rate_dataset_id": fx.GR,
        "construction_method": "exponential_growth",
        **extra,
    }


def query(sources: list[dict], expression: str | None = None, **result) -> dict:
    dataset = {"dataset_id": fx.PROJECTED, "source_datasets": sources}
    if expression:
        dataset["expression"] = expression
    return {
        "name": "growth",
        "project": {"project_id": fx.PROJECT, "dataset": dataset},
        "result": {"column_type": "dimension_types", **result},
    }


def _close(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    actual = actual.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    assert len(actual) == len(expected)
    for key in keys:
        got = actual[key]
        want = expected[key]
        if key == "timestamp":
            got, want = pd.to_datetime(got, utc=True), pd.to_datetime(want, utc=True)
        assert list(got) == list(want), key
    np.testing.assert_allclose(actual["value"], expected["value"], rtol=1e-12)


def test_annual_multiplier_multiplies_each_model_year_where_the_reference_crashes(
    growth, duckdb_engine, run_query_on
):
    """dsgrid 0.4.0 names annual_multiplier but stops on it (BinderException: its
    apply_annual_multiplier reads a 'value_gr' column that only the exponential path makes);
    the function as written multiplies each initial-value row by the multiplier of the same
    dimensions and model year (P(t) = P0(t) x r(t)): pandas over the raw files, with an
    initial-value dataset of two model years (2018, 2020)."""
    registry, out = growth
    source = projection(
        construction_method="annual_multiplier",
        initial_value_dataset_id=fx.IV2,
        growth_rate_dataset_id=fx.MULT,
    )
    table, _ = run_query_on(registry, query([source]), duckdb_engine)
    expected = fx.expected(out, "annual_multiplier", growth_id=fx.MULT, initial_id=fx.IV2)
    assert sorted(table["model_year"].unique()) == ["2018", "2020"]
    _close(table, expected, KEYS)


def test_exponential_growth_rows_match_pandas(growth, engine, run_query_on):
    registry, out = growth
    table, _ = run_query_on(registry, query([projection()]), engine)
    expected = fx.expected(out, "exponential_growth")
    assert sorted(table["model_year"].unique()) == fx.MODEL_YEARS
    assert set(table["sector"]) == {"com"} and set(table["scenario"]) == {"reference"}
    _close(table, expected, KEYS)


def test_aggregated_and_filtered_projection_matches_pandas(growth, engine, run_query_on):
    registry, out = growth
    aggregations = BY_YEAR_METRIC
    filters = [
        {"dimension_type": "model_year", "dimension_name": "Growth Model Years",
         "column": "id", "operator": "isin", "value": ["2018", "2030"],
         "filter_type": "column_operator"},
        {"dimension_type": "subsector", "dimension_name": "Compat Subsectors",
         "operator": "==", "value": "office", "filter_type": "expression"},
    ]  # fmt: skip
    q = query([projection()], aggregations=aggregations, dimension_filters=filters)
    table, _ = run_query_on(registry, q, engine)
    expected = fx.expected(out, "exponential_growth")
    expected = expected[
        expected["model_year"].isin(["2018", "2030"]) & (expected["subsector"] == "office")
    ]
    expected = expected.groupby(["model_year", "metric"], as_index=False)["value"].sum()
    _close(table, expected, ["model_year", "metric"])


def test_projection_in_an_expression_with_its_initial_dataset(growth, duckdb_engine, run_query_on):
    """``projected - initial``: the growth alone (2018's rows are the initial values: 0)."""
    registry, out = growth
    aggregations = BY_YEAR_COUNTY
    sources = [projection(), {"dataset_id": fx.IV}]
    q = query(sources, f"{fx.PROJECTED} | {fx.IV}", aggregations=aggregations)
    table, _ = run_query_on(registry, q, duckdb_engine)
    grown = fx.expected(out, "exponential_growth")
    initial = pd.read_parquet(out / f"{fx.IV}.parquet")
    expected = pd.concat([grown, initial[grown.columns]], ignore_index=True)
    expected = expected.groupby(["model_year", "geography"], as_index=False)["value"].sum()
    _close(table, expected, ["model_year", "geography"])


def test_base_year_given_is_the_initial_year(growth, duckdb_engine, run_query_on):
    """base_year 2018 (the initial dataset's year) answers as the default; dsgrid 0.4.0 refuses
    any base_year ('base_year=2018 is not in [2018]': it compares the int with the string
    model years), so this is checked against pandas only."""
    registry, out = growth
    table, _ = run_query_on(registry, query([projection(base_year=2018)]), duckdb_engine)
    _close(table, fx.expected(out, "exponential_growth"), KEYS)


@pytest.mark.parametrize("base_year", [None, 2018, 2020])
def test_initial_values_at_several_model_years_use_the_base_year(
    growth, duckdb_engine, run_query_on, base_year
):
    """dsgrid keeps the initial rows of the base year (by default the smallest) only."""
    registry, out = growth
    extra = {} if base_year is None else {"base_year": base_year}
    q = query([projection(initial_value_dataset_id=fx.IV2, **extra)])
    table, _ = run_query_on(registry, q, duckdb_engine)
    expected = fx.expected(
        out, "exponential_growth", base_year=base_year or 2018, initial_id=fx.IV2
    )
    _close(table, expected, KEYS)


def test_aggregate_each_dataset_with_a_projection(growth, duckdb_engine, run_query_on):
    registry, out = growth
    sources = [projection(), {"dataset_id": fx.IV}]
    q = query(sources, aggregations=BY_YEAR_COUNTY, aggregate_each_dataset=True)
    table, _ = run_query_on(registry, q, duckdb_engine)
    keys = ["model_year", "geography"]
    grown = fx.expected(out, "exponential_growth").groupby(keys, as_index=False)["value"].sum()
    initial = pd.read_parquet(out / f"{fx.IV}.parquet")
    initial = initial.groupby(keys, as_index=False)["value"].sum()
    expected = pd.concat([grown, initial], ignore_index=True)
    got = table.sort_values([*keys, "value"]).reset_index(drop=True)
    want = expected.sort_values([*keys, "value"]).reset_index(drop=True)
    assert len(got) == len(grown) + len(initial)
    for key in keys:
        assert list(got[key]) == list(want[key]), key
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-12)


def test_a_unit_converts_the_initial_values_not_the_rates(growth, duckdb_engine, run_query_on):
    registry, out = growth
    aggregations = BY_YEAR_METRIC
    q = query([projection()], aggregations=aggregations, unit="MWh")
    table, _ = run_query_on(registry, q, duckdb_engine)
    expected = fx.expected(out, "exponential_growth")  # the test data is in kWh
    expected = expected.groupby(["model_year", "metric"], as_index=False)["value"].sum()
    _close(table, expected.assign(value=expected["value"] / 1000), ["model_year", "metric"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"base_year": 2020}, r"source_datasets\[0\].base_year: 2020 is not a model year"),
        (
            {
                "construction_method": "annual_multiplier",
                "growth_rate_dataset_id": fx.MULT,
                "base_year": 2018,
            },
            r"source_datasets\[0\].base_year: annual_multiplier .* has no base year",
        ),
        ({"dataset_id": "not_listed"}, r"source_datasets\[0\].dataset_id: project 'growth_proj'"),
        ({"dataset_id": fx.IV}, r"source_datasets\[0\].dataset_id: 'growth_iv' is one of"),
        (
            {"growth_rate_dataset_id": fx.IV},
            r"source_datasets\[0\].growth_rate_dataset_id: dataset 'growth_iv' has time",
        ),
    ],
)
def test_what_dsgrid_cannot_compute_is_refused(
    growth, duckdb_engine, run_query_on, change, message
):
    registry, _ = growth
    q = query([projection(**change)])
    q["project"]["dataset"]["dataset_id"] = "growth"
    with pytest.raises(InputError, match=message):
        run_query_on(registry, q, duckdb_engine)


def test_unknown_projection_fields_are_refused_at_load():
    from pydantic import ValidationError

    from dsgrid_core.query.run import parse_query

    with pytest.raises((ValidationError, InputError), match="growth_rate"):
        parse_query(query([projection(growth_rate="x")]))
    with pytest.raises((ValidationError, InputError), match="construction_method"):
        parse_query(query([projection(construction_method="linear")]))


def _log(folder) -> str:
    """The reference's log in ``folder`` (it writes its errors there, not only to stderr)."""
    log = folder / "dsgrid.log"
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _reference_registry(root, out):
    from reference_cli import create_reference_registry, reference, writable_copy

    url, _ = create_reference_registry(root)
    files = writable_copy(out, root / "files")
    ids = [fx.IV, fx.IV2, fx.GR, fx.MULT]
    bulk = {
        "projects": [{"project_id": fx.PROJECT, "config_file": "project.json5"}],
        "datasets": [
            {"dataset_id": d, "config_file": f"{d}.json5", "replace_dimension_names_with_ids": True}
            for d in ids
        ],
        "dataset_submissions": [{"dataset_id": d, "project_id": fx.PROJECT} for d in ids],
    }
    (files / "bulk.json5").write_text(json.dumps(bulk))
    reference("registry", "bulk-register", "bulk.json5", url=url, cwd=files)
    return url


@pytest.mark.slow
def test_reference_computes_the_same_rows(growth, tmp_path, duckdb_engine, run_query_on):
    """The reference's own projection over the same files, row by row (its cache of mapped
    datasets is keyed without the construction method: a fresh output folder per query)."""
    from reference_cli import reference, require_reference

    require_reference()
    registry, out = growth
    url = _reference_registry(tmp_path / "ref", out)
    kept = {**BY_YEAR_METRIC[0]["dimensions"], "time": ["Compat Hours"]}
    types = ["geography", "sector", "subsector", "metric", "weather_year", "model_year"]
    dims = {t: kept.get(t, []) for t in [*types, "scenario", "time"]}  # the reference needs all
    aggregations = [{"dimensions": dims, "aggregation_function": "sum"}]
    runs = {
        "rows": ({}, {}),
        "summed": ({"aggregations": aggregations}, {}),
        "several": ({}, {"initial_value_dataset_id": fx.IV2}),
    }
    for name, (result, change) in runs.items():
        q = query([projection(**change)], **result)
        q["name"] = name
        (tmp_path / f"{name}.json5").write_text(json.dumps(q))
        reference(
            "query", "project", "run", f"{name}.json5", "-o", f"out_{name}", url=url, cwd=tmp_path
        )
        theirs = pd.read_parquet(tmp_path / f"out_{name}" / name / "table.parquet")
        ours, _ = run_query_on(registry, q, duckdb_engine)
        assert sorted(ours.columns) == sorted(theirs.columns)
        keys = [c for c in ours.columns if c != "value"]
        _close(ours, theirs, keys)
    # annual_multiplier: the reference stops (what the test above proves our answer for)
    source = projection(
        construction_method="annual_multiplier",
        initial_value_dataset_id=fx.IV2,
        growth_rate_dataset_id=fx.MULT,
    )
    q = query([source])
    q["name"] = "multiplier"
    (tmp_path / "multiplier.json5").write_text(json.dumps(q))
    done = reference(
        "query", "project", "run", "multiplier.json5", "-o", "out_multiplier",
        url=url, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "value_gr" in done.stdout + done.stderr + _log(tmp_path)
