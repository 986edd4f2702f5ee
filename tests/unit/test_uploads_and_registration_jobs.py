"""Uploads are checked and kept under generated names; registration jobs run in the background
with progress, report the new component, or the problems field by field."""

from __future__ import annotations

import json
import os
import time

import pytest

from dsgrid_core.errors import InputError
from dsgrid_core.jobs.registration import (
    config_params,
    create_registration_job,
    execute_registration_job,
)
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.registry import Registry
from dsgrid_core.uploads import UploadStore, UploadTooLarge

COUNTIES = b"id,name,state,time_zone\n01001,Autauga County,AL,America/Chicago\n"


def test_uploads_are_checked_and_stored_under_generated_names(tmp_path, monkeypatch):
    store = UploadStore(tmp_path / "uploads")
    session = store.new_session()
    saved = store.add(session, "../../etc/counties.csv", COUNTIES)
    assert saved["name"] == "counties.csv"
    assert saved["path"].parent == store.folder(session)
    assert saved["path"].name != "counties.csv" and saved["path"].read_bytes() == COUNTIES
    with pytest.raises(InputError, match="not accepted"):
        store.add(session, "run.sh", b"rm -rf /")
    with pytest.raises(InputError, match="Parquet"):
        store.add(session, "data.parquet", b"id,value\n1,2\n")
    with pytest.raises(InputError, match="binary"):
        store.add(session, "data.csv", b"\x00\x01\x02")
    with pytest.raises(InputError, match="JSON5"):
        store.add(session, "dimension.json5", b"{type: 'geography',,}")
    monkeypatch.setenv("DSGRID_UPLOAD_LIMIT_MB", "0.0001")
    with pytest.raises(UploadTooLarge, match="upload limit"):
        store.add(session, "big.csv", b"id,name\n" + b"x,y\n" * 100)
    assert set(store.files(session)) == {"counties.csv"}
    with pytest.raises(InputError, match="session"):
        store.folder("../" + session)


def test_abandoned_sessions_are_swept(tmp_path):
    store = UploadStore(tmp_path)
    old, fresh = store.new_session(), store.new_session()
    store.add(old, "a.csv", COUNTIES)
    past = time.time() - 48 * 3600
    for path in [store.folder(old), *store.folder(old).iterdir()]:
        os.utime(path, (past, past))
    assert store.sweep(older_than_hours=24) == 1
    assert not (tmp_path / old).exists() and (tmp_path / fresh).exists()
    store.remove(fresh)
    assert not (tmp_path / fresh).exists()


def _job(registry, job_id):
    store = JobStore(registry)
    try:
        return store.get(job_id)
    finally:
        store.close()


def test_a_registration_job_reports_the_new_component(empty_registry, tmp_path):
    store = UploadStore(tmp_path / "uploads")
    session = store.new_session()
    saved = store.add(session, "counties.csv", COUNTIES)
    config = {
        "type": "geography",
        "class": "County",
        "name": "Alabama counties",
        "description": "one county",
        "file": saved["path"].name,
    }
    folder = store.folder(session)
    params = {**config_params(config, "dimension.json5", folder), "data_roots": [str(folder)]}
    job_id = create_registration_job(empty_registry, "dimension", params)
    assert execute_registration_job(empty_registry, job_id) == "succeeded"
    job = _job(empty_registry, job_id)
    made = job.metadata["components"]
    assert made[0]["kind"] == "dimension" and job.stages_done == job.stages_total
    with Registry(empty_registry, read_only=True) as registry:
        assert [r["id"] for r in registry.records(made[0]["id"])] == ["01001"]


def test_a_failed_registration_keeps_its_problems_by_field(empty_registry, tmp_path):
    config = tmp_path / "dimension.json5"
    config.write_text(json.dumps({"type": "geography", "name": "x", "descripton": "typo"}))
    job_id = create_registration_job(empty_registry, "dimension", {"config_file": str(config)})
    assert execute_registration_job(empty_registry, job_id) == "failed"
    job = _job(empty_registry, job_id)
    fields = {p["field"] for p in job.metadata["problems"]}
    assert "descripton" in fields
    assert "description" in job.error  # the close match is suggested
    with Registry(empty_registry, read_only=True) as registry:
        assert registry.list() == []  # nothing was registered


def test_a_sweep_tolerates_sessions_removed_while_it_looks(tmp_path):
    """Another worker's finished job removes its session while this worker sweeps: the sweep
    must not fail (it did, as a 500 on POST /registrations, under the load test)."""
    import threading

    store = UploadStore(tmp_path / "uploads")
    stop = time.monotonic() + 1.5
    failures: list[BaseException] = []
    swept = 0

    def churn():
        while time.monotonic() < stop:
            session = store.new_session()
            store.add(session, "a.csv", COUNTIES)
            store.remove(session)

    churners = [threading.Thread(target=churn) for _ in range(3)]
    for thread in churners:
        thread.start()
    while time.monotonic() < stop:
        try:
            store.sweep(older_than_hours=24)
            swept += 1
        except OSError as exc:
            failures.append(exc)
            break
    for thread in churners:
        thread.join()
    assert not failures, f"sweep failed on a session removed meanwhile: {failures[0]!r}"
    assert swept > 10, "the sweep loop hardly ran"
    assert list(store.root.iterdir()) == []
