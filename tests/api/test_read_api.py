"""The read routes of /api/v1 over the test_efs registry, checked against the registry database
and dsgrid's raw test files rather than against the browse code they call."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pyarrow.parquet as pq
import pytest
from api_helpers import failed, ok

COUNTIES = "us_counties_2010_comstock_only"
FIVE_YEAR = "model_years_2010_to_2050__to__five_year_intervals"
PROJECT = "test_efs/dsgrid_project"


def _db(registry, sql, *args):
    con = sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def _all_pages(client, url: str, limit: int) -> list[dict]:
    items, token, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        query = f"{sep}limit={limit}" + (f"&next={token}" if token else "")
        body = ok(client.get(url + query))
        items += body["data"]
        pages += 1
        token = body["next"]
        if token is None:
            return items
        assert pages < 1000


def test_paging_visits_every_component_once_in_order(api, efs_registry_template):
    client = api(efs_registry_template)
    expected = [
        r[0]
        for r in _db(efs_registry_template, "SELECT id FROM components WHERE kind = 'dimension'")
    ]
    items = _all_pages(client, "/api/v1/dimensions?sort=-name", limit=4)
    assert sorted(i["id"] for i in items) == sorted(expected)
    names = [i["name"].lower() for i in items]
    assert names == sorted(names, reverse=True)
    first = ok(client.get("/api/v1/dimensions?limit=4"))
    assert first["total"] == len(expected) and len(first["data"]) == 4

    geo = ok(client.get("/api/v1/dimensions?filter=type:exact:geography&limit=50"))
    want = _db(
        efs_registry_template,
        "SELECT id FROM components WHERE kind = 'dimension' AND type = 'geography'",
    )
    assert sorted(i["id"] for i in geo["data"]) == sorted(r[0] for r in want)
    used = ok(client.get("/api/v1/dimension-mappings?project=test_efs&limit=100"))
    deps = _db(
        efs_registry_template,
        "SELECT DISTINCT dep_id FROM dependencies WHERE id = 'test_efs' AND version = "
        "(SELECT latest_version FROM components WHERE id = 'test_efs') "
        "AND dep_kind = 'dimension_mapping'",
    )
    assert sorted(i["id"] for i in used["data"]) == sorted(r[0] for r in deps)


def test_records_and_mapping_checks_match_the_raw_files(api, efs_registry_template, test_data):
    client = api(efs_registry_template)
    raw = pd.read_csv(
        test_data / PROJECT / "dimensions" / "comstock_counties.csv",
        dtype=str,
        keep_default_na=False,
    )
    records = _all_pages(client, f"/api/v1/dimensions/{COUNTIES}/records", limit=3)
    assert [r["id"] for r in records] == list(raw["id"])
    assert [r["name"] for r in records] == list(raw["name"])
    texas = ok(client.get(f"/api/v1/dimensions/{COUNTIES}/records?filter=state:exact:TX"))
    assert sorted(r["id"] for r in texas["data"]) == sorted(raw.loc[raw["state"] == "TX", "id"])

    mapping = pd.read_csv(
        test_data
        / PROJECT
        / "dimension_mappings/base_to_supplemental/interpolate_to_five_year_intervals.csv"
    )
    rows = _all_pages(client, f"/api/v1/dimension-mappings/{FIVE_YEAR}/records", limit=7)
    assert len(rows) == len(mapping)
    check = ok(client.get(f"/api/v1/dimension-mappings/{FIVE_YEAR}/check"))["data"]
    sums = mapping.groupby(mapping["to_id"].astype(str))["from_fraction"].sum()
    assert check["sum_by"] == "to_id" and check["failures"] == 0
    got = {s["to_id"]: s["sum"] for s in check["sums"]}
    assert got == pytest.approx(sums.to_dict())
    below = ok(
        client.get(f"/api/v1/dimension-mappings/{FIVE_YEAR}/records?filter=from_fraction:lt:1")
    )
    assert below["total"] == int((mapping["from_fraction"] < 1).sum()) > 0


def test_dataset_preview_coverage_and_versions(api, efs_registry_template):
    client = api(efs_registry_template)
    facts = ok(client.get("/api/v1/datasets/test_efs_comstock/facts"))["data"]
    table = pq.read_table(
        efs_registry_template / "data" / "test_efs_comstock" / facts["version"] / "table.parquet"
    ).to_pandas()
    assert facts["row_count"] == len(table)

    page = ok(
        client.get(
            "/api/v1/datasets/test_efs_comstock/preview?filter=geography:exact:06073&sort=-value&limit=5"
        )
    )
    mine = table[table["geography"] == "06073"].sort_values("value", ascending=False)
    assert page["total"] == len(mine)
    assert [r["value"] for r in page["data"]] == pytest.approx(list(mine["value"].head(5)))

    coverage = ok(client.get("/api/v1/datasets/test_efs_comstock/coverage?x=geography&y=subsector"))
    pairs = set(zip(table["geography"], table["subsector"], strict=True))
    assert coverage["data"]["counts"]["present"] == len(pairs)

    versions = ok(client.get("/api/v1/projects/test_efs/versions"))["data"]
    stored = _db(efs_registry_template, "SELECT version FROM versions WHERE id = 'test_efs'")
    assert [v["version"] for v in versions] == sorted(r[0] for r in stored)
    diff = ok(client.get("/api/v1/projects/test_efs/diff?from=1.0.0&to=1.2.0"))["data"]
    changed = {c["path"]: c for c in diff["changes"]}
    assert changed["config.datasets.test_efs_comstock.status"]["new"] == "Registered"
    graph = ok(client.get("/api/v1/projects/test_efs/dependencies"))["data"]
    deps = _db(
        efs_registry_template,
        "SELECT dep_kind, dep_id FROM dependencies WHERE id = 'test_efs' AND version = '1.2.0'",
    )
    targets = {e["target"] for e in graph["edges"] if e["source"] == "project:test_efs"}
    assert targets == {f"{k}:{i}" for k, i in deps}


def test_errors_are_json_envelopes_with_reasons(api, efs_registry_template):
    client = api(efs_registry_template)
    error = failed(client.get("/api/v1/dimensions/us_state"), 404)
    assert "us_states" in error["message"]  # a close match is suggested
    assert failed(client.get("/api/v1/datasets/test_efs_comstock?version=9.9.9"), 404)
    error = failed(client.get("/api/v1/dimensions?limit=100000"), 400)
    assert "limit" in error["message"]
    error = failed(client.get("/api/v1/dimensions?colour=red"), 400)
    assert "colour" in error["message"]
    error = failed(client.get("/api/v1/dimensions?next=not-a-token"), 400)
    assert "next" in error["message"]
    error = failed(client.get("/api/v1/dimensions?filter=name:near:x"), 400)
    assert "operators: exact" in error["message"].lower()
    error = failed(
        client.get("/api/v1/datasets/test_efs_comstock/preview?filter=colour:exact:1"), 400
    )
    assert "colour" in error["message"]
    assert failed(client.get("/api/v1/no/such/route"), 404)["type"] == "NotFoundError"
    assert failed(client.delete("/api/v1/summary"), 405)
    assert failed(client.post("/api/v1/queries", data="[1]", content_type="application/json"), 400)


def test_a_server_without_registry_answers_503(api, tmp_path):
    client = api(tmp_path / "nothing-here")
    assert "registry" in failed(client.get("/api/v1/summary"), 503)["message"]
    assert ok(client.get("/api/v1/health"))["data"]["registry"].endswith("nothing-here")


def test_cached_reads_follow_registry_changes(api, efs_registry, dsgrid, test_data):
    client = api(efs_registry)
    before = ok(client.get("/api/v1/summary"))["data"]["counts"]["dimension"]
    result = dsgrid(
        "registry", "datasets", "remove", "test_efs_comstock_time_in_parts", registry=efs_registry
    )
    assert result.exit_code == 0, result
    after = ok(client.get("/api/v1/summary"))["data"]
    assert after["counts"]["dataset"] == 2
    assert after["counts"]["dimension"] == before
    listed = ok(client.get("/api/v1/datasets?limit=10"))["data"]
    assert "test_efs_comstock_time_in_parts" not in {d["id"] for d in listed}
