"""`dsgrid registry projects export`: a project written as a dsgrid project folder that the
reference dsgrid-toolkit 0.4.0 registers unchanged.

Round trip: ours -> files -> reference (its own bulk-register of the exported
registration.json5) -> ours again (`dsgrid registry import` of the reference's registry).
Every dimension record, mapping record, subset selector and dataset value must survive; the
reference's stored Parquet files are read with pandas and compared with what it was given.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq

from tests.reference_cli import (
    create_reference_registry,
    reference,
    reference_efs_registry,
)


def _import(dsgrid, url: str, target):
    assert dsgrid("registry", "create", target).exit_code == 0
    result = dsgrid("registry", "import", url, registry=target)
    assert result.exit_code == 0, result
    return target


def _round_trip(dsgrid, source, project_id: str, tmp_path):
    """Export ``project_id`` from ``source``, register the folder with the reference, import
    the reference's registry: (export folder, reference data path, our registry again)."""
    out = tmp_path / "export"
    result = dsgrid("registry", "projects", "export", project_id, out, registry=source)
    assert result.exit_code == 0, result
    url, data = create_reference_registry(tmp_path / "reference")
    reference("registry", "bulk-register", "registration.json5", url=url, cwd=out)
    back = _import(dsgrid, url, tmp_path / "back")
    return out, data, back


def _project_content(reg, project_id: str) -> dict:
    """What a project holds, by dimension name (ids differ from one registry to another)."""
    project = reg.show("project", project_id)
    extra = project.extra

    def records(dim):
        # Empty fields left out: the reference's record classes add theirs with defaults
        # (a Sector record gets category "").
        rows = reg.records(dim["id"], dim["version"])
        return sorted(
            json.dumps({k: v for k, v in r.items() if v not in ("", None)}, sort_keys=True)
            for r in rows
        )

    def pairs(mapping_id, version):
        return sorted(
            (f, t or "", round(x, 12)) for f, t, x in reg.mapping_records(mapping_id, version)
        )

    datasets = {}
    for dataset_id, status in extra["datasets"].items():
        record = reg.show("dataset", dataset_id, status["version"])
        table = pq.read_table(reg.dataset_table_path(dataset_id, status["version"])).to_pandas()
        datasets[dataset_id] = {
            "rows": record.row_count,
            "sum": round(float(table["value"].sum()), 6),
            "dimensions": {
                t: (d["name"], records(d)) for t, d in record.extra["dimensions"].items()
            },
            "mappings": {
                m["dimension_type"]: pairs(m["mapping_id"], m["version"])
                for m in status["mappings"]
            },
        }
    return {
        "base": {t: (d["name"], records(d)) for t, d in extra["base_dimensions"].items()},
        "supplemental": {
            s["name"]: (records(s), pairs(s["mapping_id"], s["mapping_version"]))
            for s in extra["supplemental_dimensions"]
        },
        "subsets": {
            name: {k: v for k, v in group.items() if k not in ("base_id", "base_version")}
            for name, group in extra["subset_dimensions"].items()
        },
        "datasets": datasets,
        "versions": len(reg.history("project", project_id)),
    }


def _reference_sums(data, dataset_ids) -> dict[str, tuple[int, float]]:
    """Rows and value sum of each dataset as the reference stored it, with pandas."""
    out = {}
    for dataset_id in dataset_ids:
        folder = data / "data" / dataset_id / "1.0.0"
        table = pd.read_parquet(folder / "table.parquet")
        if (folder / "lookup_table.parquet").exists():
            table = table.merge(pd.read_parquet(folder / "lookup_table.parquet"), on="id")
        out[dataset_id] = (len(table), round(float(table["value"].sum()), 6))
    return out


