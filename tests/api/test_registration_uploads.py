"""Registrations with files over HTTP: a client uploads the files its config names (POST
/uploads, PUT .../files/{name}), then starts the registration with the config and the session.
What is registered is what the same config and files register from a folder; bad uploads are
4xx answers that leave the registry as it was; a viewer of a remote API forwards the files and
the config to that server, which decides with its own permissions."""

from __future__ import annotations

import json
import time

import pytest
from api_helpers import failed, ok
from live_server import serving

from app import create_app
from dsgrid_core.registry.registry import Registry
from dsgrid_core.service.remote_viewer import RemoteRefused, RemoteViewer

COUNTIES = (
    "id,name,state,time_zone\n"
    "01001,Autauga County,AL,America/Chicago\n"
    "08031,Denver County,CO,America/Denver\n"
)
TOKEN = "t0ken"  # noqa: S105 - the test server's access token
CONFIG = {
    "type": "geography",
    "class": "County",
    "name": "Uploaded counties",
    "description": "two counties, uploaded over HTTP",
    "file": "counties.csv",
}


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setenv("DSGRID_UPLOAD_DIR", str(folder))
    return folder


def _client(registry, tmp_path, **settings):
    settings.setdefault("host", "127.0.0.1")  # loopback: writes need no token
    app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"), **settings)
    return app.server.test_client()


