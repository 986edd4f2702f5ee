"""Dataset options end to end, each against pandas or the reference dsgrid-toolkit 0.4.0:
``autogen_reverse_supplemental_mappings`` of a bulk submission, ``enable_unit_conversion``
and free-text units, ``use_project_geography_time_zone``. The small dataset and its
dimensions are those of test_data_layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.test_data_layouts import (
    HOURS,
    METRICS,
    SUBS,
    TRIVIAL,
    YEARS,
    _csv,
    _records,
    dimensions,
    full_rows,
)
from tests.reference_cli import create_reference_registry, reference, require_reference

# --- autogen_reverse_supplemental_mappings ------------------------------------------------------

DIVISION_OF = {"g1": "d1", "g2": "d1", "g3": "d2"}


def _division_project(tmp_path):
    """A project with a division supplemental geography, and a dataset by division with no
    geography mapping of its own (project.json5, dataset.json5 in tmp_path)."""
    base = dimensions("proj")
    supp = {
        "type": "geography",
        "class": "CensusDivision",
        "name": "proj divisions",
        "description": "divisions",
        "records": _records(["d1", "d2"]),
        "mapping": {
            "description": "county to division",
            "records": [{"from_id": g, "to_id": d} for g, d in DIVISION_OF.items()],
        },
    }
    project = {
        "project_id": "lay_project",
        "name": "layouts",
        "description": "layouts",
        "datasets": [{"dataset_id": "lay_div", "dataset_type": "modeled"}],
        "dimensions": {"base_dimensions": base, "supplemental_dimensions": [supp]},
    }
    (tmp_path / "project.json5").write_text(json.dumps(project))
    dims = [d for d in dimensions("proj") if d["type"] != "geography"]
    frame = pd.DataFrame(
        [
            {"geography": d, "subsector": s, "metric": m, "time_year": y, "value": 1.0 + i}
            for i, (d, s, m, y) in enumerate(
                (d, s, m, y) for d in ("d1", "d2") for s in SUBS for m in METRICS for y in YEARS
            )
        ]
    )
    _csv(tmp_path / "load_data.csv", frame)
    dataset = {
        "dataset_id": "lay_div",
        "dataset_type": "modeled",
        "data_classification": "low",
        "trivial_dimensions": list(TRIVIAL),
        "dimension_references": [
            {"type": d["type"], "name": d["name"], "version": "1.0.0"} for d in dims
        ]
        + [{"type": "geography", "name": "proj divisions", "version": "1.0.0"}],
        "data_layout": {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.csv"},
        },
    }
    (tmp_path / "dataset.json5").write_text(json.dumps(dataset))


def _submit_by_bulk(dsgrid, tmp_path, reg):
    bulk = {
        "projects": [{"project_id": "lay_project", "config_file": "project.json5"}],
        "datasets": [
            {"dataset_id": "lay_div", "config_file": "dataset.json5", "log_message": "by div"}
        ],
        "dataset_submissions": [
            {
                "dataset_id": "lay_div",
                "project_id": "lay_project",
                "autogen_reverse_supplemental_mappings": ["geography"],
                "log_message": "submit by division",
            }
        ],
    }
    (tmp_path / "bulk.json5").write_text(json.dumps(bulk))
    return dsgrid("registry", "bulk-register", tmp_path / "bulk.json5", registry=reg)


def _submit_by_cli(dsgrid, tmp_path, reg, command):
    done = dsgrid(
        "registry", "projects", "register", tmp_path / "project.json5", "-l", "p", registry=reg
    )
    assert done.exit_code == 0, done
    if command == "register-and-submit-dataset":
        args = ["-c", tmp_path / "dataset.json5", "-p", "lay_project", "-l", "by div"]
    else:
        args = ["-p", "lay_project", "-d", "lay_div", "-l", "submit by division"]
        done = dsgrid(
            "registry",
            "datasets",
            "register",
            tmp_path / "dataset.json5",
            "-l",
            "by div",
            registry=reg,
        )
        assert done.exit_code == 0, done
    return dsgrid("registry", "projects", command, *args, "-a", "geography", registry=reg)


@pytest.mark.parametrize("how", ["bulk", "register-and-submit-dataset", "submit-dataset"])
def test_autogen_reverse_supplemental_mapping(dsgrid, tmp_path, how):
    """A dataset by division (a project supplemental geography) is submitted with
    autogen_reverse_supplemental_mappings: [geography] (bulk file, or -a on either command);
    its mapping to the base counties is the project's county-to-division mapping reversed
    (multiplier 1), as pandas builds it."""
    from dsgrid_core.registry.registry import Registry

    _division_project(tmp_path)
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    if how == "bulk":
        result = _submit_by_bulk(dsgrid, tmp_path, reg)
    else:
        result = _submit_by_cli(dsgrid, tmp_path, reg, how)
    assert result.exit_code == 0, result
    with Registry(reg, read_only=True) as registry:
        project_record = registry.show("project", "lay_project")
        status = project_record.extra["datasets"]["lay_div"]
        assert status["status"] == "Registered"
        (mapping,) = [m for m in status["mappings"] if m["dimension_type"] == "geography"]
        records = registry.store.mapping_records(mapping["mapping_id"], mapping["version"])
        assert registry.show("dataset", "lay_div").log_message == "by div"
        config = registry.show("dimension_mapping", mapping["mapping_id"]).config
        assert config["mapping_type"] == "many_to_many_explicit_multipliers"
    expected = pd.DataFrame(
        [{"from_id": d, "to_id": g, "from_fraction": 1.0} for g, d in DIVISION_OF.items()]
    )
    got = pd.DataFrame(records, columns=["from_id", "to_id", "from_fraction"])
    pd.testing.assert_frame_equal(
        got.sort_values(["from_id", "to_id"]).reset_index(drop=True),
        expected.sort_values(["from_id", "to_id"]).reset_index(drop=True),
    )


def test_autogen_of_a_type_without_records_is_refused(dsgrid, tmp_path):
    from dsgrid_core.registry.registry import Registry

    _division_project(tmp_path)
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    done = dsgrid(
        "registry", "projects", "register", tmp_path / "project.json5", "-l", "p", registry=reg
    )
    assert done.exit_code == 0, done
    result = dsgrid(
        "registry",
        "projects",
        "register-and-submit-dataset",
        "-c",
        tmp_path / "dataset.json5",
        "-p",
        "lay_project",
        "-l",
        "x",
        "-a",
        "time",
        registry=reg,
    )
    assert result.exit_code == 2
    assert "'time' is not one of" in result.stderr and "geography" in result.stderr
    with Registry(reg, read_only=True) as registry:
        assert [c.id for c in registry.list("dataset")] == []


# --- enable_unit_conversion ------------------------------------------------------------------


def _unit_dataset(folder: Path, dataset_id: str, unit: str, convert: bool, fraction: float):
    """A dataset in ``unit`` mapped to the project's kWh metrics with ``fraction``."""
    sub = folder / dataset_id
    sub.mkdir()
    frame = pd.DataFrame(full_rows()).replace({"metric": {"m1": "x1", "m2": "x2"}})
    frame = frame.assign(timestamp=frame.time_year.map(HOURS)).drop(columns="time_year")
    _csv(sub / "load_data.csv", frame)
    metric = {
        "type": "metric",
        "class": "EnergyEndUse",
        "name": f"{dataset_id} metric",
        "description": "metric",
        "records": _records(["x1", "x2"], fuel_id="electricity", unit=unit),
    }
    refs = [
        {"type": d["type"], "name": d["name"], "version": "1.0.0"}
        for d in dimensions("pu", hourly=True)
        if d["type"] != "metric"
    ]
    config = {
        "dataset_id": dataset_id,
        "data_classification": "low",
        "enable_unit_conversion": convert,
        "trivial_dimensions": list(TRIVIAL),
        "dimensions": [metric],
        "dimension_references": refs,
        "data_layout": {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.csv"},
        },
    }
    (sub / "dataset.json5").write_text(json.dumps(config))
    mapping = {
        "mappings": [
            {
                "dimension_type": "metric",
                "description": "to project metrics",
                "mapping_type": "one_to_one_explicit_multipliers",
                "records": [
                    {"from_id": f"x{i}", "to_id": f"m{i}", "from_fraction": fraction}
                    for i in (1, 2)
                ],
            }
        ]
    }
    (sub / "mappings.json5").write_text(json.dumps(mapping))
    return (
        {"dataset_id": dataset_id, "config_file": f"{dataset_id}/dataset.json5"},
        {
            "dataset_id": dataset_id,
            "project_id": "pu_project",
            "dimension_mapping_file": f"{dataset_id}/mappings.json5",
        },
    )


