"""Registry writes under concurrency, partial input and crashes (issue 13): concurrent dataset
registrations bringing the same new dimension share it; a bulk file is checked whole before
anything is written, an id mismatch is refused, a later failure says exactly what landed; a
description-only update makes a new version; `registry check` right after a killed bulk
registration passes, because opening recovers the leftovers first.

Processes are real where the defect is about processes. They run `python -m
dsgrid_core.cli.main` from this checkout (the inherited PYTHONPATH, if any, comes first)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsgrid_core.registry.registry import Registry

REPO = Path(__file__).resolve().parents[2]
WRITERS = 8
DATASETS = "test_efs/dsgrid_project/datasets/modeled"


def _command(*args, registry: Path | None = None) -> list[str]:
    head = [sys.executable, "-m", "dsgrid_core.cli.main"]
    if registry is not None:
        head += ["--registry", str(registry)]
    return head + [str(a) for a in args]


def _env() -> dict[str, str]:
    """This checkout's code first, whichever checkout the tests run from."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def _run(*args, registry: Path | None = None, timeout: float = 300):
    return subprocess.run(  # noqa: S603 - our own CLI
        _command(*args, registry=registry),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=_env(),
    )


# --- defect 5: concurrent registrations bringing the same new dimension ------------------------

TRIVIAL = [
    ("sector", "Sector"),
    ("subsector", "Subsector"),
    ("weather_year", "WeatherYear"),
    ("model_year", "ModelYear"),
    ("scenario", "Scenario"),
]


