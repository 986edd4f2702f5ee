"""`dsgrid --json registry <kind>s list|show|history` and GET /api/v1/<kind>s[/<id>[/versions]]
give one answer in one shape: field for field, over the registered test_efs project."""

from __future__ import annotations

import pytest
from api_helpers import ok
from test_query_jobs_api import _query, _wait

# CLI group name = API path segment (the API's <kind>s)
KINDS = ["projects", "datasets", "dimensions", "dimension-mappings"]


def _every_page(client, url: str) -> list[dict]:
    items, token = [], None
    while True:
        body = ok(client.get(url + "?limit=100" + (f"&next={token}" if token else "")))
        items += body["data"]
        token = body["next"]
        if token is None:
            return items


@pytest.mark.parametrize("kind", KINDS)
def test_list_show_and_history_agree(api, dsgrid, efs_registry_template, kind):
    client = api(efs_registry_template)
    listed = dsgrid("registry", kind, "list", registry=efs_registry_template, as_json=True)
    assert listed.exit_code == 0, listed
    cli_rows = sorted(listed.json(), key=lambda r: r["id"])
    api_rows = sorted(_every_page(client, f"/api/v1/{kind}"), key=lambda r: r["id"])
    assert cli_rows == api_rows
    assert cli_rows, f"test_efs has {kind}"

    # every component of the kind: its latest version, and its first one in full
    for row in cli_rows:
        shown = dsgrid(
            "registry", kind, "show", row["id"], registry=efs_registry_template, as_json=True
        )
        assert shown.exit_code == 0, shown
        assert shown.json() == ok(client.get(f"/api/v1/{kind}/{row['id']}"))["data"]
        history = dsgrid(
            "registry", kind, "history", row["id"], registry=efs_registry_template, as_json=True
        )
        versions = ok(client.get(f"/api/v1/{kind}/{row['id']}/versions"))["data"]
        assert history.json() == versions
        first = versions[0]["version"]
        old = dsgrid(
            "registry",
            kind,
            "show",
            row["id"],
            "--version",
            first,
            registry=efs_registry_template,
            as_json=True,
        ).json()
        assert old == ok(client.get(f"/api/v1/{kind}/{row['id']}?version={first}"))["data"]
        assert old["version"] == first


def test_job_status_and_list_agree(api, dsgrid, efs_registry):
    """A query job started over the API, then read by both doors: the same fields and values
    (the API adds its links, the CLI the local result folder)."""
    client = api(efs_registry)
    started = ok(client.post("/api/v1/queries", json={"query": _query()}), 202)["data"]
    job = _wait(client, started["id"])
    assert job["status"] == "succeeded", job
    status = dsgrid("query", "status", job["id"], registry=efs_registry, as_json=True)
    assert status.exit_code == 0, status
    shown = status.json()
    assert shown.pop("result_path").endswith(job["id"] + "/result")
    assert shown == {k: v for k, v in job.items() if k != "links"}
    listed = dsgrid("query", "list", registry=efs_registry, as_json=True).json()
    api_listed = ok(client.get("/api/v1/jobs"))["data"]
    assert [{k: v for k, v in j.items() if k != "result_path"} for j in listed] == [
        {k: v for k, v in j.items() if k != "links"} for j in api_listed
    ]
