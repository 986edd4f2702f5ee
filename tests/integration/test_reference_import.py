"""`dsgrid registry import`: a dsgrid-toolkit 0.4 registry brought into ours.

The reference registry is built by the reference itself (its CLI's bulk-register of test_efs,
run from a copy of the test data, as bench/reference_side_by_side.py does). What the import
made is compared with the reference's own database (read with sqlite3) and its Parquet files
(read with pandas), never with anything the import computed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.reference_cli import reference, reference_efs_registry


@pytest.fixture(scope="module")
def reference_efs(tmp_path_factory, test_data):
    """A reference registry holding test_efs: (url, data path, database path)."""
    return reference_efs_registry(tmp_path_factory, test_data)


@pytest.fixture(scope="module")
def imported(reference_efs, tmp_path_factory):
    from tests.conftest import run_dsgrid

    url, _, _ = reference_efs
    target = tmp_path_factory.mktemp("imported") / "registry"
    assert run_dsgrid("registry", "create", target).exit_code == 0
    result = run_dsgrid("registry", "import", url, registry=target, as_json=True)
    assert result.exit_code == 0, result
    return target, result.json()


def _reference_rows(db) -> list[dict]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT m.model_type, m.model_id, m.version, m.model, r.timestamp, r.submitter, "
            "r.log_message FROM models m JOIN registrations r ON r.id = m.registration_id "
            "ORDER BY m.id"
        ).fetchall()
    finally:
        con.close()
    keys = ("kind", "id", "version", "model", "timestamp", "submitter", "log_message")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def test_every_component_version_and_history_entry_is_imported(reference_efs, imported):
    from dsgrid_core.registry.registry import Registry

    _, _, db = reference_efs
    target, answer = imported
    ref_rows = _reference_rows(db)
    ref_components: dict[str, set] = {}
    ref_versions: dict[str, int] = {}
    for row in ref_rows:
        ref_components.setdefault(row["kind"], set()).add(row["id"])
        ref_versions[row["kind"]] = ref_versions.get(row["kind"], 0) + 1
    assert answer["components"] == {k: len(v) for k, v in ref_components.items()}
    assert answer["versions"] == ref_versions
    assert ref_versions == {"dimension": 27, "dimension_mapping": 15, "project": 3, "dataset": 3}
    with Registry(target, read_only=True) as reg:
        for kind, ids in ref_components.items():
            assert {c.id for c in reg.list(kind)} == ids
        for row in ref_rows:
            ours = reg.show(row["kind"], row["id"], row["version"])
            stamp = datetime.fromisoformat(row["timestamp"]).replace(microsecond=0)
            assert datetime.fromisoformat(ours.registered_at).replace(tzinfo=None) == stamp
            assert (ours.submitter, ours.log_message) == (row["submitter"], row["log_message"])
            model = json.loads(row["model"])
            if row["kind"] == "dimension" and model.get("records") is not None:
                ours_records = reg.records(row["id"], row["version"])
                assert [r["id"] for r in ours_records] == [r["id"] for r in model["records"]]
            if row["kind"] == "dimension_mapping":
                pairs = reg.mapping_records(row["id"], row["version"])
                expected = [
                    (r["from_id"], r["to_id"], float(r.get("from_fraction") or 1.0))
                    for r in model["records"]
                ]
                assert sorted(pairs, key=str) == sorted(expected, key=str)
        # the project's history: every version, in order, with its dataset statuses
        history = [(r.version, r.log_message) for r in reg.history("project", "test_efs")]
        assert history == [
            (r["version"], r["log_message"]) for r in ref_rows if r["kind"] == "project"
        ]
        latest = json.loads(next(r for r in reversed(ref_rows) if r["kind"] == "project")["model"])
        registered = {d["dataset_id"] for d in latest["datasets"] if d["status"] == "Registered"}
        shown = reg.show("project", "test_efs")
        assert set(shown.extra["datasets"]) == registered
        assert reg.check().ok


def _reference_table(data, dataset_id: str, version: str) -> pd.DataFrame:
    """The reference's stored table with pandas: one row per value (lookup joined in)."""
    folder = data / "data" / dataset_id / version
    table = pd.read_parquet(folder / "table.parquet")
    lookup_file = folder / "lookup_table.parquet"
    if lookup_file.exists():
        lookup = pd.read_parquet(lookup_file)
        table = table.merge(lookup, on="id")
        if "scaling_factor" in table:
            table["value"] = table["value"] * table["scaling_factor"].fillna(1.0)
    return table


