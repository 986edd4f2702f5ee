"""Query jobs over HTTP: submit, follow, fetch JSON pages, CSV and Parquet; bad queries and
results that are not there yet."""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from api_helpers import failed, ok
from reference import dataset_frame, records, to_project

TRIVIAL = {"weather_year": "2012", "model_year": "2012", "scenario": "baseline"}
MODELED = "test_efs/dsgrid_project/datasets/modeled"


def _wait(client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _expected_by_state(test_data) -> pd.DataFrame:
    """test_efs_comstock summed by state and end use, from the raw files (pandas)."""
    folder = test_data / MODELED / "comstock"
    frame = dataset_frame(folder / "dataset.json5", TRIVIAL, "Etc/GMT+5")
    frame = to_project(
        frame,
        folder / "dimension_mappings.json5",
        records(folder / "dimensions" / "comstock_enduses.csv"),
        records(test_data / "test_efs/dsgrid_project/dimensions/enduses.csv"),
    )
    supplemental = test_data / "test_efs/dsgrid_project/dimension_mappings/base_to_supplemental"
    states = records(supplemental / "lookup_county_to_state.csv")
    frame["geography"] = frame["geography"].map(
        dict(zip(states["from_id"], states["to_id"], strict=True))
    )
    return frame.groupby(["geography", "metric"], as_index=False)["value"].sum()


def _query() -> dict:
    return {
        "name": "by_state",
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": "by_state",
                "source_datasets": [{"dataset_id": "test_efs_comstock"}],
            },
        },
        "result": {
            "aggregations": [
                {
                    "dimensions": {
                        "geography": ["US States"],
                        "metric": ["EFS Detailed End Uses - ComStock Only"],
                    }
                }
            ],
            "sort_columns": ["geography", "metric"],
            "column_type": "dimension_types",  # columns geography, metric (not dsgrid's names)
        },
    }


def test_a_query_job_runs_and_its_result_comes_in_three_formats(api, efs_registry, test_data):
    client = api(efs_registry)
    started = ok(client.post("/api/v1/queries", json={"query": _query(), "use_cache": False}), 202)
    job_id = started["data"]["id"]
    assert started["data"]["links"]["self"].endswith(f"/api/v1/jobs/{job_id}")
    job = _wait(client, job_id)
    assert job["status"] == "succeeded", job
    assert job["stages_done"] == job["stages_total"] > 0

    expected = _expected_by_state(test_data).sort_values(["geography", "metric"])
    pages, offset = [], 0
    while True:
        page = ok(client.get(f"/api/v1/jobs/{job_id}/result?limit=3&offset={offset}"))["data"]
        pages += page["rows"]
        offset += 3
        if offset >= page["row_count"]:
            break
    got = pd.DataFrame(pages)
    assert page["row_count"] == len(expected) == len(got)
    assert list(got["geography"]) == list(expected["geography"])
    np.testing.assert_allclose(got["value"], expected["value"], rtol=1e-9)

    csv = client.get(f"/api/v1/jobs/{job_id}/result?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    from_csv = pd.read_csv(io.BytesIO(csv.data))
    parquet = client.get(f"/api/v1/jobs/{job_id}/result?format=parquet")
    from_parquet = pq.read_table(io.BytesIO(parquet.data)).to_pandas()
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False)
    np.testing.assert_allclose(from_parquet["value"], expected["value"], rtol=1e-9)

    listed = ok(client.get("/api/v1/jobs"))["data"]
    assert job_id in {j["id"] for j in listed}
    error = failed(client.post(f"/api/v1/jobs/{job_id}/cancel"), 409)
    assert "succeeded" in error["message"]


def test_bad_queries_are_refused_before_a_job_starts(api, efs_registry):
    client = api(efs_registry)
    query = _query()
    query["result"]["aggregations"][0]["dimensions"]["geography"] = ["US Sates"]
    error = failed(client.post("/api/v1/queries", json={"query": query}), 400)
    assert "US States" in error["message"]  # the close match
    query = _query()
    query["result"]["dimension_filters"] = [
        {
            "filter_type": "expression_raw",
            "dimension_type": "geography",
            "dimension_name": "US States",
            "value": "id IN (SELECT 1); DROP TABLE x",
        }
    ]
    assert failed(client.post("/api/v1/queries", json={"query": query}), 400)
    error = failed(
        client.post("/api/v1/queries", json={"query": _query(), "engine": "oracle"}), 400
    )
    assert "engine" in error["message"]
    assert ok(client.get("/api/v1/jobs"))["data"] == []  # nothing was started
    assert failed(client.get("/api/v1/jobs/nope"), 404)
    assert failed(client.get("/api/v1/jobs/nope/result"), 404)


def test_a_job_over_its_time_limit_fails_with_that_reason(api, demo_registry_copy):
    client = api(demo_registry_copy)
    query = {
        "name": "everything_hourly",
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": "everything_hourly",
                "source_datasets": [
                    {"dataset_id": "demo_comstock_like"},
                    {"dataset_id": "demo_resstock_like"},
                ],
            },
        },
        "result": {
            "aggregations": [
                {
                    "aggregation_function": "mean",
                    "dimensions": {
                        "geography": ["geography"],
                        "subsector": ["subsector"],
                        "metric": ["metric"],
                        "time": ["time"],
                    },
                }
            ],
            "column_type": "dimension_types",
        },
    }
    started = ok(
        client.post(
            "/api/v1/queries", json={"query": query, "time_limit": 0.01, "use_cache": False}
        ),
        202,
    )
    job = _wait(client, started["data"]["id"])
    assert job["status"] == "failed"
    assert "time limit" in job["error"]
    error = failed(client.get(f"/api/v1/jobs/{job['id']}/result"), 409)
    assert "failed" in error["message"]