def test_test_efs_round_trips_through_the_reference(tmp_path_factory, test_data, dsgrid, tmp_path):
    from dsgrid_core.registry.registry import Registry

    url, _, _ = reference_efs_registry(tmp_path_factory, test_data)
    first = _import(dsgrid, url, tmp_path / "first")
    out, data, back = _round_trip(dsgrid, first, "test_efs", tmp_path)
    with Registry(first, read_only=True) as a, Registry(back, read_only=True) as b:
        before, after = _project_content(a, "test_efs"), _project_content(b, "test_efs")
    assert before["versions"] == after["versions"] == 3  # registered + two submissions
    assert after["base"] == before["base"]
    assert after["supplemental"] == before["supplemental"]
    assert len(after["supplemental"]) == 12  # 5 given, 1 from the subset, 6 "all" dimensions
    assert after["subsets"] == before["subsets"]
    assert after["datasets"] == before["datasets"]
    sums = _reference_sums(data, before["datasets"])
    assert sums == {k: (v["rows"], v["sum"]) for k, v in before["datasets"].items()}
    bulk = json.loads((out / "registration.json5").read_text())
    assert [d["dataset_id"] for d in bulk["dataset_submissions"]] == list(before["datasets"])


def test_the_demo_project_round_trips_through_the_reference(dsgrid, tmp_path):
    from dsgrid_core.registry.registry import Registry

    demo = tmp_path / "demo"
    result = dsgrid("demo", demo, "--scale", "small")
    assert result.exit_code == 0, result
    with Registry(demo, read_only=True) as reg:
        project_id = reg.list("project")[0].id
    out, data, back = _round_trip(dsgrid, demo, project_id, tmp_path)
    with Registry(demo, read_only=True) as a, Registry(back, read_only=True) as b:
        before, after = _project_content(a, project_id), _project_content(b, project_id)
    assert after["base"] == before["base"]
    assert after["subsets"] == before["subsets"]
    assert after["datasets"] == before["datasets"]
    # The reference adds its "all" dimension of each type (not metric, not time).
    added = set(after["supplemental"]) - set(before["supplemental"])
    assert all(name.startswith(f"all_{project_id}_") for name in added)
    for name, content in before["supplemental"].items():
        assert after["supplemental"][name] == content
    sums = _reference_sums(data, before["datasets"])
    assert sums == {k: (v["rows"], v["sum"]) for k, v in before["datasets"].items()}


def test_export_refuses_a_folder_that_is_not_empty(tmp_path_factory, test_data, dsgrid, tmp_path):
    url, _, _ = reference_efs_registry(tmp_path_factory, test_data)
    source = _import(dsgrid, url, tmp_path / "source")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = dsgrid("registry", "projects", "export", "test_efs", out, registry=source)
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    shutil.rmtree(out)
    result = dsgrid("registry", "projects", "export", "no_such", out, registry=source)
    assert result.exit_code == 2
    assert not out.exists()


def test_datasets_of_every_time_kind_round_trip_through_the_reference(dsgrid, tmp_path):
    """A reference registry with annual, no-op, index and both representative time forms
    (built by the reference), imported, exported, registered by the reference again and
    imported back: every dataset's time dimension, dimensions, mappings, rows and sum kept,
    and the reference's stored rows and sums those of the first import."""
    from dsgrid_core.registry.registry import Registry
    from tests.integration.reference_import_time_registry import (
        PROJECT_ID,
        build_time_kinds_registry,
    )

    url, _, _ = build_time_kinds_registry(tmp_path / "source")
    first = _import(dsgrid, url, tmp_path / "first")
    out, data, back = _round_trip(dsgrid, first, PROJECT_ID, tmp_path)
    with Registry(first, read_only=True) as a, Registry(back, read_only=True) as b:
        before, after = _project_content(a, PROJECT_ID), _project_content(b, PROJECT_ID)
        times = {}
        for reg, side in ((a, "before"), (b, "after")):
            for dataset_id, status in reg.show("project", PROJECT_ID).extra["datasets"].items():
                dim = reg.show("dataset", dataset_id, status["version"]).extra["dimensions"]
                config = reg.show("dimension", dim["time"]["id"], dim["time"]["version"]).config
                times.setdefault(dataset_id, {})[side] = {
                    k: v for k, v in config.items() if k not in ("description",)
                }
    kinds = {t["before"]["time_type"] for t in times.values()}
    assert kinds == {"annual", "noop", "index", "representative_period"}, kinds
    for dataset_id, pair in times.items():
        assert pair["after"] == pair["before"], dataset_id
    assert after["datasets"] == before["datasets"]
    assert after["base"] == before["base"]
    sums = _reference_sums(data, before["datasets"])
    assert sums == {k: (v["rows"], v["sum"]) for k, v in before["datasets"].items()}