def _sessions(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _wait(job_of, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = job_of(job_id)
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end")


def _dimensions(registry) -> dict[str, dict]:
    """Every dimension of a registry by name: its config and records (not when or by whom)."""
    with Registry(registry, read_only=True) as reg:
        out = {}
        for row in reg.list("dimension"):
            record = reg.show("dimension", row.id)
            config = {k: v for k, v in record.config.items() if k not in ("file", "dimension_id")}
            out[config["name"]] = {"config": config, "records": reg.records(row.id)}
        return out


def _by_folder(tmp_path) -> dict:
    """The dimension the same config registers from files in a folder, in a new registry."""
    folder = tmp_path / "by_folder"
    folder.mkdir()
    (folder / "counties.csv").write_text(COUNTIES)
    (folder / "dimension.json5").write_text(json.dumps(CONFIG))
    with Registry.create(tmp_path / "by_folder_registry") as reg:
        reg.register_dimension(folder / "dimension.json5", "from a folder")
    return _dimensions(tmp_path / "by_folder_registry")[CONFIG["name"]]


def _upload(client, files: dict[str, bytes], headers=None) -> str:
    session = ok(client.post("/api/v1/uploads", headers=headers), 201)["data"]["session"]
    for name, data in files.items():
        answer = ok(client.put(f"/api/v1/uploads/{session}/files/{name}", data=data))["data"]
        assert answer == {"name": name, "kind": name.rsplit(".", 1)[-1], "size": len(data)}
    return session


def test_a_dimension_registers_from_a_file_uploaded_over_http(empty_registry, tmp_path, uploads):
    client = _client(empty_registry, tmp_path)
    session = _upload(client, {"counties.csv": COUNTIES.encode()})
    body = {
        "kind": "dimension",
        "config": CONFIG,
        "log_message": "uploaded",
        "upload_session": session,
    }
    job = ok(client.post("/api/v1/registrations", json=body), 202)["data"]
    assert session not in _sessions(uploads)  # ended: the job has its own copies
    job = _wait(lambda i: ok(client.get(f"/api/v1/jobs/{i}"))["data"], job["id"])
    assert job["status"] == "succeeded", job
    assert [c["kind"] for c in job["components"]] == ["dimension"]
    assert _dimensions(empty_registry)[CONFIG["name"]] == _by_folder(tmp_path)
    assert _sessions(uploads) == []  # the job removed its folder


def test_a_failed_registration_names_the_uploaded_file_and_no_server_path(
    empty_registry, tmp_path, uploads
):
    client = _client(empty_registry, tmp_path)
    bad = COUNTIES + "01001,Autauga again,AL,America/Chicago\n"  # a duplicate id
    session = _upload(client, {"counties.csv": bad.encode()})
    body = {"kind": "dimension", "config": CONFIG, "log_message": "x", "upload_session": session}
    job_id = ok(client.post("/api/v1/registrations", json=body), 202)["data"]["id"]
    job = _wait(lambda i: ok(client.get(f"/api/v1/jobs/{i}"))["data"], job_id)
    assert job["status"] == "failed"
    said = json.dumps(job)
    assert "01001" in said and "counties.csv" in said
    assert str(uploads) not in said and str(tmp_path) not in said
    assert job["reason"] and isinstance(job["details"], list)
    assert _dimensions(empty_registry) == {}


@pytest.mark.parametrize(
    ("name", "data", "status", "said"),
    [
        ("manifest.json", b"{}", 400, "plain file name"),
        (".hidden.csv", b"id\n1\n", 400, "plain file name"),
        ("tool.exe", b"MZ", 400, "not accepted"),
        ("table.parquet", b"id,name\n1,x\n", 400, "table.parquet"),
        ("big.csv", b"id,name\n" + b"1,x\n" * 400, 413, "upload"),
    ],
)
def test_a_bad_upload_is_refused_and_stores_nothing(
    empty_registry, tmp_path, uploads, monkeypatch, name, data, status, said
):
    monkeypatch.setenv("DSGRID_UPLOAD_LIMIT_MB", "0.001")  # 1,048 bytes
    client = _client(empty_registry, tmp_path)
    session = ok(client.post("/api/v1/uploads"), 201)["data"]["session"]
    error = failed(client.put(f"/api/v1/uploads/{session}/files/{name}", data=data), status)
    assert said in error["message"], error
    assert _sessions(uploads / session) == ["manifest.json"]


def test_registrations_that_cannot_start_are_refused_and_register_nothing(
    empty_registry, tmp_path, uploads
):
    client = _client(empty_registry, tmp_path)
    base = {"kind": "dimension", "config": CONFIG, "log_message": "x"}
    gone = "0" * 32
    for not_a_session in (gone, "00"):
        body = {**base, "upload_session": not_a_session}
        if not_a_session == gone:
            error = failed(client.post("/api/v1/registrations", json=body), 404)
            assert (
                "no upload session" in error["message"]
                and "POST /api/v1/uploads" in error["message"]
            )
        error = failed(
            client.put(f"/api/v1/uploads/{not_a_session}/files/a.csv", data=b"id\n1\n"), 404
        )
        assert "no upload session" in error["message"]
        assert (
            failed(client.delete(f"/api/v1/uploads/{not_a_session}"), 404)["type"]
            == "NotFoundError"
        )
    error = failed(
        client.post("/api/v1/registrations", json={**base, "upload_session": "../x"}), 400
    )
    assert "upload_session" in error["message"]
    error = failed(client.post("/api/v1/registrations", json={**base, "kind": "submission"}), 400)
    assert "kind" in error["message"]
    submission = {"project_id": "p", "dataset_id": "d", "config": {}, "log_message": "x"}
    error = failed(client.post("/api/v1/submissions", json={**submission, "kind": "dataset"}), 400)
    assert "kind" in error["message"]
    job_id = ok(client.post("/api/v1/submissions", json=submission), 202)["data"]["id"]
    job = _wait(lambda i: ok(client.get(f"/api/v1/jobs/{i}"))["data"], job_id)
    assert job["status"] == "failed" and "'p'" in job["error"], job
    assert _dimensions(empty_registry) == {}


def test_uploads_need_write_permission(empty_registry, tmp_path, uploads):
    read_only = _client(empty_registry, tmp_path, read_only=True)
    assert "read-only" in failed(read_only.post("/api/v1/uploads"), 403)["message"]
    exposed = _client(empty_registry, tmp_path, host="0.0.0.0", api_token=TOKEN)  # noqa: S104
    error = failed(exposed.post("/api/v1/uploads"), 401)
    assert "token" in error["message"]
    ok(exposed.post("/api/v1/uploads", headers={"Authorization": f"Bearer {TOKEN}"}), 201)
    assert len(_sessions(uploads)) == 1


def test_a_remote_viewer_registers_on_its_server_with_the_files(empty_registry, tmp_path, uploads):
    """Through the page server's API as through RemoteViewer: the files travel to the
    registry's server, which registers what a folder of the same files registers."""
    with serving(empty_registry, cache_dir=str(tmp_path / "apicache")) as url:
        page_server = create_app(None, api_url=url, host="127.0.0.1", cache_dir=str(tmp_path / "w"))
        client = page_server.server.test_client()
        session = _upload(client, {"counties.csv": COUNTIES.encode()})
        body = {
            "kind": "dimension",
            "config": CONFIG,
            "log_message": "x",
            "upload_session": session,
        }
        job_id = ok(client.post("/api/v1/registrations", json=body), 202)["data"]["id"]
        remote = RemoteViewer(url)
        job = _wait(remote.job, job_id)
        assert job["status"] == "succeeded", job
    assert _dimensions(empty_registry)[CONFIG["name"]] == _by_folder(tmp_path)
    assert _sessions(uploads) == []  # both servers' sessions ended


def test_a_remote_server_that_refuses_says_so_and_keeps_no_files(empty_registry, tmp_path, uploads):
    source = tmp_path / "counties.csv"
    source.write_text(COUNTIES)
    with serving(empty_registry, read_only=True, cache_dir=str(tmp_path / "apicache")) as url:
        with pytest.raises(RemoteRefused, match="refused: this server is read-only"):
            RemoteViewer(url).start_registration(
                "dimension",
                CONFIG,
                config_name="dimension.json5",
                log_message="x",
                files={"counties.csv": source},
            )
    with serving(empty_registry, cache_dir=str(tmp_path / "apicache2")) as url:
        with pytest.raises(Exception, match="type '.exe'") as raised:
            RemoteViewer(url).start_registration(
                "dimension",
                CONFIG,
                config_name="dimension.json5",
                log_message="x",
                files={"tool.exe": source},
            )
        assert type(raised.value).__name__ == "InputError"
    assert _sessions(uploads) == []  # the session the refused upload started was ended
    assert _dimensions(empty_registry) == {}
