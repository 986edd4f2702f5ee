"""Filters that select nothing are refused by name; query jobs whose process is gone are
reported failed (and cleaned up) by whoever reads them next; a refused `query run` leaves no
job behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

COUNTIES = "US Counties 2010 - ComStock Only"
TIME_NAME = "Time-2012-EST-hourly-periodBeginning-noDST-noLeapDayAdjustment-total"


def _query(name="nothing", result_filters=(), dataset_filters=(), **result):
    return {
        "name": name,
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": name,
                "source_datasets": [{"dataset_id": "test_efs_comstock"}],
                "params": {"dimension_filters": list(dataset_filters)},
            },
        },
        "result": {
            "aggregations": [{"dimensions": {"geography": ["US States"]}}],
            "dimension_filters": list(result_filters),
            "unit": "kWh",  # end uses in MWh and kWh summed over
            "column_type": "dimension_types",
            **result,
        },
    }


def _write(path, query: dict):
    path.write_text(json.dumps(query))
    return path


def _jobs(registry) -> list[tuple]:
    """The job rows as stored, read without the job store (which would recover them)."""
    con = sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT id, status, stages_done, metadata, error FROM jobs ORDER BY created_at"
        ).fetchall()
    except sqlite3.OperationalError:  # no jobs table yet: no job ever
        return []
    finally:
        con.close()


GEOGRAPHY = {"dimension_type": "geography", "dimension_name": COUNTIES}
NOTHING = {
    "expression": {**GEOGRAPHY, "filter_type": "expression", "operator": "==", "value": "99999"},
    "expression_raw": {**GEOGRAPHY, "filter_type": "expression_raw", "value": "id = '99999'"},
    "column_operator": {
        **GEOGRAPHY,
        "filter_type": "column_operator",
        "operator": "isin",
        "value": ["99999", "99998"],
    },
    "between_column_operator": {
        **GEOGRAPHY,
        "filter_type": "between_column_operator",
        "lower_bound": "99990",
        "upper_bound": "99999",
    },
    "supplemental_column_operator": {
        "dimension_type": "geography",
        "dimension_name": "US States",
        "filter_type": "supplemental_column_operator",
        "operator": "isin",
        "value": ["XX"],
    },
    "expression on a record column": {
        **GEOGRAPHY,
        "filter_type": "expression",
        "column": "state",
        "value": "ZZ",
    },
}


@pytest.mark.parametrize("place", ["result", "dataset"])
@pytest.mark.parametrize("kind", list(NOTHING))
def test_a_filter_selecting_no_record_is_refused_by_validate_and_run(
    efs_registry, tmp_path, dsgrid, kind, place
):
    """It was a KeyError: 'geography' traceback; now exit 2 naming the filter, the dimension
    and what the records hold, and neither a result nor a job row."""
    flt = NOTHING[kind]
    if place == "result":
        query, where = _query(result_filters=[flt]), "result.dimension_filters[0]"
    else:
        query, where = _query(dataset_filters=[flt]), "project.dataset.params.dimension_filters[0]"
    path = _write(tmp_path / "q.json5", query)
    out = tmp_path / "out"
    for args in (("validate", path), ("run", path, "-o", out)):
        result = dsgrid("query", *args, registry=efs_registry)
        assert result.exit_code == 2, result
        assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
        message = " ".join(result.stderr.split())
        assert f"{where}: the filter (geography '{flt['dimension_name']}'" in message
        assert "selects no record of dimension geography" in message, message
        assert "values like" in message  # examples of what the records hold
    assert "06073" in message or "CA" in message or "TX" in message
    assert not out.exists() or not any(out.iterdir())
    assert _jobs(efs_registry) == []  # the refused run left no job behind


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (  # each filter selects a county, but not the same one
            _query(
                result_filters=[{**GEOGRAPHY, "filter_type": "expression", "value": "06073"}],
                dataset_filters=[{**GEOGRAPHY, "filter_type": "expression", "value": "06075"}],
            ),
            "select no record of dimension geography together",
        ),
        (  # the data are one week of January 2012
            _query(
                result_filters=[
                    {
                        "dimension_type": "time",
                        "dimension_name": TIME_NAME,
                        "filter_type": "between_column_operator",
                        "lower_bound": "2030-01-01 00:00:00",
                        "upper_bound": "2030-02-01 00:00:00",
                    }
                ]
            ),
            "the time filter selects no timestamp of the data",
        ),
    ],
    ids=["two filters in nothing common", "a time range outside the data"],
)
def test_filters_that_leave_nothing_together_are_refused(
    efs_registry, tmp_path, dsgrid, query, expected
):
    path = _write(tmp_path / "q.json5", query)
    for args in (("validate", path), ("run", path, "-o", tmp_path / "out")):
        result = dsgrid("query", *args, registry=efs_registry)
        assert result.exit_code == 2, result
        assert expected in " ".join(result.stderr.split())
    assert _jobs(efs_registry) == []


def test_a_filter_selecting_what_one_dataset_lacks_leaves_that_dataset_out(
    efs_registry, monkeypatch
):
    """Two datasets, one without data for the county the filter selects: the other's rows
    come out (planning the first one's part was a KeyError)."""
    from dsgrid_core.query import run
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    original = run.load_context

    def without_06073(registry, query):
        context = original(registry, query)
        ds = context.datasets[1]
        ds.record_ids["geography"] = [i for i in ds.record_ids["geography"] if i != "06073"]
        if "geography" in ds.mappings:
            ds.mappings["geography"] = [r for r in ds.mappings["geography"] if r[0] != "06073"]
        return context

    query = _query(
        result_filters=[{**GEOGRAPHY, "filter_type": "expression", "value": "06073"}],
        aggregations=[{"dimensions": {"geography": [COUNTIES]}}],
    )
    alone = parse_query(query)
    query["project"]["dataset"]["source_datasets"].append(
        {"dataset_id": "test_efs_comstock_unpivoted"}
    )
    with Registry(efs_registry, read_only=True) as registry:
        expected = run_query(registry, alone, use_cache=False).to_pandas()
        monkeypatch.setattr(run, "load_context", without_06073)
        got = run_query(registry, parse_query(query), use_cache=False).to_pandas()
    assert list(got["geography"]) == ["06073"]
    assert got["value"].tolist() == pytest.approx(expected["value"].tolist())


# A `dsgrid query run` whose DuckDB statement runs for minutes, so that the test can kill the
# process while its job runs.
SLOW_RUN = """
import sys
from dsgrid_core.engine import duckdb_engine
from dsgrid_core.cli.main import cli

original = duckdb_engine.DuckDBEngine.copy_to_parquet
duckdb_engine.DuckDBEngine.copy_to_parquet = lambda self, sql, path: original(
    self, "SELECT count(*) AS n FROM range(100000000000) a", path
)
cli(sys.argv[1:], prog_name="dsgrid")
"""


def _killed_mid_run(registry, tmp_path, *more: str) -> tuple[str, list[str]]:
    """Start a foreground `dsgrid query run`, SIGKILL it once its engine runs; returns the job
    id and the folders the job said it was writing."""
    query = _write(tmp_path / "q.json5", _query("slow"))
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    args = ["--registry", str(registry), "query", "run", str(query), "-o", str(tmp_path / "out")]
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-c", SLOW_RUN, *args, *more],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            rows = _jobs(registry)
            if rows and rows[-1][1] == "running" and rows[-1][2] >= 2:
                break
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, rows
            time.sleep(0.1)
        time.sleep(0.5)  # the engine is inside its statement
        job_id, _, _, metadata, _ = _jobs(registry)[-1]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        process.stderr.close()
    assert [r[1] for r in _jobs(registry) if r[0] == job_id] == ["running"]  # left behind
    return job_id, (json.loads(metadata) if metadata else {}).get("writing", [])


def test_a_killed_foreground_run_is_reported_failed_and_cleaned_up(efs_registry, tmp_path, dsgrid):
    job_id, writing = _killed_mid_run(efs_registry, tmp_path, "--no-cache")
    status = dsgrid("query", "status", job_id, registry=efs_registry, as_json=True)
    assert status.exit_code == 0, status
    job = status.json()
    assert job["status"] == "failed", job
    assert "interrupted: its process is gone" in job["error"]
    # the half-written result (a temporary folder without the cache) is removed
    assert writing and all(str(tmp_path / "tmp") in w for w in writing), writing
    assert not any(os.path.exists(w) for w in writing)
    listed = dsgrid("query", "list", registry=efs_registry, as_json=True).json()
    assert [(j["id"], j["status"]) for j in listed] == [(job_id, "failed")]
    assert [r[1] for r in _jobs(efs_registry)] == ["failed"]  # recovered in the database


def test_the_api_reports_a_killed_run_failed(efs_registry, tmp_path):
    """GET /api/v1/jobs/<id> (and the listing) recover it too; the half-written result in the
    cache's staging folder is removed."""
    from api_helpers import ok

    from app import create_app

    job_id, writing = _killed_mid_run(efs_registry, tmp_path)
    client = create_app(str(efs_registry), cache_dir=str(tmp_path / "web")).server.test_client()
    job = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
    assert job["status"] == "failed" and "process is gone" in job["error"], job
    assert writing and all("/cache/.tmp-" in w for w in writing), writing
    assert not any(os.path.exists(w) for w in writing)
    listed = ok(client.get("/api/v1/jobs"))["data"]
    assert [(j["id"], j["status"]) for j in listed] == [(job_id, "failed")]


def test_a_refused_run_leaves_no_job_but_a_run_time_failure_is_kept(efs_registry, tmp_path, dsgrid):
    bad = _query(aggregations=[{"dimensions": {"geography": ["US Stats"]}}])
    result = dsgrid("query", "run", _write(tmp_path / "bad.json5", bad), registry=efs_registry)
    assert result.exit_code == 2 and "Did you mean 'US States'" in result.stderr, result
    assert dsgrid("query", "list", registry=efs_registry, as_json=True).json() == []
    assert _jobs(efs_registry) == []
    # over the CSV cap: found once the query has run, kept as a failed job saying why
    big = _query("big", output_format="csv", aggregations=[])
    result = dsgrid(
        "query",
        "run",
        _write(tmp_path / "big.json5", big),
        "-o",
        tmp_path / "out",
        registry=efs_registry,
        env={"DSGRID_CSV_ROW_CAP": "10"},
    )
    assert result.exit_code == 2 and "above the CSV cap" in result.stderr, result
    listed = dsgrid("query", "list", registry=efs_registry, as_json=True).json()
    assert [j["status"] for j in listed] == ["failed"]
    assert "above the CSV cap" in listed[0]["error"]