def test_every_dataset_keeps_its_rows_and_values(reference_efs, imported):
    from dsgrid_core.registry.registry import Registry

    _, data, db = reference_efs
    target, _ = imported
    datasets = [r for r in _reference_rows(db) if r["kind"] == "dataset"]
    assert len(datasets) == 3
    with Registry(target, read_only=True) as reg:
        for row in datasets:
            expected = _reference_table(data, row["id"], row["version"])
            ours = pq.read_table(reg.dataset_table_path(row["id"], row["version"])).to_pandas()
            assert reg.show("dataset", row["id"], row["version"]).row_count == len(expected)
            assert len(ours) == len(expected)
            assert ours["value"].sum() == pytest.approx(expected["value"].sum(), rel=1e-12)
            by_county = ours.groupby("geography")["value"].sum().sort_index()
            expected_by_county = expected.groupby("geography")["value"].sum().sort_index()
            assert list(by_county.index) == list(expected_by_county.index)
            assert by_county.to_numpy() == pytest.approx(expected_by_county.to_numpy(), rel=1e-12)


def test_imported_registry_answers_queries_as_the_reference_does(reference_efs, imported, tmp_path):
    """The same project query (sum by state, end use and model year) run by the reference
    on its registry and by us on the import."""
    from dsgrid_core.registry.registry import Registry
    from dsgrid_core.service import run_query
    from tests.reference_cli import REPO

    url, _, db = reference_efs
    query = REPO / "bench" / "queries" / "state_enduse_model_year.json5"
    out = tmp_path / "ref-out"
    reference("query", "project", "run", query, "-o", out, url=url, cwd=db.parent / "td")
    theirs = pd.read_parquet(out / "state_enduse_model_year" / "table.parquet")
    target, _ = imported
    with Registry(target, read_only=True) as reg:
        ours = run_query(reg, query, use_cache=False).table.to_pandas()
    assert list(ours.columns) == list(theirs.columns)  # named after the dimensions, as dsgrid
    theirs.columns = ours.columns = ["geography", "metric", "model_year", "value"]
    merged = ours.merge(theirs, on=["geography", "metric", "model_year"])
    assert len(merged) == len(ours) == len(theirs) == 40
    assert merged["value_x"].to_numpy() == pytest.approx(merged["value_y"].to_numpy(), rel=1e-9)


def test_bad_reference_data_is_refused_and_nothing_is_written(
    reference_efs, empty_registry, dsgrid, snapshot, tmp_path
):
    """A dataset table with a county its geography dimension lacks fails our registration
    checks: the import stops with exit 2 and the registry is exactly as before."""
    url, data, _ = reference_efs
    broken = tmp_path / "broken-data"
    shutil.copytree(data, broken)
    table_file = broken / "data" / "test_efs_comstock_unpivoted" / "1.0.0" / "table.parquet"
    table = pd.read_parquet(table_file)
    table.loc[0, "geography"] = "99999"
    table.to_parquet(table_file)
    before = snapshot(empty_registry)
    result = dsgrid("registry", "import", url, "--data-path", broken, registry=empty_registry)
    assert result.exit_code == 2, result
    assert "99999" in result.stderr + result.stdout
    assert snapshot(empty_registry) == before


def test_importing_twice_is_refused_and_changes_nothing(reference_efs, imported, dsgrid, tmp_path):
    from tests.conftest import registry_snapshot

    url, _, _ = reference_efs
    target = tmp_path / "again"
    shutil.copytree(imported[0], target)
    before = registry_snapshot(target)
    result = dsgrid("registry", "import", url, registry=target)
    assert result.exit_code == 2
    assert "already holds" in result.stderr + result.stdout
    assert registry_snapshot(target) == before


def test_a_url_that_is_not_a_reference_registry_is_refused(empty_registry, dsgrid, tmp_path):
    result = dsgrid("registry", "import", "postgresql://host/db", registry=empty_registry)
    assert result.exit_code == 2
    assert "sqlite:///" in result.stderr + result.stdout
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    result = dsgrid("registry", "import", f"sqlite:///{other}", registry=empty_registry)
    assert result.exit_code == 2
    assert "not a dsgrid-toolkit 0.4 registry" in result.stderr + result.stdout