def test_enable_unit_conversion_false_keeps_the_mappings_factors(dsgrid, tmp_path):
    """MWh data mapped to kWh metrics: converted by the units (fraction 1), or by the
    mapping's fractions (1000) with enable_unit_conversion false; both give kWh = MWh * 1000,
    as pandas computes. Converting twice would give 1e6."""
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    entries = [
        _unit_dataset(tmp_path, "conv_on", "MWh", True, 1.0),
        _unit_dataset(tmp_path, "conv_off", "MWh", False, 1000.0),
    ]
    project = {
        "project_id": "pu_project",
        "name": "units",
        "description": "units",
        "datasets": [
            {"dataset_id": d["dataset_id"], "dataset_type": "modeled"} for d, _ in entries
        ],
        "dimensions": {"base_dimensions": dimensions("pu", hourly=True)},
    }
    (tmp_path / "project.json5").write_text(json.dumps(project))
    bulk = {
        "projects": [{"project_id": "pu_project", "config_file": "project.json5"}],
        "datasets": [d for d, _ in entries],
        "dataset_submissions": [s for _, s in entries],
    }
    (tmp_path / "bulk.json5").write_text(json.dumps(bulk))
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    result = dsgrid("registry", "bulk-register", tmp_path / "bulk.json5", registry=reg)
    assert result.exit_code == 0, result
    expected = pd.DataFrame(full_rows()).value.sum() * 1000
    for dataset_id in ("conv_on", "conv_off"):
        query = {
            "name": f"q_{dataset_id}",
            "project": {
                "project_id": "pu_project",
                "dataset": {
                    "dataset_id": f"q_{dataset_id}",
                    "source_datasets": [{"dataset_id": dataset_id}],
                },
            },
            "result": {},
        }
        with Registry(reg, read_only=True) as registry:
            table = run_query(registry, parse_query(query), engine="duckdb", use_cache=False)
        assert table.table.to_pandas().value.sum() == pytest.approx(expected, rel=1e-12)


