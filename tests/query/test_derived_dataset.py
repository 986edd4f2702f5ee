"""Derived datasets (dsgrid's ``query project create-derived-dataset-config``): a projection
query's result becomes a dataset config that `dsgrid registry datasets register` accepts; it
is submitted to the project and queried, giving back the projection's rows (checked against
pandas over the raw files), stacked and pivoted. Results that cannot make a dataset are
refused, naming why."""

from __future__ import annotations

import json

import json5
import numpy as np
import pandas as pd
import pytest
import test_projection_fixture as fx
from click.testing import CliRunner
from test_projection import BY_YEAR_METRIC, YEARS, projection, query

from dsgrid_core.cli.main import cli

KEYS = ["geography", "subsector", "metric", "model_year", "timestamp"]


def _cli(registry, *args, ok=True):
    result = CliRunner().invoke(cli, ["--registry", str(registry), *map(str, args)])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def growth(tmp_path):
    from dsgrid_core.registry.registry import Registry

    out = fx.build(tmp_path / "files")
    with Registry.create(tmp_path / "reg") as registry:
        fx.register(registry, out)
    return tmp_path / "reg", out


def _run_to_folder(registry, tmp_path, q: dict):
    (tmp_path / f"{q['name']}.json5").write_text(json.dumps(q))
    _cli(registry, "query", "run", tmp_path / f"{q['name']}.json5", "-o", tmp_path / "results")
    return tmp_path / "results" / q["name"]


def _query_derived(registry, tmp_path, name: str, **result) -> pd.DataFrame:
    q = query([{"dataset_id": fx.PROJECTED, "dataset_type": "derived"}], **result)
    q["name"] = name
    folder = _run_to_folder(registry, tmp_path, q)
    return pd.read_parquet(folder / "table.parquet")


def _close(actual, expected, keys):
    actual = actual.sort_values(keys).reset_index(drop=True)
    expected = expected.sort_values(keys).reset_index(drop=True)
    assert len(actual) == len(expected)
    for key in keys:
        got, want = actual[key], expected[key]
        if key == "timestamp":
            got, want = pd.to_datetime(got, utc=True), pd.to_datetime(want, utc=True)
        assert list(got) == list(want), key
    np.testing.assert_allclose(actual["value"], expected["value"], rtol=1e-12)


@pytest.mark.parametrize("table_format", ["stacked", "pivoted"])
def test_projection_result_registers_as_a_derived_dataset(growth, tmp_path, table_format):
    registry, out = growth
    fmt = {"format_type": table_format}
    if table_format == "pivoted":
        fmt["pivoted_dimension_type"] = "metric"
    q = query([projection()], table_format=fmt)
    q["name"] = "projected"
    folder = _run_to_folder(registry, tmp_path, q)

    dst = tmp_path / "derived"
    _cli(registry, "query", "create-derived-dataset-config", folder, dst)
    config = json5.loads((dst / "dataset.json5").read_text())
    assert config["dataset_id"] == fx.PROJECTED
    layout = config["data_layout"]
    assert layout["value_format"] == table_format
    refs = {r["type"]: r["dimension_id"] for r in config["dimension_references"]}
    assert refs == {
        "geography": "compat_counties",
        "sector": "compat_sectors",
        "subsector": "compat_subsectors",
        "metric": "compat_end_uses",
        "weather_year": "compat_weather_years",
        "model_year": "growth_model_years",
        "scenario": "compat_scenarios",
        "time": "compat_hours",
    }
    assert sorted(p.name for p in dst.iterdir()) == ["dataset.json5", "load_data.parquet"]

    _cli(registry, "registry", "datasets", "register", dst / "dataset.json5", "-l", "derived")
    submit = ["submit-dataset", "-p", fx.PROJECT, "-d", fx.PROJECTED, "-l", "derived"]
    _cli(registry, "registry", "projects", *submit)

    expected = fx.expected(out, "exponential_growth")
    table = _query_derived(registry, tmp_path, "back")
    _close(table, expected, KEYS)
    aggregations = BY_YEAR_METRIC
    table = _query_derived(registry, tmp_path, "summed", aggregations=aggregations)
    summed = expected.groupby(["model_year", "metric"], as_index=False)["value"].sum()
    _close(table, summed, ["model_year", "metric"])


def test_a_supplemental_column_is_referenced_with_a_note(growth, tmp_path):
    """A result aggregated to a supplemental dimension: the config references it (and
    registers); submitting needs a mapping to the base dimension, which the note says."""
    registry, out = growth
    dims = {"geography": ["all_growth_proj_geographies"], "sector": ["Compat Sectors"],
            "subsector": ["Compat Subsectors"], "metric": ["Compat End Uses"],
            "weather_year": ["Compat Weather Years"], "model_year": YEARS,
            "scenario": ["Compat Scenarios"], "time": ["Compat Hours"]}  # fmt: skip
    q = query([projection()], aggregations=[{"dimensions": dims}])
    q["name"] = "everywhere"
    folder = _run_to_folder(registry, tmp_path, q)
    dst = tmp_path / "derived"
    done = _cli(registry, "query", "create-derived-dataset-config", folder, dst)
    assert "geography: the result holds the project's supplemental dimension" in done.output
    config = json5.loads((dst / "dataset.json5").read_text())
    refs = {r["type"]: r["dimension_id"] for r in config["dimension_references"]}
    assert refs["geography"] == "all_growth_proj_geographies"
    assert refs["subsector"] == "compat_subsectors"
    _cli(registry, "registry", "datasets", "register", dst / "dataset.json5", "-l", "derived")
    stored = pd.read_parquet(dst / "load_data.parquet")
    expected = fx.expected(out, "exponential_growth")
    expected = expected.groupby(["subsector", "metric", "model_year", "timestamp"], as_index=False)[
        "value"
    ].sum()
    _close(stored, expected, ["subsector", "metric", "model_year", "timestamp"])


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"column_type": "dimension_names"}, "result.column_type: a derived dataset"),
        ({"replace_ids_with_names": True}, "result.replace_ids_with_names"),
        (
            {
                "aggregations": [
                    {"dimensions": {"metric": ["Compat End Uses"], "time": ["Compat Hours"]}}
                ]
            },  # fmt: skip
            "the result has no geography column",
        ),
        (
            {
                "dimension_filters": [
                    {
                        "dimension_type": "subsector",
                        "dimension_name": "Compat Subsectors",
                        "operator": "==",
                        "value": "office",
                        "filter_type": "expression",
                    }
                ]
            },  # fmt: skip
            "the result's subsector records match no dimension",
        ),
        ({"output_format": "csv"}, "table.csv: a derived dataset is made from a Parquet"),
    ],
)
def test_results_that_cannot_make_a_dataset_are_refused(growth, tmp_path, result, message):
    registry, _ = growth
    q = query([projection()], **result)
    q["name"] = "bad"
    folder = _run_to_folder(registry, tmp_path, q)
    done = _cli(
        registry, "query", "create-derived-dataset-config", folder, tmp_path / "d", ok=False
    )
    assert done.exit_code != 0
    assert message in done.output or message in str(done.exception), done.output
    assert not (tmp_path / "d").exists()