def test_the_original_project_file_updates_the_imported_project(
    imported, test_data, dsgrid, tmp_path
):
    target = tmp_path / "registry"
    shutil.copytree(imported[0], target)
    result = dsgrid(
        "registry",
        "projects",
        "update",
        "test_efs",
        test_data / "test_efs" / "dsgrid_project" / "project.json5",
        "--update-type",
        "minor",
        "--version",
        "1.2.0",
        "-l",
        "same project, from its file",
        registry=target,
    )
    assert result.exit_code == 0, result
    from dsgrid_core.registry.registry import Registry

    with Registry(target, read_only=True) as reg:
        before, after = reg.history("project", "test_efs")[-2:]
    assert after.version == "1.3.0"
    assert after.extra["base_dimensions"] == before.extra["base_dimensions"]
    # the file's supplemental dimensions are the imported ones, not new dimensions
    assert sorted((s["name"], s["id"]) for s in after.extra["supplemental_dimensions"]) == sorted(
        (s["name"], s["id"]) for s in before.extra["supplemental_dimensions"]
    )


# --- datasets with non-datetime time ----------------------------------------------------------
# The reference stores each kind of time in its own columns (dsgrid/time/types.py); the import
# must keep them and their configs. The registry is built by the reference from the small
# project in reference_import_time_registry (one dataset per kind, submitted to an hourly
# datetime project; the annual one updated to a second version).

# time type (and representative format) -> the reference's stored time columns
_REFERENCE_TIME_COLUMNS = {
    ("annual", None): ["time_year"],
    ("noop", None): [],
    ("index", None): ["time_index"],
    ("representative_period", "one_week_per_month_by_hour"): ["month", "day_of_week", "hour"],
    ("representative_period", "one_weekday_day_and_one_weekend_day_per_month_by_hour"): [
        "month",
        "is_weekday",
        "hour",
    ],
}
# registry bookkeeping in a stored reference model, not config
_REFERENCE_INTERNAL = {"id", "version", "dimension_id", "module", "dimension_class"}


@pytest.fixture(scope="module")
def reference_time_kinds(tmp_path_factory):
    """(url, data path, database path) of the reference's registry of the time-kinds project."""
    from tests.integration.reference_import_time_registry import build_time_kinds_registry

    return build_time_kinds_registry(tmp_path_factory.mktemp("reference-time-kinds"))


@pytest.fixture(scope="module")
def imported_time_kinds(reference_time_kinds, tmp_path_factory):
    from tests.conftest import run_dsgrid

    url, _, _ = reference_time_kinds
    target = tmp_path_factory.mktemp("imported-time-kinds") / "registry"
    assert run_dsgrid("registry", "create", target).exit_code == 0
    result = run_dsgrid("registry", "import", url, registry=target, as_json=True)
    assert result.exit_code == 0, result
    return target, result.json()


def _reference_models(db) -> dict[tuple[str, str, str], dict]:
    """(kind, id, version) -> the stored model, as the reference wrote it."""
    return {(r["kind"], r["id"], r["version"]): json.loads(r["model"]) for r in _reference_rows(db)}


def _reference_time_dimension(models: dict, dataset_model: dict) -> tuple[dict, dict]:
    """(the dataset's time dimension reference, that dimension's stored model)."""
    (ref,) = [r for r in dataset_model["dimension_references"] if r["type"] == "time"]
    return ref, models[("dimension", ref["dimension_id"], ref["version"])]


def _time_columns(time_model: dict) -> list[str]:
    return _REFERENCE_TIME_COLUMNS[(time_model["time_type"], time_model.get("format"))]


