"""Facets of the component lists (type, class, status, project): each list item's class and
status, and the facet counts, compared with counts made over the registry database with SQL
(the configs as stored, latest versions) and over the bulk registration file; a facet value
filters the list, its downloads and the other facets' counts; unknown values are refused with
the parameter and the values it takes; RemoteViewer asks the same. The search answers as CSV
and NDJSON files holding the hits it shows, with why each matched."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import json5
import pytest
from api_helpers import failed, ok
from live_server import serving

from dsgrid_core.errors import InputError
from dsgrid_core.service import open_registry
from dsgrid_core.service.local_viewer import LocalViewer
from dsgrid_core.service.remote_viewer import RemoteViewer

LATEST = (
    "SELECT c.id, c.type, v.config, v.extra FROM components c JOIN versions v "
    "ON v.kind = c.kind AND v.id = c.id AND v.version = c.latest_version WHERE c.kind = ?"
)


def _latest(registry: Path, kind: str) -> list[tuple[str, str | None, dict, dict]]:
    """(id, type, config, extra) of every component of ``kind``, read with SQL."""
    con = sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(LATEST, (kind,)).fetchall()
    finally:
        con.close()
    return [(i, t, json.loads(c), json.loads(e or "{}")) for i, t, c, e in rows]


def _expected(registry: Path, test_data: Path) -> dict[str, dict[str, dict[str, str | None]]]:
    """kind -> id -> {type, class, status}, from the stored configs and the bulk file."""
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    submitted = {s["dataset_id"] for s in bulk["dataset_submissions"]}
    listed = {
        d["dataset_id"]
        for _, _, config, _ in _latest(registry, "project")
        for d in config["datasets"]
    }
    out: dict[str, dict[str, dict[str, str | None]]] = {}
    out["project"] = {
        i: {"type": None, "class": None, "status": c.get("status", "Initial Registration")}
        for i, _, c, _ in _latest(registry, "project")
    }
    out["dataset"] = {
        i: {
            "type": c["dataset_type"],
            "class": None,
            "status": "Registered"
            if i in submitted
            else "Unregistered"
            if i in listed
            else "Not in a project",
        }
        for i, _, c, _ in _latest(registry, "dataset")
    }
    out["dimension"] = {
        i: {"type": t, "class": c["class"], "status": None}
        for i, t, c, _ in _latest(registry, "dimension")
    }
    out["dimension_mapping"] = {
        i: {"type": t, "class": c["mapping_type"], "status": None}
        for i, t, c, _ in _latest(registry, "dimension_mapping")
    }
    return out


PATHS = {
    "project": "projects",
    "dataset": "datasets",
    "dimension": "dimensions",
    "dimension_mapping": "dimension-mappings",
}


def _every(client, url: str) -> list[dict]:
    items, token = [], None
    while True:
        sep = "&" if "?" in url else "?"
        body = ok(client.get(url + f"{sep}limit=7" + (f"&next={token}" if token else "")))
        items += body["data"]
        token = body["next"]
        if token is None:
            return items


def test_items_and_facet_counts_say_what_the_stored_configs_say(
    api, efs_registry_template, test_data
):
    expected = _expected(efs_registry_template, test_data)
    # the fixture has something to count: several classes, a status other than Registered
    assert len({v["class"] for v in expected["dimension"].values()}) > 5
    assert len({v["class"] for v in expected["dimension_mapping"].values()}) > 2
    assert Counter(v["status"] for v in expected["dataset"].values()) == {
        "Registered": 2,
        "Not in a project": 1,
    }
    client = api(efs_registry_template)
    facets_of = {
        "project": ("status",),
        "dataset": ("type", "status"),
        "dimension": ("type", "class"),
        "dimension_mapping": ("type", "class"),
    }
    for kind, path in PATHS.items():
        items = _every(client, f"/api/v1/{path}")
        assert {
            r["id"]: {"type": r["type"], "class": r["class"], "status": r["status"]} for r in items
        } == expected[kind]
        counts = ok(client.get(f"/api/v1/facets/{path}"))["data"]
        for facet in facets_of[kind]:
            assert counts[facet] == dict(Counter(v[facet] for v in expected[kind].values()))
        assert set(counts) == set(facets_of[kind]) | ({"project"} if kind != "project" else set())


def test_a_facet_value_filters_the_list_and_the_other_facets_count_under_it(
    api, efs_registry_template, test_data
):
    expected = _expected(efs_registry_template, test_data)
    client = api(efs_registry_template)
    mappings = expected["dimension_mapping"]
    aggregation = sorted(i for i, v in mappings.items() if v["class"] == "many_to_one_aggregation")
    assert 1 < len(aggregation) < len(mappings)
    url = "/api/v1/dimension-mappings?class=many_to_one_aggregation"
    assert sorted(r["id"] for r in _every(client, url)) == aggregation

    # the type facet counts under the chosen class; the class facet under the chosen type
    counts = ok(client.get("/api/v1/facets/dimension-mappings?class=many_to_one_aggregation"))
    assert counts["data"]["type"] == dict(Counter(mappings[i]["type"] for i in aggregation))
    counts = ok(client.get("/api/v1/facets/dimension-mappings?type=geography"))["data"]
    geography = [v for v in mappings.values() if v["type"] == "geography"]
    assert counts["class"] == dict(Counter(v["class"] for v in geography))
    assert counts["project"] == {"test_efs": len(geography)}  # all of them used by test_efs

    # a grid filter narrows the counts too
    counts = ok(client.get("/api/v1/facets/dimensions?filter=id:startswith:us_"))["data"]
    dims = expected["dimension"]
    us = [v for i, v in dims.items() if i.startswith("us_")]
    assert counts["class"] == dict(Counter(v["class"] for v in us))

    # datasets by status; projects by status
    registered = ok(client.get("/api/v1/datasets?status=Registered"))
    assert sorted(r["id"] for r in registered["data"]) == sorted(
        i for i, v in expected["dataset"].items() if v["status"] == "Registered"
    )
    none = ok(client.get("/api/v1/datasets?status=Unregistered"))
    assert none["total"] == 0 and none["data"] == []
    projects = ok(client.get("/api/v1/projects?status=Initial%20Registration"))
    assert [r["id"] for r in projects["data"]] == list(expected["project"])


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/v1/dimensions?class=Bogus", ["'class'", "County", "one_to_one"]),
        ("/api/v1/dimensions?class=one_to_one", ["class 'one_to_one'", "County"]),
        ("/api/v1/dimension-mappings?class=County", ["class 'County'", "one_to_one"]),
        ("/api/v1/projects?type=geography", ["type", "projects have no type", "status"]),
        ("/api/v1/datasets?class=County", ["class", "datasets have no class"]),
        ("/api/v1/datasets?status=registered", ["'status'", "Registered", "Not in a project"]),
        ("/api/v1/dimensions?status=Registered", ["dimensions have no status"]),
        ("/api/v1/datasets?type=geography", ["type 'geography'", "modeled", "historical"]),
        ("/api/v1/facets/datasets?type=geography", ["type 'geography'", "modeled"]),
        ("/api/v1/facets/projects?class=County", ["projects have no class"]),
        ("/api/v1/dimensions?class=Bogus&format=csv", ["'class'", "County"]),
    ],
)
def test_unknown_facet_values_are_refused_naming_the_parameter_and_its_values(
    api, efs_registry_template, url, words
):
    error = failed(api(efs_registry_template).get(url), 400)
    assert error["type"] == "InputError"
    for word in words:
        assert word in error["message"], (word, error["message"])


def test_downloads_hold_the_faceted_list_as_its_json_pages(api, efs_registry_template):
    client = api(efs_registry_template)
    query = "class=many_to_one_aggregation&type=geography&sort=-id"
    pages = _every(client, f"/api/v1/dimension-mappings?{query}")
    assert len(pages) > 1
    response = client.get(f"/api/v1/dimension-mappings?{query}&format=csv")
    assert response.status_code == 200
    assert "dimension_mappings_filtered.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [r["id"] for r in rows] == [p["id"] for p in pages]
    assert {r["class"] for r in rows} == {"many_to_one_aggregation"}
    assert rows == [{k: "" if v is None else v for k, v in p.items()} for p in pages]
    lines = client.get(f"/api/v1/dimension-mappings?{query}&format=ndjson").data.decode()
    assert [json.loads(line) for line in lines.splitlines()] == pages


def test_search_downloads_hold_every_hit_shown_with_why(api, efs_registry_template):
    client = api(efs_registry_template)
    found = ok(client.get("/api/v1/search?q=county&limit=20"))["data"]
    hits = [("component", h) for h in found["components"]] + [
        ("record", h) for h in found["records"]
    ]
    assert found["components"] and found["records"]
    response = client.get("/api/v1/search?q=county&limit=20&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="search_county.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert len(rows) == len(hits)
    for row, (group, hit) in zip(rows, hits, strict=True):
        assert row["hit"] == group
        key = "id" if group == "component" else "record_id"
        assert row[key] == hit[key]
        # why: each field that matched, with the words and how, as the search page says it
        for m in hit["matched"]:
            assert f"{', '.join(m['words'])} ({m['how']})" in row["why"]
    lines = client.get("/api/v1/search?q=county&limit=20&format=ndjson").data.decode()
    objects = [json.loads(line) for line in lines.splitlines()]
    assert [{k: v for k, v in o.items() if k not in ("hit", "why")} for o in objects] == [
        h for _, h in hits
    ]
    assert [o["why"] for o in objects] == [r["why"] for r in rows]
    error = failed(client.get("/api/v1/search?q=county&format=xml"), 400)
    assert "'format'" in error["message"]


def test_remote_viewer_asks_the_same_facets_and_gets_the_same_refusals(efs_registry_template):
    with serving(efs_registry_template) as url:
        reg = open_registry(efs_registry_template, read_only=True)
        try:
            local, remote = LocalViewer(reg), RemoteViewer(url)
            for kind, options in [
                ("dimension", {"class_": "County"}),
                ("dimension_mapping", {"type": "geography", "class_": "many_to_one_aggregation"}),
                ("dataset", {"status": "Registered", "project": "test_efs"}),
                ("project", {"status": "Initial Registration"}),
            ]:
                mine, theirs = local.facets(kind, **options), remote.facets(kind, **options)
                assert mine == theirs and mine
                page = remote.components(kind, **options, limit=100)
                assert page.items == local.components(kind, **options, limit=100).items
                assert page.total >= 1
            with pytest.raises(InputError, match="datasets have no class"):
                remote.components("dataset", class_="County")
            with pytest.raises(InputError, match="datasets have no class"):
                local.components("dataset", class_="County")
        finally:
            reg.close()
