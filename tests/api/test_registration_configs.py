"""A registration from a web form or from POST /api/v1/registrations hands its config to the job
as data: no config file is written into the upload session folder to be read back, and the
component registered is the one the same config registers from a file."""

from __future__ import annotations

import json

from api_helpers import ok, scenario_dimension

from app import create_app
from app.components import wizard as wz
from app.components import wizard_register
from dsgrid_core.jobs.registration import execute_registration_job
from dsgrid_core.jobs.store import load_job
from dsgrid_core.registry.registry import Registry
from dsgrid_core.uploads import MANIFEST, UploadStore

COUNTIES = "id,name,state,time_zone\n01001,Autauga County,AL,America/Chicago\n"
SCENARIOS = scenario_dimension(
    "Request scenarios", "records given inline", {"low": "Low", "high": "High"}
)


def _app(registry, tmp_path, monkeypatch):
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(tmp_path / "uploads"))
    # jobs left queued (for a `dsgrid worker`): their upload folder stays to be looked at
    monkeypatch.setenv("DSGRID_JOB_RUNNER", "workers")
    return create_app(str(registry), cache_dir=str(tmp_path / "webcache"), host="127.0.0.1")


def _listing(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _registered(registry, kind: str, id: str) -> dict:
    """What a registration stored, without when and by whom."""
    with Registry(registry, read_only=True) as reg:
        record = reg.show(kind, id)
        return {
            "id": record.id,
            "version": record.version,
            "config": record.config,
            "extra": record.extra,
            "records": reg.records(id) if kind == "dimension" else None,
        }


def _by_file(tmp_path, config: dict, files: dict[str, str]) -> dict:
    """The component the same config registers from a file (beside ``files``), in a new
    registry."""
    folder = tmp_path / "by_file"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "dimension.json5").write_text(json.dumps(config))
    with Registry.create(tmp_path / "by_file_registry") as reg:
        [prep] = reg.register_dimension(folder / "dimension.json5", "from a file")
    return _registered(tmp_path / "by_file_registry", "dimension", prep.id)


def test_a_form_registration_writes_no_config_file(empty_registry, tmp_path, monkeypatch):
    app = _app(empty_registry, tmp_path, monkeypatch)
    store = UploadStore()
    form_session = store.new_session()
    saved = store.add(form_session, "counties.csv", COUNTIES.encode())
    stored = saved["path"].name
    files = {
        "file": {"session": form_session, "files": [{"name": "counties.csv", "stored": stored}]}
    }
    config = {
        "type": "geography",
        "class": "County",
        "name": "Alabama counties",
        "description": "one county",
        "file": stored,
    }
    plan = {"config": config, "config_name": "dimension.json5", "names": {stored: "counties.csv"}}
    before = _listing(store.folder(form_session))
    w = wz.Wizard(name="dimension", kind="dimension", title="A dimension config")
    with app.server.test_request_context("/"):
        job_id = wizard_register.start_job(w, plan, files, "from the form")

    job = load_job(empty_registry, job_id)
    assert job.status == "queued"
    folder = store.folder(job.params["upload_session"])
    # The form's folder is as it was, and the job's holds the same files: no config in either.
    assert before == _listing(store.folder(form_session)) == sorted([MANIFEST, stored])
    assert _listing(folder) == sorted([MANIFEST, stored])
    assert job.params["config"] == config and "config_file" not in job.params
    assert job.params["config_name"] == "dimension.json5"
    assert job.params["config_folder"] == str(folder)

    assert execute_registration_job(empty_registry, job_id) == "succeeded"
    [made] = load_job(empty_registry, job_id).metadata["components"]
    assert not folder.exists()  # the job removed its folder
    by_form = _registered(empty_registry, "dimension", made["id"])
    by_file = _by_file(tmp_path, {**config, "file": "counties.csv"}, {"counties.csv": COUNTIES})
    assert by_form == by_file
    assert [r["id"] for r in by_form["records"]] == ["01001"]


def test_an_api_registration_writes_no_config_file(empty_registry, tmp_path, monkeypatch):
    client = _app(empty_registry, tmp_path, monkeypatch).server.test_client()
    uploads = tmp_path / "uploads"
    body = {"kind": "dimension", "config": SCENARIOS, "log_message": "from the API"}
    job_id = ok(client.post("/api/v1/registrations", json=body), 202)["data"]["id"]

    job = load_job(empty_registry, job_id)
    folder = uploads / job.params["upload_session"]
    assert _listing(uploads) == [folder.name]
    assert _listing(folder) == [MANIFEST]  # the session's manifest alone: no config file
    assert job.params["config"] == SCENARIOS and "config_file" not in job.params
    assert job.params["config_name"] == "dimension.json5"

    assert execute_registration_job(empty_registry, job_id) == "succeeded"
    [made] = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]["components"]
    assert _listing(uploads) == []
    assert _registered(empty_registry, "dimension", made["id"]) == _by_file(tmp_path, SCENARIOS, {})


def test_an_api_registration_error_names_the_config_as_sent(empty_registry, tmp_path, monkeypatch):
    """Validated once, by the job: its problems name the config as the request's kind."""
    client = _app(empty_registry, tmp_path, monkeypatch).server.test_client()
    config = {**SCENARIOS, "descripton": "a typo"}
    body = {"kind": "dimension", "config": config, "log_message": "from the API"}
    job_id = ok(client.post("/api/v1/registrations", json=body), 202)["data"]["id"]
    assert execute_registration_job(empty_registry, job_id) == "failed"
    job = ok(client.get(f"/api/v1/jobs/{job_id}"))["data"]
    assert job["error"].startswith("dimension.json5: "), job
    assert "descripton" in {p["field"] for p in job["problems"]}
    assert str(tmp_path) not in json.dumps(job)
