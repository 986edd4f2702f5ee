"""The web server's guards, on a real app: cross-site requests refused, bodies over the upload
limit refused by the server itself, writes refused on a read-only server and without the
access token on a server reachable from other machines; registry text rendered as text."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time

from api_helpers import failed, ok, scenario_dimension

from app import create_app

DIMENSION = scenario_dimension(
    "Web Scenarios", "registered over HTTP", {"reference": "Reference", "high": "High"}
)


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


# --- issue 13: DNS rebinding, opaque origins, cancel permission, body caps, odd shapes -------

EVIL_HOST = {"Host": "evil.example:8050", "Origin": "http://evil.example:8050"}


def test_a_foreign_host_name_is_refused_for_reads_and_writes(empty_registry, tmp_path):
    """DNS rebinding: evil.example resolved to 127.0.0.1 sends its own Host and a matching
    Origin. Neither a write nor a read (API or page) is answered."""
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    assert failed(_register(client, EVIL_HOST), 400)["type"] == "UnknownHost"
    assert failed(client.get("/api/v1/summary", headers=EVIL_HOST), 400)["type"] == "UnknownHost"
    page = client.get("/", headers={"Host": "evil.example"})
    assert page.status_code == 400 and page.get_json()["error"]["type"] == "UnknownHost"
    assert ok(client.get("/api/v1/jobs"))["data"] == []  # nothing was registered
    for host in ("127.0.0.1:8050", "localhost:1", "[::1]:8050", "localhost"):
        assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200, host


def test_configured_and_served_host_names_are_answered(empty_registry, tmp_path, monkeypatch):
    monkeypatch.setenv("DSGRID_ALLOWED_HOSTS", "dsgrid.example.org, .team.example")
    client = _client(empty_registry, tmp_path, host="10.1.2.3")
    for host in ("dsgrid.example.org", "DSGRID.example.org:443", "a.team.example", "10.1.2.3:80"):
        assert client.get("/api/v1/health", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "team.example.evil", "x.dsgrid.example.org", "a@b", "[::1"):
        assert client.get("/api/v1/health", headers={"Host": host}).status_code == 400, host
    # Behind gunicorn (no host known): loopback and the configured names only.
    gunicorn = _client(empty_registry, tmp_path)
    assert gunicorn.get("/api/v1/health", headers={"Host": "dsgrid.example.org"}).status_code == 200
    assert gunicorn.get("/api/v1/health", headers={"Host": "evil.example"}).status_code == 400


def test_an_opaque_origin_cannot_change_anything(empty_registry, tmp_path):
    """Origin: null (sandboxed frame, file: page) names no page of this server."""
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    error = failed(_register(client, {"Origin": "null"}), 403)
    assert error["type"] == "CrossSiteRequest"
    assert ok(client.get("/api/v1/jobs"))["data"] == []


def test_cancelling_a_job_needs_write_permission(empty_registry, tmp_path):
    guarded = _client(empty_registry, tmp_path, host="0.0.0.0", api_token="s3cret")  # noqa: S104, S106
    token = {"Authorization": "Bearer s3cret"}
    job = ok(_register(guarded, token), 202)["data"]
    cancel = f"/api/v1/jobs/{job['id']}/cancel"
    assert "token" in failed(guarded.post(cancel), 401)["message"]
    assert failed(guarded.post(cancel, headers={"Authorization": "Bearer wrong"}), 401)
    read_only = _client(empty_registry, tmp_path, host="127.0.0.1", read_only=True)
    assert "read-only" in failed(read_only.post(cancel), 403)["message"]
    assert failed(read_only.post("/api/v1/jobs/no-such-job/cancel"), 403)
    finished = _wait(guarded, job["id"])
    assert finished["status"] == "succeeded"  # neither refused cancel touched it
    answer = guarded.post(cancel, headers=token)  # with the token: past the permission check
    assert answer.status_code in (200, 409)


def test_json_bodies_over_the_api_cap_are_refused_before_reading(
    empty_registry, tmp_path, monkeypatch
):
    monkeypatch.setenv("DSGRID_MAX_JSON_BODY_KB", "64")
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    read = []

    class Body(io.BytesIO):
        """A body declared as 105 MB that records whether anything read it."""

        def read(self, *args):
            read.append(args)
            return super().read(*args)

    started = time.monotonic()
    response = client.post(
        "/api/v1/queries",
        input_stream=Body(b"{}"),
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(105 * 2**20)},
    )
    assert time.monotonic() - started < 5
    assert failed(response, 413)["type"] == "RequestEntityTooLarge"
    assert read == []
    small = client.post("/api/v1/queries", json={"query": {"x": "y" * 50_000}})
    assert small.status_code == 400  # under the cap: read, and refused for its content
    # Dash callbacks carry uploads: they keep the upload limit, not the JSON cap.
    dash = client.post("/_dash-update-component", data=b"x" * 100_000)
    assert dash.status_code != 413


def test_json_nested_too_deep_is_a_400_not_a_500(empty_registry, tmp_path):
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    deep = "[" * 5000 + "]" * 5000
    for path in ("/api/v1/queries", "/api/v1/registrations"):
        response = client.post(
            path, data='{"query": ' + deep + "}", content_type="application/json"
        )
        assert failed(response, 400)["type"] == "InputError", path
    deep_enough = "[" * 100 + "]" * 100  # under the recursion limit, over the API's depth
    response = client.post(
        "/api/v1/queries",
        data='{"query": {"a": ' + deep_enough + "}}",
        content_type="application/json",
    )
    assert "deeper" in failed(response, 400)["message"]
    dash = client.post("/_dash-update-component", data=deep, content_type="application/json")
    assert dash.status_code == 400


def test_dash_file_paths_outside_the_libraries_are_404(empty_registry, tmp_path):
    client = _client(empty_registry, tmp_path, host="127.0.0.1")
    for path in (
        "/_dash-component-suites/../../etc/passwd",
        "/_dash-component-suites/dash/../../../etc/passwd",
        "/_dash-component-suites/no_such_library/x.js",
        "/_dash-component-suites/dash/no/such/file.js",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"root:" not in response.get_data()
