"""Updating, history, old versions, removal and dump/re-register round trips."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq


def _counties(tmp_path, rows: list[str]):
    folder = tmp_path / "dim"
    folder.mkdir(exist_ok=True)
    (folder / "counties.csv").write_text("id,name,state,time_zone\n" + "\n".join(rows) + "\n")
    (folder / "dimension.json5").write_text(
        "{type: 'geography', name: 'My Counties', class: 'County', file: 'counties.csv',\n"
        " description: 'two counties'}\n"
    )
    return folder / "dimension.json5"


def test_update_keeps_old_versions_readable(empty_registry, tmp_path, dsgrid):
    config = _counties(tmp_path, ["01001,Autauga,AL,CentralPrevailing"])
    first = dsgrid(
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "first",
        registry=empty_registry,
        as_json=True,
    )
    assert first.exit_code == 0, first
    dim_id = first.json()["items"][0]["id"]
    _counties(
        tmp_path, ["01001,Autauga,AL,CentralPrevailing", "01003,Baldwin,AL,CentralPrevailing"]
    )
    updated = dsgrid(
        "registry",
        "dimensions",
        "update",
        dim_id,
        config,
        "--update-type",
        "minor",
        "--version",
        "1.0.0",
        "-l",
        "add Baldwin",
        registry=empty_registry,
        as_json=True,
    )
    assert updated.exit_code == 0, updated
    assert updated.json()["items"][0]["version"] == "1.1.0"
    latest = dsgrid(
        "registry", "dimensions", "show", dim_id, registry=empty_registry, as_json=True
    ).json()
    old = dsgrid(
        "registry",
        "dimensions",
        "show",
        dim_id,
        "--version",
        "1.0.0",
        registry=empty_registry,
        as_json=True,
    ).json()
    assert (latest["facts"]["record_count"], old["facts"]["record_count"]) == (2, 1)
    history = dsgrid(
        "registry", "dimensions", "history", dim_id, registry=empty_registry, as_json=True
    ).json()
    assert [(h["version"], h["log_message"]) for h in history] == [
        ("1.0.0", "first"),
        ("1.1.0", "add Baldwin"),
    ]
    major = dsgrid(
        "registry",
        "dimensions",
        "update",
        dim_id,
        config,
        "-t",
        "major",
        "--version",
        "1.1.0",
        "-l",
        "same",
        registry=empty_registry,
    )
    assert major.exit_code == 2 and "nothing changed" in major.stderr


def test_project_update_keeps_submitted_datasets(efs_registry, test_data, dsgrid):
    project = test_data / "test_efs/dsgrid_project/project.json5"
    result = dsgrid(
        "registry",
        "projects",
        "update",
        "test_efs",
        project,
        "-t",
        "patch",
        "--version",
        "1.2.0",
        "-l",
        "no-op config refresh",
        "--data-root",
        test_data,
        registry=efs_registry,
        as_json=True,
    )
    assert result.exit_code == 0, result
    shown = dsgrid(
        "registry", "projects", "show", "test_efs", registry=efs_registry, as_json=True
    ).json()
    assert shown["version"] == "1.2.1"
    assert {d["dataset_id"]: d["status"] for d in shown["config"]["datasets"]} == {
        "test_efs_comstock": "Registered",
        "test_efs_comstock_unpivoted": "Registered",
    }
    uses = dsgrid("registry", "deps", "test_efs", registry=efs_registry, as_json=True).json()
    assert ("dataset", "test_efs_comstock") in {(d["kind"], d["id"]) for d in uses["uses"]}


def test_remove_unused_dataset_deletes_its_data(efs_registry, dsgrid):
    data_dir = efs_registry / "data" / "test_efs_comstock_time_in_parts"
    assert data_dir.exists()
    result = dsgrid(
        "registry", "datasets", "remove", "test_efs_comstock_time_in_parts", registry=efs_registry
    )
    assert result.exit_code == 0, result
    assert not data_dir.exists()
    listed = dsgrid("registry", "datasets", "list", registry=efs_registry, as_json=True).json()
    assert "test_efs_comstock_time_in_parts" not in {d["id"] for d in listed}


def test_dumped_dataset_registers_again_with_same_data(efs_registry, tmp_path, dsgrid):
    out = tmp_path / "dump"
    assert (
        dsgrid(
            "registry", "datasets", "dump", "test_efs_comstock", out, registry=efs_registry
        ).exit_code
        == 0
    )
    original = pq.read_table(out / "test_efs_comstock" / "load_data.parquet").to_pandas()
    # register the dump as a new dataset id in the same registry
    config_path = out / "test_efs_comstock" / "dataset.json5"
    text = config_path.read_text().replace('"test_efs_comstock"', '"test_efs_comstock_copy"')
    config_path.write_text(text)
    result = dsgrid(
        "registry",
        "datasets",
        "register",
        config_path,
        "-l",
        "copy",
        registry=efs_registry,
        as_json=True,
    )
    assert result.exit_code == 0, result
    shown = dsgrid(
        "registry",
        "datasets",
        "show",
        "test_efs_comstock_copy",
        registry=efs_registry,
        as_json=True,
    ).json()
    copy = pq.read_table(efs_registry / "data" / shown["facts"]["data_path"]).to_pandas()
    key = ["geography", "subsector", "metric", "timestamp"]
    left = original.sort_values(key).reset_index(drop=True)
    right = copy.sort_values(key).reset_index(drop=True)
    assert left.equals(right[left.columns])


def test_dumped_project_and_dimension_reregister(efs_registry, tmp_path, dsgrid):
    out = tmp_path / "dump"
    for kind, component in (
        ("projects", "test_efs"),
        ("dimension-mappings", "us_counties_2010_comstock_only__to__us_states"),
    ):
        assert (
            dsgrid("registry", kind, "dump", component, out, registry=efs_registry).exit_code == 0
        )
    fresh = tmp_path / "fresh"
    shutil.copytree(efs_registry, fresh)
    assert dsgrid("registry", "projects", "remove", "test_efs", registry=fresh).exit_code == 0
    result = dsgrid(
        "registry",
        "projects",
        "register",
        out / "test_efs" / "project.json5",
        "-l",
        "from dump",
        registry=fresh,
        as_json=True,
    )
    assert result.exit_code == 0, result
    shown = dsgrid("registry", "projects", "show", "test_efs", registry=fresh, as_json=True).json()
    assert shown["extra"]["base_dimensions"]["geography"]["id"] == "us_counties_2010_comstock_only"
    # 5 written + 1 made of the subset group + 6 "all" dimensions: dsgrid 0.4 registers the
    # same 12 for test_efs (tests/unit/test_project_configs.py reads its names)
    assert len(shown["extra"]["supplemental_dimensions"]) == 12
    assert shown["extra"]["subset_dimensions"]["Subsectors by Sector"]["selectors"][
        "commercial_subsectors2"
    ][:2] == ["FullServiceRestaurant", "Hospital"]
