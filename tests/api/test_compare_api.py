"""A comparison query over HTTP: POST /api/v1/queries with a ``comparison``, its result as
JSON pages, CSV and Parquet (checked against pandas over the demo's raw files); bad
comparisons (versions of a dataset too) answered 400 naming the field, with no job started."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from api_helpers import failed, ok
from reference import apply_mapping, dataset_frame, in_unit, records, to_project

DATASETS = ("demo_comstock_like", "demo_resstock_like")


def _wait(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _query(comparison: dict) -> dict:
    return {
        "name": "scenario_gap",
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": "scenario_gap",
                "source_datasets": [{"dataset_id": d} for d in DATASETS],
            },
        },
        "result": {
            "column_type": "dimension_types",
            "unit": "MWh",
            "aggregations": [{"dimensions": {"geography": ["Demo States"]}}],
            "dimension_filters": [
                {
                    "filter_type": "expression",
                    "dimension_type": "model_year",
                    "dimension_name": "model_year",
                    "value": "2045",
                }
            ],
            "sort_columns": ["geography"],
        },
        "comparison": comparison,
    }


def _expected(inputs) -> pd.DataFrame:
    """Both datasets by state at model year 2045, per scenario, in MWh (pandas)."""
    weather = records(inputs / "dimensions" / "weather_years.csv")["id"].iloc[0]
    frames = []
    for dataset in DATASETS:
        folder = inputs / "datasets" / dataset
        trivial = {"weather_year": weather}
        for dim, file in (("model_year", "model_years.csv"), ("scenario", "scenarios.csv")):
            trivial[dim] = records(folder / "dimensions" / file)["id"].iloc[0]
        frame = dataset_frame(folder / "dataset.json5", trivial, "Etc/GMT+5")
        # the answer keeps no time: each stored key summed over the year first (mappings are
        # linear), one stand-in instant, so the mappings expand 8,760 times fewer rows
        keys = [c for c in frame.columns if c not in ("timestamp", "value")]
        frame = frame.groupby(keys, as_index=False)["value"].sum()
        frame["timestamp"] = pd.Timestamp("2018-01-01", tz="UTC")
        frames.append(
            to_project(
                frame,
                folder / "dimension_mappings.json5",
                records(folder / "dimensions" / "enduses.csv"),
                records(inputs / "dimensions" / "enduses.csv"),
            )
        )
    frame = in_unit(pd.concat(frames), records(inputs / "dimensions" / "enduses.csv"), "MWh")
    states = records(inputs / "dimension_mappings/base_to_supplemental/county_to_state.csv")
    frame = apply_mapping(frame[frame["model_year"] == "2045"], "geography", states)
    sums = frame.groupby(["geography", "scenario"])["value"].sum().unstack("scenario")
    out = pd.DataFrame(
        {"base": sums["reference"], "other": sums["high_electrification"]}
    ).reset_index()
    out["difference"] = out["other"] - out["base"]
    out["relative_difference"] = out["difference"] / out["base"]
    return out.sort_values("geography").reset_index(drop=True)


def test_a_comparison_query_runs_and_exports(api, demo_registry_copy, demo_registry):
    _, inputs = demo_registry
    client = api(demo_registry_copy)
    comparison = {"dimension": "scenario", "base": "reference", "other": "high_electrification"}
    started = ok(
        client.post("/api/v1/queries", json={"query": _query(comparison), "use_cache": False}),
        202,
    )
    job = _wait(client, started["data"]["id"])
    assert job["status"] == "succeeded", job
    page = ok(client.get(f"/api/v1/jobs/{job['id']}/result?limit=100"))["data"]
    got = pd.DataFrame(page["rows"])
    expected = _expected(inputs)
    assert set(got.columns) == set(expected.columns)  # JSON rows: keys in any order
    assert list(got["geography"]) == list(expected["geography"])
    for name in ("base", "other", "difference", "relative_difference"):
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-9, err_msg=name)

    csv = client.get(f"/api/v1/jobs/{job['id']}/result?format=csv")
    assert csv.status_code == 200
    from_csv = pd.read_csv(io.BytesIO(csv.data))
    parquet = client.get(f"/api/v1/jobs/{job['id']}/result?format=parquet")
    from_parquet = pq.read_table(io.BytesIO(parquet.data)).to_pandas()
    np.testing.assert_allclose(from_csv["difference"], expected["difference"], rtol=1e-9)
    np.testing.assert_allclose(from_parquet["other"], expected["other"], rtol=1e-9)


@pytest.mark.parametrize(
    ("comparison", "field", "says"),
    [
        (
            {"dimension": "scenario", "base": "reference", "other": "reference"},
            "comparison",
            "pick two different",
        ),
        (
            {"dimension": "scenario", "base": "reference", "other": "nope"},
            "comparison.other",
            "high_electrification",
        ),
        (
            {"dimension": "weather_year", "base": "2018", "other": "2012"},
            "comparison.dimension",
            "no alternatives",
        ),
        (
            {
                "dimension": "dataset_version",
                "dataset_id": "demo_resstock_like",
                "base": "1.0.0",
                "other": "2.0.0",
            },
            "comparison.other",
            "its versions are 1.0.0",
        ),
        (
            {"dimension": "dataset_version", "base": "1.0.0", "other": "2.0.0"},
            "comparison.dataset_id",
            "add dataset_id",
        ),
    ],
    ids=["same-twice", "unknown-record", "no-alternatives", "unknown-version", "no-dataset-id"],
)
def test_bad_comparisons_are_400_naming_the_field(api, demo_registry_copy, comparison, field, says):
    client = api(demo_registry_copy)
    error = failed(client.post("/api/v1/queries", json={"query": _query(comparison)}), 400)
    assert field in error["message"] and says in error["message"]
    assert ok(client.get("/api/v1/jobs"))["data"] == []  # nothing was started