def test_datasets_with_non_datetime_time_keep_versions_and_time_configs(
    reference_time_kinds, imported_time_kinds
):
    from dsgrid_core.registry.registry import Registry

    _, _, db = reference_time_kinds
    target, answer = imported_time_kinds
    rows = [r for r in _reference_rows(db) if r["kind"] == "dataset"]
    models = _reference_models(db)
    kinds = set()
    with Registry(target, read_only=True) as reg:
        assert {c.id for c in reg.list("dataset")} == {r["id"] for r in rows}
        for dataset_id in {r["id"] for r in rows}:
            assert [(v.version, v.log_message) for v in reg.history("dataset", dataset_id)] == [
                (r["version"], r["log_message"]) for r in rows if r["id"] == dataset_id
            ]
        for row in rows:
            model = models[("dataset", row["id"], row["version"])]
            ours = reg.show("dataset", row["id"], row["version"])
            assert ours.config["description"] == model["description"]
            assert ours.config["dataset_type"] == model["dataset_type"]
            time_ref, time_model = _reference_time_dimension(models, model)
            kinds.add((time_model["time_type"], time_model.get("format")))
            ours_ref = ours.extra["dimensions"]["time"]
            assert (ours_ref["id"], ours_ref["version"]) == (
                time_ref["dimension_id"],
                time_ref["version"],
            )
            ours_time = reg.show("dimension", ours_ref["id"], ours_ref["version"]).config
            # every field the reference set (time_type, ranges, interval type, format,
            # measurement type, leap day, class, name, description) is ours unchanged
            expected = {
                k: v
                for k, v in time_model.items()
                if k not in _REFERENCE_INTERNAL and v is not None
            }
            assert {k: ours_time.get(k) for k in expected} == expected
    assert kinds == set(_REFERENCE_TIME_COLUMNS)
    assert answer["versions"]["dataset"] == len(rows) == len(kinds) + 1


def test_datasets_with_non_datetime_time_keep_their_rows_and_values(
    reference_time_kinds, imported_time_kinds
):
    """Each stored table, read with pandas on both sides: the same rows (every dimension
    column, every time column, every value), and the trivial dimensions' single records."""
    from dsgrid_core.registry.registry import Registry

    _, data, db = reference_time_kinds
    target, answer = imported_time_kinds
    models = _reference_models(db)
    datasets = [key for key in models if key[0] == "dataset"]
    expected_rows = {}
    with Registry(target, read_only=True) as reg:
        for _, dataset_id, version in datasets:
            model = models[("dataset", dataset_id, version)]
            _, time_model = _reference_time_dimension(models, model)
            time_columns = _time_columns(time_model)
            theirs = _reference_table(data, dataset_id, version)
            ours = pq.read_table(reg.dataset_table_path(dataset_id, version)).to_pandas()
            expected_rows[f"{dataset_id} {version}"] = len(theirs)
            assert reg.show("dataset", dataset_id, version).row_count == len(theirs) == len(ours)
            assert ours["value"].sum() == pytest.approx(theirs["value"].sum(), rel=1e-12)
            keys = ["geography", "subsector", "metric", *time_columns]
            assert set(keys) | {"value"} <= set(theirs.columns)
            for column in time_columns:
                ours[column] = ours[column].astype(theirs[column].dtype)
            ours_rows = ours[[*keys, "value"]].sort_values(keys).reset_index(drop=True)
            their_rows = theirs[[*keys, "value"]].sort_values(keys).reset_index(drop=True)
            pd.testing.assert_frame_equal(ours_rows, their_rows, check_dtype=False)
            for ref in model["dimension_references"]:
                if ref["type"] in model["trivial_dimensions"]:
                    records = models[("dimension", ref["dimension_id"], ref["version"])]["records"]
                    assert set(ours[ref["type"]]) == {records[0]["id"]}
    assert answer["dataset_rows"] == expected_rows


def test_project_of_non_datetime_time_datasets_keeps_its_submissions(
    reference_time_kinds, imported_time_kinds
):
    from dsgrid_core.registry.registry import Registry

    _, _, db = reference_time_kinds
    target, _ = imported_time_kinds
    projects = [r for r in _reference_rows(db) if r["kind"] == "project"]
    latest = json.loads(projects[-1]["model"])
    registered = {d["dataset_id"]: d["version"] for d in latest["datasets"]}
    assert {d["status"] for d in latest["datasets"]} == {"Registered"}
    with Registry(target, read_only=True) as reg:
        assert [v.version for v in reg.history("project", projects[-1]["id"])] == [
            r["version"] for r in projects
        ]
        shown = reg.show("project", projects[-1]["id"])
        assert {k: v["version"] for k, v in shown.extra["datasets"].items()} == registered
        assert reg.check().ok
