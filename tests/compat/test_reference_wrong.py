"""The reference's bugs (compat_bugs.py), each proved: the reference's answer, the
independent pandas computation over the raw files, and ours agreeing with pandas."""

from __future__ import annotations

import json
import math

import json5
import pandas as pd
import pytest
from compat_bugs import BUGS
from compat_compare import FORMS, reference_python, run_reference
from compat_generate import layout_variants
from compat_ours import register


def test_every_bug_has_its_proof():
    assert {bug["test"] for bug in BUGS} <= set(globals())


@pytest.fixture
def undeclared_csv(tmp_path):
    """The one_table/stacked/CSV layout dataset with its column types left out."""
    if reference_python() is None:
        pytest.skip("reference venv not found (scripts/test.sh makes it)")
    out = tmp_path / "layouts"
    layout_variants(FORMS / "layouts", out)
    config = out / "datasets" / "compat_one_table_stacked_csv" / "dataset.json5"
    data = json.loads(config.read_text())
    data["data_layout"]["data_file"].pop("columns")
    config.write_text(json.dumps(data))
    return out, config


def test_reference_drops_csv_utc_offsets(undeclared_csv, tmp_path):
    out, config = undeclared_csv
    steps = [
        {"action": "project", "config": str(out / "project.json5")},
        {"action": "dataset", "config": str(config)},
        {
            "action": "submit",
            "project_id": "compat_layouts",
            "dataset_id": "compat_one_table_stacked_csv",
        },
        {"action": "stats", "dataset_id": "compat_one_table_stacked_csv"},
    ]
    # independent: pandas over the file
    frame = pd.read_csv(config.parent / "load_data.csv", dtype={"geography": str})
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    expected = set(pd.date_range("2012-01-01 00:00", "2012-01-01 23:00", freq="h", tz="UTC"))
    per_combo = frame.groupby(["geography", "subsector", "metric"])["timestamp"].apply(set)
    assert len(per_combo) == 8 and all(stamps == expected for stamps in per_combo)
    assert len(frame) == 192 and math.isclose(frame["value"].sum(), 382.08)

    # the reference: refuses, calling the instants it has missing
    ref = run_reference(
        {"mode": "register", "plans": [{"registry": str(tmp_path / "ref"), "steps": steps}]},
        tmp_path,
    )["plans"][0]["steps"]
    assert ref[0]["accepted"] and not ref[1]["accepted"]
    assert "do not match expected timestamps" in ref[1]["message"]

    # ours: registered, the stored values and instants those of the file
    ours = register(tmp_path / "ours", steps)["steps"]
    assert all(step["accepted"] for step in ours), ours
    assert ours[3]["values"] == 192 and math.isclose(ours[3]["value_sum"], 382.08)
    _assert_stored_instants(tmp_path / "ours", expected)


def _assert_stored_instants(registry_dir, expected):
    import duckdb

    from dsgrid_core.registry.registry import Registry

    with Registry(registry_dir, read_only=True) as registry:
        path = str(registry.dataset_table_path("compat_one_table_stacked_csv"))
    source = path if path.endswith(".parquet") else f"{path}/**/*.parquet"
    rel = duckdb.connect().sql(f"select * from read_parquet('{source}')")  # noqa: S608
    times = [c for c, t in zip(rel.columns, rel.types, strict=True) if "TIMESTAMP" in str(t)]
    assert len(times) == 1, rel.columns
    stored = pd.to_datetime(rel.df()[times[0]], utc=True)
    assert set(stored) == expected


@pytest.fixture
def state_dataset(tmp_path):
    """The layouts project with a supplemental 'Compat States' dimension (county -> state), and
    one dataset whose geography is that supplemental dimension, with no geography mapping:
    what autogen_reverse_supplemental_mappings is for."""
    import shutil

    from compat_generate import write_data

    if reference_python() is None:
        pytest.skip("reference venv not found (scripts/test.sh makes it)")
    out = tmp_path / "states"
    shutil.copytree(FORMS / "layouts", out)
    (out / "dimensions" / "states.csv").write_text("id,name\nCO,Colorado\nVA,Virginia\n")
    (out / "county_to_state.csv").write_text("from_id,to_id\n08031,CO\n51013,VA\n")
    project = json5.loads((out / "project.json5").read_text())
    project["dimensions"]["supplemental_dimensions"] = [
        {
            "type": "geography",
            "class": "State",
            "name": "Compat States",
            "description": "The counties' states",
            "file": "dimensions/states.csv",
            "mapping": {"file": "county_to_state.csv", "mapping_type": "many_to_one_aggregation"},
        }
    ]
    project["datasets"] = [{"dataset_id": "by_state", "dataset_type": "modeled"}]
    (out / "project.json5").write_text(json.dumps(project))
    dataset = json5.loads((out / "dataset.json5").read_text())
    dataset["dataset_id"] = "by_state"
    dataset["dimension_references"][0] = {
        "type": "geography",
        "name": "Compat States",
        "version": "1.0.0",
    }
    (out / "dataset.json5").write_text(json.dumps(dataset))
    write_data(out / "dataset.json5", out / "project.json5")
    return out


