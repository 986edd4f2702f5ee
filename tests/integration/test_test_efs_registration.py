"""Bulk registration of dsgrid's own test project, checked against the raw input files."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

DATASETS = ("test_efs_comstock", "test_efs_comstock_unpivoted", "test_efs_comstock_time_in_parts")


def _raw_county_totals(test_data) -> dict[str, pd.Series]:
    """Per-county totals computed straight from the input files with pandas."""
    base = test_data / "datasets"
    lookup = pd.read_json(
        base / "test_efs_comstock" / "load_data_lookup.json", lines=True, dtype={"geography": str}
    )
    out = {}
    for name, file in (
        ("test_efs_comstock", "test_efs_comstock/load_data.csv"),
        ("test_efs_comstock_time_in_parts", "test_efs_comstock_time_in_parts/load_data.csv"),
    ):
        data = pd.read_csv(base / file)
        data["total"] = data["com_cooling"] + data["com_fans"]
        merged = data.merge(lookup, on="id")
        out[name] = merged.groupby("geography")["total"].sum()
    unpivoted = pd.read_parquet(base / "test_efs_comstock_unpivoted" / "load_data.parquet")
    out["test_efs_comstock_unpivoted"] = unpivoted.groupby("geography")["value"].sum()
    rows = {
        "test_efs_comstock": len(pd.read_csv(base / "test_efs_comstock/load_data.csv")) * 2,
        "test_efs_comstock_time_in_parts": len(
            pd.read_csv(base / "test_efs_comstock_time_in_parts/load_data.csv")
        )
        * 2,
        "test_efs_comstock_unpivoted": len(unpivoted),
    }
    return out, rows


def test_bulk_register_stores_every_dataset_with_raw_totals(
    efs_registry_template, test_data, dsgrid
):
    totals, rows = _raw_county_totals(test_data)
    listed = dsgrid("registry", "datasets", "list", registry=efs_registry_template, as_json=True)
    assert listed.exit_code == 0
    assert sorted(item["id"] for item in listed.json()) == sorted(DATASETS)
    assert all({"id", "version", "name"} <= set(item) for item in listed.json())
    for dataset_id in DATASETS:
        shown = dsgrid(
            "registry", "datasets", "show", dataset_id, registry=efs_registry_template, as_json=True
        ).json()
        assert shown["facts"]["row_count"] == rows[dataset_id]
        table = pq.read_table(
            efs_registry_template / "data" / shown["facts"]["data_path"]
        ).to_pandas()
        assert len(table) == rows[dataset_id]
        stored = table.groupby("geography")["value"].sum().sort_index()
        expected = totals[dataset_id].sort_index()
        assert list(stored.index) == list(expected.index)
        assert stored.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9)


def test_time_is_stored_as_utc_instants_of_the_period(efs_registry_template, dsgrid):
    """EST period-ending 01:00 is 06:00 UTC; all three layouts agree on every timestamp."""
    firsts = set()
    for dataset_id in DATASETS:
        shown = dsgrid(
            "registry", "datasets", "show", dataset_id, registry=efs_registry_template, as_json=True
        ).json()
        path = efs_registry_template / "data" / shown["facts"]["data_path"]
        first, last, n = duckdb.sql(
            f"SELECT min(timestamp)::VARCHAR, max(timestamp)::VARCHAR, count(DISTINCT timestamp) "
            f"FROM read_parquet('{path}')"
        ).fetchall()[0]
        firsts.add((first, last, n))
    assert firsts == {("2012-01-01 06:00:00+00", "2012-01-08 05:00:00+00", 168)}


def test_submissions_mark_datasets_registered_and_bump_project(efs_registry_template, dsgrid):
    project = dsgrid(
        "registry", "projects", "show", "test_efs", registry=efs_registry_template, as_json=True
    ).json()
    assert project["version"] == "1.2.0"
    statuses = {d["dataset_id"]: d["status"] for d in project["config"]["datasets"]}
    assert statuses == {
        "test_efs_comstock": "Registered",
        "test_efs_comstock_unpivoted": "Registered",
    }
    history = dsgrid(
        "registry", "projects", "history", "test_efs", registry=efs_registry_template, as_json=True
    ).json()
    assert [h["version"] for h in history] == ["1.0.0", "1.1.0", "1.2.0"]
    first = dsgrid(
        "registry",
        "projects",
        "show",
        "test_efs",
        "--version",
        "1.0.0",
        registry=efs_registry_template,
        as_json=True,
    ).json()
    assert {d["status"] for d in first["config"]["datasets"]} == {"Unregistered"}


def test_dependencies_in_both_directions(efs_registry_template, dsgrid):
    deps = dsgrid(
        "registry", "deps", "test_efs", registry=efs_registry_template, as_json=True
    ).json()
    uses = {(d["kind"], d["id"]) for d in deps["uses"]}
    assert ("dataset", "test_efs_comstock") in uses
    assert ("dimension", "us_counties_2010_comstock_only") in uses
    assert ("dimension_mapping", "us_counties_2010_comstock_only__to__us_states") in uses
    assert deps["used_by"] == []
    county = dsgrid(
        "registry",
        "deps",
        "us_counties_2010_comstock_only",
        registry=efs_registry_template,
        as_json=True,
    ).json()
    users = {(d["kind"], d["id"]) for d in county["used_by"]}
    assert {
        ("project", "test_efs"),
        ("dataset", "test_efs_comstock"),
        ("dimension_mapping", "us_counties_2010_comstock_only__to__us_states"),
    } <= users


def test_dataset_dimensions_are_resolved_to_registered_ones(efs_registry_template, dsgrid):
    shown = dsgrid(
        "registry",
        "datasets",
        "show",
        "test_efs_comstock",
        registry=efs_registry_template,
        as_json=True,
    ).json()
    dims = shown["extra"]["dimensions"]
    assert dims["geography"]["id"] == "us_counties_2010_comstock_only"
    assert dims["subsector"]["name"] == "ComStock Subsectors EFS with formatted prefix"
    # the three datasets declare the same end-use dimension inline: registered once, reused
    ids = {
        dsgrid(
            "registry", "datasets", "show", d, registry=efs_registry_template, as_json=True
        ).json()["extra"]["dimensions"]["metric"]["id"]
        for d in DATASETS
    }
    assert ids == {"comstock_end_uses"}


def test_records_keep_leading_zeros_and_class_columns(efs_registry_template, dsgrid, tmp_path):
    out = dsgrid(
        "registry",
        "dimensions",
        "dump",
        "us_counties_2010_comstock_only",
        tmp_path,
        registry=efs_registry_template,
    )
    assert out.exit_code == 0, out
    records = pd.read_csv(tmp_path / "us_counties_2010_comstock_only" / "records.csv", dtype=str)
    assert list(records.columns) == ["id", "name", "state", "time_zone"]
    assert "06073" in set(records["id"])
    config = json.loads(
        (tmp_path / "us_counties_2010_comstock_only" / "dimension.json5").read_text()
    )
    assert config["class"] == "County" and config["file"] == "records.csv"
