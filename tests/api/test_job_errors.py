"""A failed registration job started from the API or a web form: its error names the files as
the user knows them, never by the server's upload paths, in GET /api/v1/jobs and
GET /api/v1/jobs/<id>."""

from __future__ import annotations

import json
import re
import time

from api_helpers import ok

from app import create_app
from dsgrid_core.jobs import dispatch
from dsgrid_core.jobs.registration import config_params, create_registration_job
from dsgrid_core.uploads import UploadStore

# An absolute path: a slash that starts neither a unit (kWh/MWh) nor part of a URL.
ABSOLUTE = re.compile(r"(?<![\w.:/-])/[\w.-]+/")


def _client(registry, tmp_path):
    app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"), host="127.0.0.1")
    return app.server.test_client()


def _failed(client, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        job = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
        if job["status"] not in ("queued", "running"):
            assert job["status"] == "failed", job
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _shown(client, job_id: str) -> list[str]:
    """Every text about the job the API serves: its error and problems, alone and listed."""
    alone = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
    listed = next(j for j in ok(client.get("/api/v1/jobs"))["data"] if j["id"] == job_id)
    texts = []
    for job in (alone, listed):
        texts.append(job["error"])
        texts += [json.dumps(p) for p in job["problems"]]
    return texts


def _no_server_path(texts: list[str], *secrets: str) -> None:
    for text in texts:
        assert not ABSOLUTE.search(text), text
        for secret in secrets:
            assert secret not in text, (secret, text)


def test_a_failed_api_registration_shows_no_server_path(empty_registry, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(uploads))
    client = _client(empty_registry, tmp_path)
    config = {
        "type": "scenario",
        "class": "Scenario",
        "name": "Scenarios",
        "description": "refers to a file the request did not bring",
        "file": "scenarios.csv",
    }
    job_id = ok(
        client.post(
            "/api/v1/registrations",
            json={"kind": "dimension", "config": config, "log_message": "x"},
        ),
        202,
    )["data"]["id"]
    job = _failed(client, job_id)
    assert "file not found" in job["error"] and "scenarios.csv" in job["error"], job
    assert job["error"].startswith("dimension.json5: ")  # the config by the name it was sent
    _no_server_path(_shown(client, job_id), str(uploads), str(tmp_path))


def test_a_failed_form_registration_names_the_uploaded_file(empty_registry, tmp_path):
    """As the registration wizard starts it: the files in an upload session under generated
    names; the error speaks of the name the file was uploaded under."""
    store = UploadStore(tmp_path / "uploads")
    session = store.new_session()
    saved = store.add(session, "my scenarios.csv", b"id,name\nhigh,High\nhigh,Higher\n")
    config = {
        "type": "scenario",
        "class": "Scenario",
        "name": "Scenarios",
        "description": "a duplicate id",
        "file": saved["path"].name,
    }
    params = {
        **config_params(config, "dimension.json5", store.folder(session)),
        "log_message": "x",
        "data_roots": [str(store.folder(session))],
        "upload_session": session,
        "upload_root": str(store.root),
    }
    job_id = create_registration_job(empty_registry, "dimension", params)
    client = _client(empty_registry, tmp_path)
    dispatch.start(empty_registry, job_id)
    job = _failed(client, job_id)
    assert job["error"].startswith("my scenarios.csv, line 3: duplicate id 'high'"), job
    _no_server_path(_shown(client, job_id), str(store.root), session, saved["path"].name)
    assert not (store.root / session).exists()  # the session is removed when the job ends