def test_reference_never_autogenerates_reverse_mappings(state_dataset, tmp_path):
    import subprocess

    from dsgrid_core.registry.registry import Registry

    out = state_dataset
    steps = [
        {"action": "project", "config": str(out / "project.json5")},
        {"action": "dataset", "config": str(out / "dataset.json5")},
        {
            "action": "submit",
            "project_id": "compat_layouts",
            "dataset_id": "by_state",
            "autogen": ["geography"],
        },
    ]
    # the reference: registers both, then refuses the submission finding nothing to map
    ref = run_reference(
        {"mode": "register", "plans": [{"registry": str(tmp_path / "ref"), "steps": steps}]},
        tmp_path,
    )["plans"][0]["steps"]
    assert ref[0]["accepted"] and ref[1]["accepted"], ref
    assert not ref[2]["accepted"]
    assert "Mappings to autgen [[]] does not match" in ref[2]["message"]
    # why: it looks for the dataset's dimension types (enum members) in a set of their string
    # values, which never holds
    probe = subprocess.run(  # noqa: S603 - the reference's own interpreter
        [
            str(reference_python()),
            "-c",
            "from dsgrid.dimension.base_models import DimensionType as T;"
            "print(T.GEOGRAPHY in {T.GEOGRAPHY.value})",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "False"

    # independent: the project's county -> state mapping reversed, each with multiplier 1
    lookup = pd.read_csv(out / "county_to_state.csv", dtype=str)
    expected = {(row.to_id, row.from_id, 1.0) for row in lookup.itertuples()}

    # ours: submitted, with exactly that mapping from the dataset's states to the counties
    with Registry.create(tmp_path / "ours") as registry:
        registry.register_project(out / "project.json5", "x")
        registry.register_dataset(out / "dataset.json5", "x")
        result = registry.submit_dataset(
            "compat_layouts", "by_state", None, "x", autogen_reverse=["geography"]
        )
        mapped = []
        for mapping_id in result["mappings"]:
            mapped += registry.store.mapping_records(mapping_id, "1.0.0")
    assert {(f, t, float(x)) for f, t, x in mapped} == expected


def _with_local_sector(template: dict, dataset_id: str, records_file: str) -> dict:
    """The template dataset with its own (trivial) sector dimension named 'Local Sectors'."""
    config = json.loads(json.dumps(template))
    config["dataset_id"] = dataset_id
    config["dimension_references"] = [
        r for r in config["dimension_references"] if r["type"] != "sector"
    ]
    config["dimensions"] = [
        {
            "type": "sector",
            "class": "Sector",
            "name": "Local Sectors",
            "description": f"the sector of {dataset_id}",
            "file": records_file,
        }
    ]
    return config


def test_reference_crashes_on_any_shared_dimension_name(tmp_path):
    """Two datasets each bring a sector dimension named 'Local Sectors' (dsgrid allows it);
    a third dataset names only project dimensions, each name unique."""
    import shutil

    from compat_generate import write_data

    if reference_python() is None:
        pytest.skip("reference venv not found (scripts/test.sh makes it)")
    out = tmp_path / "names"
    shutil.copytree(FORMS / "layouts", out)
    template = json5.loads((out / "dataset.json5").read_text())
    (out / "dataset.json5").unlink()
    (out / "local_a.csv").write_text("id,name\ncom,Commercial\n")
    (out / "local_b.csv").write_text("id,name\ncom,Commercial buildings\n")
    configs = {
        "with_sector_a": _with_local_sector(template, "with_sector_a", "../local_a.csv"),
        "with_sector_b": _with_local_sector(template, "with_sector_b", "../local_b.csv"),
        "by_names": {**template, "dataset_id": "by_names"},
    }
    project = json5.loads((out / "project.json5").read_text())
    project["datasets"] = [{"dataset_id": d, "dataset_type": "modeled"} for d in configs]
    (out / "project.json5").write_text(json.dumps(project))
    steps = [{"action": "project", "config": str(out / "project.json5"), "roots": [str(out)]}]
    for dataset_id, config in configs.items():
        path = out / dataset_id / "dataset.json5"
        path.parent.mkdir()
        path.write_text(json.dumps(config))
        write_data(path, out / "project.json5")
        steps.append({"action": "dataset", "config": str(path), "roots": [str(out)]})
    steps.append({"action": "stats", "dataset_id": "by_names"})

    # the reference: registers both 'Local Sectors', then crashes replacing the third
    # dataset's names, none of which is shared
    ref = run_reference(
        {"mode": "register", "plans": [{"registry": str(tmp_path / "ref"), "steps": steps}]},
        tmp_path,
    )["plans"][0]["steps"]
    assert [s["accepted"] for s in ref[:3]] == [True, True, True], ref
    assert not ref[3]["accepted"] and ref[3]["message"].startswith("AssertionError")
    assert "Local Sectors" in ref[3]["message"]

    # independent: pandas over the third dataset's file
    frame = pd.read_parquet(out / "by_names" / "load_data.parquet")
    # ours: all three registered (a notice for the shared name), the third stored whole
    ours = register(tmp_path / "ours", steps)["steps"]
    assert all(s["accepted"] for s in ours), ours
    assert any("'Local Sectors'" in n for n in ours[2]["notices"]), ours[2]
    assert ours[4]["values"] == len(frame)
    assert math.isclose(ours[4]["value_sum"], frame["value"].sum())
