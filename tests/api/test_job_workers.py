"""DSGRID_JOB_RUNNER=workers: the web server leaves jobs queued and `dsgrid worker` processes
(real ones, started here) run them; a cancel interrupts a worker's running statement; SIGTERM
stops a worker after its job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from api_helpers import ok, scenario_dimension
from test_query_jobs_api import _expected_by_state, _query, _wait

from app import create_app
from dsgrid_core.jobs.store import load_job

SCENARIOS = scenario_dimension(
    "Worker scenarios", "registered by a dsgrid worker", {"worker_a": "A", "worker_b": "B"}
)


def _worker(registry, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "dsgrid_core.cli.main", "--registry", str(registry), "--json",
         "worker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _client(registry, tmp_path):
    """A loopback server's app (writes allowed without a token), in process."""
    app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"), host="127.0.0.1")
    return app.server.test_client()


def test_jobs_left_for_workers_are_run_by_a_worker_process(
    efs_registry, test_data, tmp_path, monkeypatch
):
    monkeypatch.setenv("DSGRID_JOB_RUNNER", "workers")
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(tmp_path / "uploads"))
    client = _client(efs_registry, tmp_path)
    query_id = ok(
        client.post("/api/v1/queries", json={"query": _query(), "use_cache": False}), 202
    )["data"]["id"]
    register_id = ok(
        client.post(
            "/api/v1/registrations",
            json={"kind": "dimension", "config": SCENARIOS, "log_message": "by a worker"},
        ),
        202,
    )["data"]["id"]
    time.sleep(0.5)
    for job_id in (query_id, register_id):  # nothing in the server runs them
        job = load_job(efs_registry, job_id)
        assert (job.status, job.pid) == ("queued", None)
    assert {j["status"] for j in ok(client.get("/api/v1/jobs"))["data"]} == {"queued"}

    worker = _worker(efs_registry, "--once")
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["job"], x["status"]) for x in lines] == [
        (query_id, "succeeded"),
        (register_id, "succeeded"),
    ]
    assert load_job(efs_registry, query_id).pid == worker.pid

    expected = _expected_by_state(test_data).sort_values(["geography", "metric"])
    page = ok(client.get(f"/api/v1/jobs/{query_id}/result?limit=1000"))["data"]
    got = pd.DataFrame(page["rows"])
    assert list(got["geography"]) == list(expected["geography"])
    np.testing.assert_allclose(got["value"], expected["value"], rtol=1e-9)
    made = _wait(client, register_id)["components"]
    assert [c["kind"] for c in made] == ["dimension"]
    records = ok(client.get(f"/api/v1/dimensions/{made[0]['id']}/records"))["data"]
    assert {r["id"] for r in records} == {"worker_a", "worker_b"}


# A worker whose DuckDB writes the result through a statement that runs for minutes, so that a
# cancel can only end the job by interrupting the running statement (SIGUSR1 to the worker).
SLOW_WORKER = """
import sys
from dsgrid_core.engine import duckdb_engine
from dsgrid_core.cli.main import cli

original = duckdb_engine.DuckDBEngine.copy_to_parquet
duckdb_engine.DuckDBEngine.copy_to_parquet = lambda self, sql, path: original(
    self, "SELECT count(*) AS n FROM range(100000000000) a", path
)
cli(sys.argv[1:], prog_name="dsgrid")
"""


def test_cancel_interrupts_a_worker_mid_statement_and_sigterm_stops_it(
    efs_registry, tmp_path, monkeypatch
):
    monkeypatch.setenv("DSGRID_JOB_RUNNER", "workers")
    client = _client(efs_registry, tmp_path)
    worker = subprocess.Popen(  # noqa: S603 - our own CLI, made slow
        [sys.executable, "-c", SLOW_WORKER, "--registry", str(efs_registry), "--json",
         "worker", "--poll", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        job_id = ok(
            client.post("/api/v1/queries", json={"query": _query(), "use_cache": False}), 202
        )["data"]["id"]
        deadline = time.monotonic() + 60
        while (job := load_job(efs_registry, job_id)).message != "execute":
            assert job.status in ("queued", "running"), job
            assert time.monotonic() < deadline, "the worker did not reach the slow statement"
            time.sleep(0.05)
        assert job.pid == worker.pid
        time.sleep(0.5)
        ok(client.post(f"/api/v1/jobs/{job_id}/cancel"))
        ended = _wait(client, job_id, timeout=30)
        assert ended["status"] == "cancelled", ended
        assert worker.poll() is None  # the worker lives on for the next job
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
    assert worker.returncode == 0, err
    assert json.loads(out.splitlines()[-1]) == {
        "job": job_id,
        "kind": "query",
        "status": "cancelled",
    }
