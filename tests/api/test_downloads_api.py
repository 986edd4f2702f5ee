"""Downloads of lists and records (``format=csv`` / ``format=ndjson``): every matching row over
all pages, in the sort asked, compared with the raw record file read by pandas and with the
API's own JSON pages; CSV cells safe from spreadsheet formulas; errors before any byte; the
same files through a viewer that reads another server's API."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from api_helpers import failed, ok
from live_server import serving

from dsgrid_core.registry.registry import Registry

COUNTIES = "us_counties_2010_comstock_only"
FIVE_YEAR = "model_years_2010_to_2050__to__five_year_intervals"
PROJECT = "test_efs/dsgrid_project"
RECORDS = 2_345  # more than one page of MAX_LIMIT (1000) rows
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x")', "-4.5"]


def _all_pages(client, url: str) -> list[dict]:
    items, token = [], None
    while True:
        sep = "&" if "?" in url else "?"
        body = ok(client.get(url + f"{sep}limit=1000" + (f"&next={token}" if token else "")))
        items += body["data"]
        token = body["next"]
        if token is None:
            return items


def _csv(response) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)


def _ndjson(response) -> list[dict]:
    return [json.loads(line) for line in response.data.decode().splitlines()]


@pytest.fixture(scope="module")
def big_registry(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A registry with one dimension of RECORDS records (some named like spreadsheet
    formulas) and its record file as pandas reads it."""
    root = tmp_path_factory.mktemp("big")
    registry, work = root / "registry", root / "work"
    work.mkdir()
    Registry.create(registry).close()
    rows = [
        {
            "id": f"r{i:05d}",
            "name": FORMULAS[i % len(FORMULAS)] if i % 97 == 0 else f"Record {i}",
            "state": f"g{i % 7}",
        }
        for i in range(RECORDS)
    ]
    with open(work / "records.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = {
        "type": "geography",
        "name": "big_places",
        "description": "many places",
        "class": "County",
        "file": "records.csv",
    }
    (work / "dim.json5").write_text(json.dumps(config))
    with Registry(registry) as reg:
        reg.register_dimension(work / "dim.json5", "first")
    raw = pd.read_csv(work / "records.csv", dtype=str, keep_default_na=False)
    return registry, raw


def _dimension_id(client) -> str:
    return ok(client.get("/api/v1/dimensions"))["data"][0]["id"]


def test_records_csv_is_every_filtered_row_in_the_sort_asked(api, big_registry):
    registry, raw = big_registry
    client = api(registry)
    dim = _dimension_id(client)
    url = f"/api/v1/dimensions/{dim}/records?filter=state:exact:g3&sort=-id&format=csv"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="dimension_{dim}_records_filtered.csv"'
    )
    got = _csv(response)
    want = raw[raw["state"] == "g3"].sort_values("id", ascending=False)
    assert list(got.columns) == ["id", "name", "state"]
    assert list(got["id"]) == list(want["id"])

    # the whole dimension: more rows than one page holds, in file order
    whole = _csv(client.get(f"/api/v1/dimensions/{dim}/records?format=csv"))
    assert len(whole) == RECORDS > 1000
    assert list(whole["id"]) == list(raw["id"])
    plain = whole["name"] == raw["name"]
    assert set(raw.loc[~plain, "name"]) == {
        "=1+2",
        "+SUM(A1)",
        "@cmd",
        '=HYPERLINK("http://x")',
        "-2+3",
    }


def test_csv_cells_never_start_a_formula(api, big_registry):
    registry, raw = big_registry
    client = api(registry)
    dim = _dimension_id(client)
    got = _csv(client.get(f"/api/v1/dimensions/{dim}/records?format=csv"))
    names = dict(zip(got["id"], got["name"], strict=True))
    for record_id, name in zip(raw["id"], raw["name"], strict=True):
        if name in ("-4.5",) or not name.startswith(("=", "+", "-", "@")):
            assert names[record_id] == name  # numbers and plain text as they are
        else:
            assert names[record_id] == "'" + name
    # NDJSON keeps the text exactly
    lines = _ndjson(client.get(f"/api/v1/dimensions/{dim}/records?format=ndjson"))
    assert [r["name"] for r in lines] == list(raw["name"])


def test_ndjson_is_the_json_pages_concatenated(api, big_registry):
    registry, _ = big_registry
    client = api(registry)
    dim = _dimension_id(client)
    query = "filter=name:contains:1&any=1:state:exact:g1&any=1:state:exact:g2&sort=name"
    response = client.get(f"/api/v1/dimensions/{dim}/records?{query}&format=ndjson")
    assert response.mimetype == "application/x-ndjson", response.data[:300]
    assert response.headers["Content-Disposition"].endswith('_records_filtered.ndjson"')
    pages = _all_pages(client, f"/api/v1/dimensions/{dim}/records?{query}")
    assert len(pages) > 100
    assert _ndjson(response) == pages