def test_units_without_a_known_conversion_are_refused_at_submission(dsgrid, tmp_path):
    """ft2 data mapped to kWh metrics: no factor is known, so converting 'as is' would be a
    wrong number: refused, unless the mapping converts (enable_unit_conversion false)."""
    refused = _unit_dataset(tmp_path, "ft2_on", "ft2", True, 1.0)
    allowed = _unit_dataset(tmp_path, "ft2_off", "ft2", False, 1.0)
    project = {
        "project_id": "pu_project",
        "name": "units",
        "description": "units",
        "datasets": [
            {"dataset_id": d["dataset_id"], "dataset_type": "modeled"}
            for d, _ in (refused, allowed)
        ],
        "dimensions": {"base_dimensions": dimensions("pu", hourly=True)},
    }
    (tmp_path / "project.json5").write_text(json.dumps(project))
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    for name, entries in (("ok", [allowed]), ("bad", [refused])):
        bulk = {
            "projects": []
            if name == "bad"
            else [{"project_id": "pu_project", "config_file": "project.json5"}],
            "datasets": [d for d, _ in entries],
            "dataset_submissions": [s for _, s in entries],
        }
        (tmp_path / f"{name}.json5").write_text(json.dumps(bulk))
        result = dsgrid("registry", "bulk-register", tmp_path / f"{name}.json5", registry=reg)
        if name == "ok":
            assert result.exit_code == 0, result
        else:
            assert result.exit_code != 0
            assert "ft2" in result.stderr and "enable_unit_conversion" in result.stderr


# --- use_project_geography_time_zone ----------------------------------------------------------


def _index_dataset(folder: Path, use_project_zones: bool) -> Path:
    """Index time (local clock per geography): geography records without time_zone."""
    dims = [d for d in dimensions(folder.name) if d["type"] != "time"]
    dims.append(
        {
            "type": "time",
            "class": "Time",
            "name": f"{folder.name} time",
            "description": "index",
            "time_type": "index",
            "time_interval_type": "period_beginning",
            "ranges": [
                {
                    "start": 0,
                    "end": 1,
                    "starting_timestamp": "2012-01-01 00:00:00",
                    "str_format": "%Y-%m-%d %H:%M:%S",
                    "frequency": "01:00:00",
                }
            ],
        }
    )
    frame = pd.DataFrame(full_rows())
    frame = frame.assign(time_index=frame.time_year - 2020).drop(columns="time_year")
    _csv(folder / "load_data.csv", frame)
    config = {
        "dataset_id": f"lay_{folder.name}",
        "data_classification": "low",
        "use_project_geography_time_zone": use_project_zones,
        "trivial_dimensions": list(TRIVIAL),
        "dimensions": dims,
        "data_layout": {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.csv"},
        },
    }
    path = folder / "dataset.json5"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize("use_project_zones", [False, True])
def test_geography_time_zones_are_required_unless_the_project_gives_them(
    dsgrid, tmp_path, use_project_zones
):
    """Index time is each place's local clock: without a zone per geography record its
    values cannot be placed in time. We refuse that at registration unless the project's
    geography gives the zones. The reference means to (DatasetConfigModel.check_time_zone)
    but only checks that the record class has a time_zone field, which every geography class
    has, so it registers the dataset either way (shown here); the zones are then missing
    when its time is converted."""
    folder = tmp_path / ("projzones" if use_project_zones else "ownzones")
    folder.mkdir()
    config = _index_dataset(folder, use_project_zones)
    reg = tmp_path / "ours"
    assert dsgrid("registry", "create", reg).exit_code == 0
    ours = dsgrid("registry", "datasets", "register", config, "-l", "x", registry=reg)
    if use_project_zones:
        assert ours.exit_code == 0, ours
    else:
        assert ours.exit_code == 2
        assert "time_zone column" in ours.stderr
        assert "use_project_geography_time_zone" in ours.stderr
    require_reference()
    url, _ = create_reference_registry(tmp_path / "reference")
    reference(
        "registry", "datasets", "register", config, "-l", "x", url=url,
        cwd=tmp_path / "reference",
    )  # fmt: skip