def _small_dataset(folder: Path, dataset_id: str, geography_ids=("g1", "g2")) -> Path:
    """A tiny dataset whose every dimension is declared inline: each copy brings the same new
    dimensions (identical content unless ``geography_ids`` differ)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"2012-01-01 0{h}:00:00,{g},heating,{1.5 + h}" for g in geography_ids for h in range(3)]
    (folder / "data.csv").write_text("timestamp,geography,metric,value\n" + "\n".join(rows) + "\n")
    config = {
        "dataset_id": dataset_id,
        "dataset_type": "modeled",
        "description": f"dataset {dataset_id}",
        "trivial_dimensions": [t for t, _ in TRIVIAL],
        "dimensions": [
            {"type": "time", "time_type": "datetime", "name": "Shared hours",
             "description": "t", "time_interval_type": "period_beginning",
             "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-01-01 02:00:00",
                         "str_format": "%Y-%m-%d %H:%M:%S", "frequency": "01:00:00"}],
             "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": "UTC"}},
            {"type": "metric", "class": "MetricDimensionBaseModel", "name": "Shared end uses",
             "description": "m", "records": [{"id": "heating", "name": "heating"}]},
            {"type": "geography", "class": "Geography", "name": "Shared counties",
             "description": "g", "records": [{"id": g, "name": g} for g in geography_ids]},
            *[{"type": t, "class": c, "name": f"Shared {t}", "description": t,
               "records": [{"id": f"{t}_1", "name": f"{t}_1"}]} for t, c in TRIVIAL],
        ],
        "data_layout": {"table_format": "one_table", "value_format": "stacked",
                        "data_file": {"path": "data.csv"}},
    }  # fmt: skip
    path = folder / "dataset.json5"
    path.write_text(json.dumps(config))
    return path


def _register_all_at_once(registry: Path, configs: list[Path]) -> list[tuple[int, str]]:
    processes = [
        subprocess.Popen(  # noqa: S603 - our own CLI
            _command("registry", "datasets", "register", c, "-l", "race", registry=registry),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=_env(),
        )
        for c in configs
    ]
    return [(p.wait(timeout=600), p.communicate()[1]) for p in processes]


def test_concurrent_registrations_bringing_the_same_new_dimension_share_it(
    empty_registry, tmp_path
):
    configs = [_small_dataset(tmp_path / f"ds{i}", f"race_{i}") for i in range(WRITERS)]
    results = _register_all_at_once(empty_registry, configs)
    for code, stderr in results:
        assert "Traceback" not in stderr and "IntegrityError" not in stderr, stderr
        assert code == 0, stderr  # identical content: reused, as a sequential run would
    with Registry(empty_registry, read_only=True) as reg:
        dimensions = reg.list("dimension")
        assert len(dimensions) == 8  # one of each, never two
        assert len({(d.type, d.name) for d in dimensions}) == 8
        assert len(reg.list("dataset")) == WRITERS
        geography = next(d.id for d in dimensions if d.type == "geography")
        users = {d.id for d, _ in reg.dependents("dimension", geography)}
        assert users == {f"race_{i}" for i in range(WRITERS)}
        assert reg.check().ok


def test_concurrent_registrations_with_same_named_dimensions_stay_consistent(
    empty_registry, tmp_path
):
    """Four writers at once, two geography contents under one name: as in dsgrid, each content
    is a dimension of its own (the second gets its own id); a writer whose planned id another
    took meanwhile is told to run again; every registered dataset uses the geography with its
    own records, and the registry checks clean. No traceback, no database error."""
    configs = [
        _small_dataset(
            tmp_path / f"ds{i}", f"clash_{i}", ("g1", "g2") if i % 2 else ("g1", "g2", "g3")
        )
        for i in range(4)
    ]
    results = _register_all_at_once(empty_registry, configs)
    for code, stderr in results:
        assert "Traceback" not in stderr and "IntegrityError" not in stderr, stderr
        assert code in (0, 2), stderr
        if code == 2:
            assert "Shared counties" in stderr and "run the command again" in stderr, stderr
    winners = [i for i, (code, _) in enumerate(results) if code == 0]
    assert winners
    with Registry(empty_registry, read_only=True) as reg:
        geographies = [d for d in reg.list("dimension") if d.type == "geography"]
        assert len(geographies) <= 2 and {d.name for d in geographies} == {"Shared counties"}
        contents = {d.id: len(reg.records(d.id)) for d in geographies}
        assert len(set(contents.values())) == len(contents)  # one dimension per content
        assert sorted(d.id for d in reg.list("dataset")) == [f"clash_{i}" for i in winners]
        for i in winners:
            used = reg.show("dataset", f"clash_{i}").extra["dimensions"]["geography"]["id"]
            assert contents[used] == (3 if i % 2 == 0 else 2)
        assert reg.check().ok


# --- defect 6: bulk-register checks the whole file first, reports precisely ------------------


def _bulk(tmp_path: Path, test_data: Path, datasets: list[dict], submissions=()) -> Path:
    """A bulk file in its own folder naming test_efs configs by absolute path (allowed with
    --data-root)."""
    entries = {
        "projects": [
            {
                "project_id": "test_efs",
                "config_file": str(test_data / "test_efs/dsgrid_project/project.json5"),
            }
        ],
        "datasets": datasets,
        "dataset_submissions": list(submissions),
    }
    path = tmp_path / "bulk" / "registration.json5"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries))
    return path


def _efs_dataset(test_data: Path, name: str, dataset_id: str | None = None) -> dict:
    return {
        "dataset_id": dataset_id or f"test_efs_{name}",
        "config_file": str(test_data / DATASETS / name / "dataset.json5"),
    }


def test_a_bulk_file_naming_a_missing_config_changes_nothing(
    empty_registry, tmp_path, test_data, dsgrid, snapshot
):
    missing = str(test_data / DATASETS / "comstock" / "no_such_dataset.json5")
    bulk = _bulk(
        tmp_path,
        test_data,
        [_efs_dataset(test_data, "comstock_unpivoted"),
         {"dataset_id": "test_efs_comstock", "config_file": missing}],
    )  # fmt: skip
    before = snapshot(empty_registry)
    result = dsgrid(
        "registry", "bulk-register", bulk, "--data-root", test_data, registry=empty_registry
    )
    assert result.exit_code == 2, result
    assert snapshot(empty_registry) == before, "exit 2, but the first entries were registered"
    assert "datasets[1]" in result.stderr and "no_such_dataset.json5" in result.stderr, result


def test_a_bulk_entry_whose_id_differs_from_its_config_is_refused(
    empty_registry, tmp_path, test_data, dsgrid, snapshot
):
    bulk = _bulk(
        tmp_path, test_data, [_efs_dataset(test_data, "comstock", "test_efs_comstock_typo")]
    )
    before = snapshot(empty_registry)
    result = dsgrid(
        "registry", "bulk-register", bulk, "--data-root", test_data, registry=empty_registry
    )
    assert result.exit_code == 2, result
    assert "'test_efs_comstock_typo'" in result.stderr, result
    assert "'test_efs_comstock'" in result.stderr, result
    assert "Registered" not in result.stdout
    assert snapshot(empty_registry) == before


def test_a_bulk_registration_failing_later_lists_what_landed_and_what_did_not(
    empty_registry, tmp_path, test_data, dsgrid
):
    """The third entry passes the up-front check but its data cannot be read: the first two
    stay registered, and the message says so (exit 1), naming what was not registered."""
    from dsgrid_core.config.files import load_json5

    source = test_data / DATASETS / "comstock"
    broken = tmp_path / "broken"
    shutil.copytree(source / "dimensions", broken / "dimensions")
    config = load_json5(source / "dataset.json5")
    layout = config["data_layout"]
    for key in ("data_file", "lookup_data_file"):
        layout[key]["path"] = str((source / layout[key]["path"]).resolve())
    for key in ("expected_associations", "missing_associations"):
        layout[key] = [str((source / p).resolve()) for p in layout[key]]
    (broken / "load_data.csv").write_text("id,timestamp,com_cooling,com_fans\n1,soon,hot,on\n")
    layout["data_file"]["path"] = "load_data.csv"
    (broken / "dataset.json5").write_text(json.dumps(config))
    bulk = _bulk(
        tmp_path,
        test_data,
        [_efs_dataset(test_data, "comstock_unpivoted"),
         {"dataset_id": "test_efs_comstock", "config_file": str(broken / "dataset.json5")}],
        [{"dataset_id": "test_efs_comstock_unpivoted", "project_id": "test_efs",
          "dimension_mapping_file": str(test_data / DATASETS / "comstock_unpivoted" /
                                        "dimension_mappings.json5")}],
    )  # fmt: skip
    result = dsgrid(
        "registry",
        "bulk-register",
        bulk,
        "--data-root",
        test_data,
        "--data-root",
        broken,
        registry=empty_registry,
        as_json=True,
    )
    assert result.exit_code == 1, result
    err = result.stderr
    assert "stopped at dataset test_efs_comstock (datasets[1])" in err, err
    assert "project test_efs (version 1.0.0)" in err, err
    assert "dataset test_efs_comstock_unpivoted (version 1.0.0)" in err, err
    assert "Not registered: dataset test_efs_comstock (datasets[1]); submission" in err, err
    answer = result.json()
    assert [d["id"] for d in answer["registered"]] == ["test_efs", "test_efs_comstock_unpivoted"]
    assert [d["entry"] for d in answer["not_registered"]] == [
        "datasets[1]",
        "dataset_submissions[0]",
    ]
    with Registry(empty_registry, read_only=True) as reg:
        assert [d.id for d in reg.list("dataset")] == ["test_efs_comstock_unpivoted"]
        assert [p.id for p in reg.list("project")] == ["test_efs"]
        assert reg.check().ok


# --- defect 9a: a description-only update makes a new version -------------------------------


def _write(path: Path, config: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config))
    return path


def test_a_description_only_update_makes_a_new_version(empty_registry, tmp_path, dsgrid):
    def dimension(name, ids, description):
        records = [{"id": i, "name": i} for i in ids]
        return {"type": "scenario", "class": "Scenario", "name": name,
                "description": description, "records": records}  # fmt: skip

    source = _write(tmp_path / "a.json5", dimension("Scenarios A", ["a", "b"], "typo'd"))
    target = _write(tmp_path / "b.json5", dimension("Scenarios B", ["x"], "all"))
    for config in (source, target):
        assert dsgrid("registry", "dimensions", "register", config, "-l", "new",
                      registry=empty_registry).exit_code == 0  # fmt: skip
    with Registry(empty_registry, read_only=True) as reg:
        ids = {d.name: d.id for d in reg.list("dimension")}

    def mapping(description):
        return {"mapping_type": "many_to_one_aggregation", "description": description,
                "from_dimension": {"type": "scenario", "name": "Scenarios A"},
                "to_dimension": {"type": "scenario", "name": "Scenarios B"},
                "records": [{"from_id": i, "to_id": "x"} for i in "ab"]}  # fmt: skip

    mapping_file = _write(tmp_path / "m.json5", mapping("first words"))
    result = dsgrid("registry", "dimension-mappings", "register", mapping_file, "-l", "new",
                    registry=empty_registry)  # fmt: skip
    assert result.exit_code == 0, result
    with Registry(empty_registry, read_only=True) as reg:
        mapping_id = reg.list("dimension_mapping")[0].id

    updates = [
        ("dimensions", ids["Scenarios A"],
         _write(tmp_path / "a2.json5", dimension("Scenarios A", ["a", "b"], "Fixed text"))),
        ("dimension-mappings", mapping_id,
         _write(tmp_path / "m2.json5", mapping("Fixed text"))),
    ]  # fmt: skip
    for group, component_id, config in updates:
        result = dsgrid(
            "registry", group, "update", component_id, config, "--update-type", "patch",
            "--version", "1.0.0", "--log-message", "fix the description",
            registry=empty_registry,
        )  # fmt: skip
        assert result.exit_code == 0, result
        shown = dsgrid("registry", group, "show", component_id, registry=empty_registry,
                       as_json=True).json()  # fmt: skip
        assert shown["version"] == "1.0.1" and shown["description"] == "Fixed text", shown
        again = dsgrid(
            "registry", group, "update", component_id, config, "--update-type", "patch",
            "--version", "1.0.1", "--log-message", "same again", registry=empty_registry,
        )  # fmt: skip
        assert again.exit_code == 2 and "nothing changed" in again.stderr, again
    with Registry(empty_registry, read_only=True) as reg:
        assert reg.check().ok


# --- defect 9b: `registry check` right after a crash passes -----------------------------------


def test_check_right_after_a_killed_bulk_registration_passes(empty_registry, test_data):
    """Killed while a dataset is being staged (the staging folder is there), the registry
    holds leftovers; `registry check` recovers them on opening, then finds the registry
    whole (exit 0)."""
    staging = empty_registry / "data" / ".staging"
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        _command("registry", "bulk-register", test_data / "test_efs_registration.json5",
                 registry=empty_registry),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=_env(),
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while not any(staging.glob("*")) and process.poll() is None:
            assert time.monotonic() < deadline, "no dataset was ever staged"
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the registration finished before the kill"
    assert any(staging.glob("*")), "the kill left nothing to recover"

    checked = _run("registry", "check", registry=empty_registry)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
    assert not any(staging.glob("*"))  # recovered, not just tolerated
    with Registry(empty_registry, read_only=True) as reg:
        assert reg.check().ok


def test_check_without_write_access_reports_leftovers_as_recoverable(
    empty_registry, dsgrid, monkeypatch
):
    """Who cannot write cannot recover: the leftovers are named as recoverable (the next
    write removes them), not as damage, and the check passes."""
    from dsgrid_core.registry import recovery

    leftover = empty_registry / "data" / ".staging" / "0123abcd"
    leftover.mkdir(parents=True)
    (leftover / "table.parquet").write_bytes(b"half")
    monkeypatch.setattr(recovery, "can_write", lambda registry: False)
    result = dsgrid("registry", "check", registry=empty_registry)
    assert result.exit_code == 0, result
    assert "recoverable" in result.stdout and "dsgrid registry recover" in result.stdout, result
    assert leftover.is_dir()
    result = dsgrid("registry", "recover", registry=empty_registry)
    assert result.exit_code == 2 and "write" in result.stderr, result
    monkeypatch.setattr(recovery, "can_write", lambda registry: True)
    result = dsgrid("registry", "recover", registry=empty_registry)
    assert result.exit_code == 0 and "1 staging" in result.stdout, result
    assert not leftover.exists()


def test_a_unique_key_collision_is_a_message_not_a_traceback(empty_registry):
    """Whatever slips past the re-checks inside the write transaction: the database's unique
    error becomes a user error (exit code 2), and the transaction leaves nothing behind."""
    from dsgrid_core.errors import StaleVersionError
    from dsgrid_core.registry.store import ComponentSummary

    row = ComponentSummary("dimension", "twice", "Twice", "scenario", "1.0.0", "", "t", "t")
    with Registry(empty_registry) as reg:
        with pytest.raises(StaleVersionError) as refused:
            with reg._transaction():
                reg.store.add_component(row)
                reg.store.add_component(row)
        assert refused.value.exit_code == 2 and "Run the command again" in str(refused.value)
        assert reg.list("dimension") == []