def test_lists_and_mapping_rows_download_over_test_efs(api, efs_registry_template, test_data):
    client = api(efs_registry_template)
    con = sqlite3.connect(f"file:{efs_registry_template / 'registry.db'}?mode=ro", uri=True)
    try:
        geography = sorted(
            r[0]
            for r in con.execute(
                "SELECT id FROM components WHERE kind = 'dimension' AND type = 'geography'"
            )
        )
    finally:
        con.close()
    response = client.get("/api/v1/dimensions?type=geography&sort=-id&format=csv")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dimensions_filtered.csv"'
    )
    got = _csv(response)
    assert list(got["id"]) == sorted(geography, reverse=True)
    assert list(got.columns)[:3] == ["kind", "id", "name"]
    every = _csv(client.get("/api/v1/dimension-mappings?format=csv"))
    assert every["id"].tolist() == [
        r["id"] for r in _all_pages(client, "/api/v1/dimension-mappings")
    ]

    mapping = pd.read_csv(
        test_data
        / PROJECT
        / "dimension_mappings/base_to_supplemental/interpolate_to_five_year_intervals.csv"
    )
    rows = _csv(
        client.get(f"/api/v1/dimension-mappings/{FIVE_YEAR}/records?format=csv&sort=-from_id")
    )
    assert list(rows.columns) == ["from_id", "to_id", "from_fraction"]
    assert len(rows) == len(mapping)
    assert sorted(rows["from_id"].astype(int), reverse=True) == rows["from_id"].astype(int).tolist()
    assert rows["from_fraction"].astype(float).sum() == pytest.approx(
        mapping["from_fraction"].sum()
    )


def test_a_bad_download_is_an_error_answer_not_a_broken_file(api, efs_registry_template):
    client = api(efs_registry_template)
    bad = client.get(f"/api/v1/dimensions/{COUNTIES}/records?filter=nope:exact:1&format=csv")
    assert failed(bad, 400)["message"].startswith("cannot filter on 'nope'")
    missing = client.get("/api/v1/dimensions/no_such_dimension/records?format=csv")
    assert failed(missing, 404)["type"] == "NotFoundError"
    unknown = client.get("/api/v1/dimensions?format=xlsx")
    assert "format" in failed(unknown, 400)["message"]


def test_a_remote_viewer_serves_the_same_files(efs_registry_template, tmp_path):
    """The page server of `dsgrid serve --api-url` answers downloads on its own /api/v1 by
    paging through the other server: the bytes are the same."""
    from app import create_app

    with serving(efs_registry_template, cache_dir=str(tmp_path / "api")) as url:
        remote = create_app(None, api_url=url, cache_dir=str(tmp_path / "web")).server
        local = create_app(str(efs_registry_template), cache_dir=str(tmp_path / "local")).server
        for path in (
            f"/api/v1/dimensions/{COUNTIES}/records?format=csv&sort=-name",
            f"/api/v1/dimensions/{COUNTIES}/records?format=csv&filter=state:exact:ZZ",
            "/api/v1/datasets?format=ndjson",
            f"/api/v1/dimension-mappings/{FIVE_YEAR}/records?format=csv",
            "/api/v1/datasets/test_efs_comstock/preview?format=csv"
            "&filter=geography:exact:06073&sort=-value",
        ):
            there = remote.test_client().get(path)
            here = local.test_client().get(path)
            assert there.status_code == here.status_code == 200, path
            assert there.data == here.data, path
            assert there.headers["Content-Disposition"] == here.headers["Content-Disposition"]
        empty = _csv(
            remote.test_client().get(
                f"/api/v1/dimensions/{COUNTIES}/records?format=csv&filter=state:exact:ZZ"
            )
        )
        assert list(empty.columns) == ["id", "name", "state", "time_zone"] and empty.empty


def test_dataset_rows_download_every_filtered_row_in_the_sort_asked(
    api, efs_registry_template, monkeypatch
):
    """The stored rows of a dataset, read by pandas from the registry's own Parquet files,
    against the CSV and NDJSON downloads of the preview grid's filters and sort; above the
    download cap a 413 that says what to do."""
    client = api(efs_registry_template)
    dataset = "test_efs_comstock"
    rows = _all_pages(client, f"/api/v1/datasets/{dataset}/preview?filter=geography:exact:06073")
    total = ok(client.get(f"/api/v1/datasets/{dataset}/preview?limit=1"))["total"]
    assert 1000 < len(rows) < total
    query = "filter=geography:exact:06073&sort=-value"
    csv_response = client.get(f"/api/v1/datasets/{dataset}/preview?{query}&format=csv")
    assert csv_response.status_code == 200, csv_response.data[:300]
    assert csv_response.headers["Content-Disposition"] == (
        f'attachment; filename="dataset_{dataset}_rows_filtered.csv"'
    )
    got = pd.read_csv(io.BytesIO(csv_response.data), dtype={"geography": str})
    want = pd.DataFrame(rows)
    assert len(got) == len(want)
    assert list(got["value"]) == sorted(want["value"], reverse=True)
    assert got["value"].sum() == pytest.approx(want["value"].sum())
    lines = _ndjson(client.get(f"/api/v1/datasets/{dataset}/preview?{query}&format=ndjson"))
    assert lines == _all_pages(client, f"/api/v1/datasets/{dataset}/preview?{query}")

    monkeypatch.setenv("DSGRID_CSV_ROW_CAP", "1000")
    big = client.get(f"/api/v1/datasets/{dataset}/preview?format=csv")
    assert "DSGRID_CSV_ROW_CAP" in failed(big, 413)["message"]
