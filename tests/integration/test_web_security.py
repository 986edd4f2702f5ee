"""The web server's guards, on a real app: cross-site requests refused, bodies over the upload
limit refused by the server itself, writes refused on a read-only server and without the
access token on a server reachable from other machines; registry text rendered as text."""

from __future__ import annotations

import base64
import hashlib
import re
import time

from api_helpers import failed, ok

from app import create_app

DIMENSION = {
    "type": "scenario",
    "class": "Scenario",
    "name": "Web Scenarios",
    "description": "registered over HTTP",
    "records": [{"id": "reference", "name": "Reference"}, {"id": "high", "name": "High"}],
}


def _client(registry, tmp_path, **settings):
    app = create_app(str(registry), cache_dir=str(tmp_path / "cache"), **settings)
    return app.server.test_client()


def _wait(client, job_id, headers=None):
    deadline = time.monotonic() + 30
    while True:
        job = ok(client.get(f"/api/v1/jobs/{job_id}", headers=headers or {}))["data"]
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _register(client, headers=None, config=DIMENSION):
    return client.post(
        "/api/v1/registrations",
        json={"kind": "dimension", "config": config, "log_message": "over http"},
        headers=headers or {},
    )


def test_loopback_server_registers_over_http(empty_registry, tmp_path):
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    job = _wait(client, ok(_register(client), 202)["data"]["id"])
    assert job["status"] == "succeeded", job
    made = job["components"][0]
    records = ok(client.get(f"/api/v1/dimensions/{made['id']}/records"))["data"]
    assert [r["id"] for r in records] == ["reference", "high"]

    bad = {**DIMENSION, "name": "Other", "descripton": "typo"}
    job = _wait(client, ok(_register(client, config=bad), 202)["data"]["id"])
    assert job["status"] == "failed"
    assert {"field": "descripton"}.items() <= job["problems"][0].items()


def test_reachable_server_needs_the_token_to_write(empty_registry, tmp_path):
    open_server = _client(empty_registry, tmp_path, host="0.0.0.0")  # noqa: S104
    error = failed(_register(open_server), 403)
    assert "DSGRID_API_TOKEN" in error["message"]

    guarded = _client(empty_registry, tmp_path, host="0.0.0.0", api_token="s3cret")  # noqa: S104, S106
    assert "token" in failed(_register(guarded), 401)["message"]
    assert failed(_register(guarded, {"Authorization": "Bearer wrong"}), 401)
    job = ok(_register(guarded, {"Authorization": "Bearer s3cret"}), 202)["data"]
    assert _wait(guarded, job["id"])["status"] == "succeeded"
    assert ok(guarded.get("/api/v1/summary"))["data"]["counts"]["dimension"] == 1  # reads: open


def test_read_only_server_refuses_every_write(empty_registry, tmp_path):
    client = _client(empty_registry, tmp_path, host="127.0.0.1", read_only=True)
    assert "read-only" in failed(_register(client), 403)["message"]


def test_cross_site_requests_are_refused(efs_registry_template, tmp_path):
    client = _client(efs_registry_template, tmp_path, host="127.0.0.1")
    evil = {"Origin": "https://evil.example"}
    error = failed(client.post("/api/v1/queries", json={"query": {}}, headers=evil), 403)
    assert "evil.example" in error["message"]
    dash = client.post("/_dash-update-component", json={}, headers=evil)
    assert dash.status_code == 403
    same = client.post(
        "/api/v1/queries", json={"query": {}}, headers={"Origin": "http://localhost"}
    )
    assert same.status_code == 400  # past the origin check, refused for its content


def test_bodies_over_the_upload_limit_are_refused_before_reading(
    efs_registry_template, tmp_path, monkeypatch
):
    monkeypatch.setenv("DSGRID_UPLOAD_LIMIT_MB", "0.01")
    client = _client(efs_registry_template, tmp_path, host="127.0.0.1")
    response = client.post("/api/v1/queries", data=b"x" * 200_000, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["type"] == "RequestEntityTooLarge"


def test_every_answer_carries_the_security_headers(empty_registry, tmp_path):
    """The page's own inline scripts are each allowed by their hash, and nothing else inline."""
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    page = client.get("/")
    assert page.status_code == 200
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)  # e.g. [if IE]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, flags=re.S)
    runnable = [body for attributes, body in inline if "application/json" not in attributes]
    assert runnable, "Dash writes its start-up script inline"
    for answer in (page, client.get("/api/v1/projects"), client.get("/no/such/page")):
        headers = answer.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert headers["Referrer-Policy"] == "same-origin"
        directives = dict(
            (d.strip().split(" ", 1) + [""])[:2]
            for d in headers["Content-Security-Policy"].split(";")
        )
        sources = directives["script-src"].split()
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        hashes = {
            f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in runnable
        }
        assert hashes <= set(sources), (hashes, sources)
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'self'"
