"""`dsgrid registry copy --from REG --to REG`: the copy of the registered test_efs registry has
the same components, history, dependencies, dependents, records, data files, `registry check`
and query results as its source; folder -> folder, folder -> s3:// data, and folder ->
ArangoDB when DSGRID_TEST_ARANGO_URL names a server; with --rewrite-summaries, today's
summaries in the copy. A target that is not empty is refused and left unchanged; a copy that
fails part-way leaves the target as it was."""

from __future__ import annotations

from pathlib import Path

import json5
import pandas as pd
import pytest

from dsgrid_core import settings
from dsgrid_core.registry.registry import Registry
from dsgrid_core.service import run_query

ARANGO_URL = settings.get("DSGRID_TEST_ARANGO_URL")
QUERIES = "test_efs/queries"


def _everything(path: Path | str) -> dict:
    """All a registry says about itself through the Registry API, data files by their hash."""
    with Registry(path, read_only=True) as registry:
        store = registry.store
        out: dict = {"components": [c.to_dict() for c in registry.list()]}
        for c in registry.list():
            history = registry.history(c.kind, c.id)
            out[f"history {c.kind} {c.id}"] = [r.to_dict() for r in history]
            out[f"dependents {c.kind} {c.id}"] = registry.dependents(c.kind, c.id)
            for r in history:
                key = f"{c.kind} {c.id} {r.version}"
                out[f"uses {key}"] = registry.dependencies(c.kind, c.id, r.version)
                if c.kind == "dimension":
                    out[f"records {key}"] = store.dimension_records(c.id, r.version)
                if c.kind == "dimension_mapping":
                    out[f"records {key}"] = store.mapping_records(c.id, r.version)
                if c.kind == "dataset":
                    for name in ("table.parquet", "missing_associations.parquet"):
                        stored = registry.data.sibling(r.data_path, name)
                        out[f"file {key} {name}"] = registry.data.digest(stored)
        out["latest"] = store.latest_registrations(1000)
        out["counts"] = store.counts_by_kind()
        report = registry.check()
        out["check"] = (report.ok, [f.line() for f in report.findings], report.counted)
    return out


def _query(path: Path | str, query: dict) -> pd.DataFrame:
    with Registry(path, read_only=True) as registry:
        frame = run_query(registry, query, use_cache=False).table.to_pandas()
    keys = [c for c in frame.columns if c != "value"]
    return frame.sort_values(keys).reset_index(drop=True)


def _same_queries(source: Path, copy: Path | str, test_data: Path, *, exact: bool) -> None:
    for name in ("baseline", "five_year_intervals"):
        query = json5.loads((test_data / QUERIES / f"{name}.json5").read_text())
        ours, theirs = _query(copy, query), _query(source, query)
        assert len(ours) > 0
        # s3:// data is scanned through Arrow in parallel: sums may differ in the last bit
        pd.testing.assert_frame_equal(
            ours, theirs, check_exact=exact, rtol=0 if exact else 1e-12, atol=0
        )


def test_a_copied_registry_says_all_that_its_source_says(
    efs_registry_template, tmp_path, test_data, dsgrid
):
    target = tmp_path / "copy"
    done = dsgrid("registry", "copy", "--from", efs_registry_template, "--to", target, as_json=True)
    assert done.exit_code == 0, done
    answer = done.json()
    # test_efs: 25 dimensions (18 files, 7 dsgrid makes at project registration: one "all" per
    # non-metric, non-time type and one per subset group), 15 mappings (8 files, 7 made), the
    # project (3 versions: registered, then 2 submissions) and 3 datasets
    assert answer["components"] == 25 + 15 + 1 + 3 and answer["versions"] == 25 + 15 + 3 + 3
    assert answer["dataset_versions"] == 3 and answer["data_bytes"] > 0
    source, copy = _everything(efs_registry_template), _everything(target)
    assert copy == source
    assert copy["check"][0] is True
    assert len(copy["history project test_efs"]) > 1  # several versions, in their order
    _same_queries(efs_registry_template, target, test_data, exact=True)
    checked = dsgrid("registry", "check", registry=target)
    assert checked.exit_code == 0 and "The registry is whole." in checked.stdout


def test_versions_are_copied_after_what_they_use(efs_registry_template):
    from dsgrid_core.registry.copy import copy_order

    with Registry(efs_registry_template, read_only=True) as registry:
        order = copy_order(registry.store)
        position = {(v.kind, v.id, v.version): i for i, v in enumerate(order)}
        assert len(position) == len(list(registry.store.iter_versions()))
        for user, used in registry.store.all_dependencies():
            assert (
                position[(used.kind, used.id, used.version)]
                < position[(user.kind, user.id, user.version)]
            )
        for c in registry.list():
            versions = [position[(c.kind, c.id, r.version)] for r in registry.history(c.kind, c.id)]
            assert versions == sorted(versions)


def test_a_copy_moves_local_data_to_an_object_store(
    efs_registry_template, tmp_path, test_data, dsgrid, s3_bucket
):
    target = tmp_path / "on_s3"
    done = dsgrid(
        "registry", "copy", "--from", efs_registry_template, "--to", target,
        "--data-root", s3_bucket.url("copied"),
    )  # fmt: skip
    assert done.exit_code == 0, done
    assert "s3://" in done.stdout
    source, copy = _everything(efs_registry_template), _everything(target)
    assert copy == source  # the data paths are relative: the records are identical
    keys = s3_bucket.keys("copied/")
    # per dataset version: its table, declared missing combinations and its summaries over
    # time and per local month (those kept within their share of these small tables)
    assert len(keys) == 12 and not [k for k in keys if "/.staging/" in k]
    for summary in ("total", "month"):
        assert sum(k.endswith(f"/summary_{summary}.parquet") for k in keys) == 3
    assert not (target / "data").exists()
    _same_queries(efs_registry_template, target, test_data, exact=False)
    # and back from the object store into a folder
    back = tmp_path / "back"
    assert dsgrid("registry", "copy", "--from", target, "--to", back).exit_code == 0
    assert _everything(back) == source


def test_a_copy_to_an_object_store_writes_the_summaries_again(
    efs_registry_template, tmp_path, test_data, dsgrid, s3_bucket
):
    """--rewrite-summaries with room for every summary: the copy's records list more kinds
    than the source's (which kept those that fit in 5 %), each one's file is on S3 beside the
    version's table, the tables are the source's, `registry check` passes, queries agree."""
    target = tmp_path / "on_s3"
    done = dsgrid(
        "registry", "copy", "--from", efs_registry_template, "--to", target,
        "--data-root", s3_bucket.url("again"), "--rewrite-summaries",
        env={"DSGRID_SUMMARY_SHARE": "1"},
    )  # fmt: skip
    assert done.exit_code == 0, done
    keys = set(s3_bucket.keys("again/"))
    source, copy = _everything(efs_registry_template), _everything(target)
    assert copy["check"][0], copy["check"]
    assert {k: v for k, v in copy.items() if k.startswith("file ")} == {
        k: v for k, v in source.items() if k.startswith("file ")
    }
    with (
        Registry(efs_registry_template, read_only=True) as before,
        Registry(target, read_only=True) as after,
    ):
        datasets = [c.id for c in after.list() if c.kind == "dataset"]
        assert len(datasets) == 3
        for dataset_id in datasets:
            old = before.show("dataset", dataset_id).extra["summaries"]
            record = after.show("dataset", dataset_id)
            new = record.extra["summaries"]
            assert set(old) < set(new), dataset_id
            for entry in new.values():
                name = f"{dataset_id}/{record.version}/{entry['file']}"
                assert any(k.endswith(name) for k in keys), name
    _same_queries(efs_registry_template, target, test_data, exact=False)


@pytest.mark.skipif(not ARANGO_URL, reason="DSGRID_TEST_ARANGO_URL is not set: no ArangoDB server")
def test_a_copy_into_arangodb(efs_registry_template, tmp_path, test_data, dsgrid, monkeypatch):
    import uuid
    from dataclasses import replace

    from dsgrid_core.registry.arango_store import ArangoStore
    from dsgrid_core.registry.arango_url import ArangoUrl

    url = replace(
        ArangoUrl.parse(ARANGO_URL, database_required=False),
        database=f"dsgrid_copy_{uuid.uuid4().hex[:12]}",
    )
    monkeypatch.setenv("DSGRID_REGISTRY_HOME", str(tmp_path / "home"))
    try:
        done = dsgrid(
            "registry", "copy", "--from", efs_registry_template, "--to", str(url),
            "--data-root", tmp_path / "data",
        )  # fmt: skip
        assert done.exit_code == 0, done
        assert _everything(str(url)) == _everything(efs_registry_template)
        _same_queries(efs_registry_template, str(url), test_data, exact=True)
    finally:
        ArangoStore.drop_database(url)


def test_a_copy_into_a_registry_that_is_not_empty_is_refused_and_changes_nothing(
    efs_registry_template, efs_registry, tmp_path, dsgrid, snapshot
):
    before = snapshot(efs_registry)
    refused = dsgrid("registry", "copy", "--from", efs_registry_template, "--to", efs_registry)
    assert refused.exit_code == 2
    assert "is not empty" in refused.stderr and "Nothing was changed" in refused.stderr
    assert snapshot(efs_registry) == before
    # a folder holding something else
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    refused = dsgrid("registry", "copy", "--from", efs_registry_template, "--to", other)
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    # the same registry
    same = dsgrid("registry", "copy", "--from", efs_registry, "--to", efs_registry)
    assert same.exit_code == 2 and "same registry" in same.stderr
    assert snapshot(efs_registry) == before


def test_a_copy_into_an_empty_registry_with_s3_data_refuses_a_prefix_that_is_not_empty(
    efs_registry_template, tmp_path, dsgrid, s3_bucket
):
    client = s3_bucket.server.client()
    client.put_object(Bucket=s3_bucket.name, Key="taken/something", Body=b"x")
    refused = dsgrid(
        "registry", "copy", "--from", efs_registry_template, "--to", tmp_path / "t",
        "--data-root", s3_bucket.url("taken"),
    )  # fmt: skip
    assert refused.exit_code == 2 and "is not empty" in refused.stderr
    assert s3_bucket.keys("taken/") == ["taken/something"]
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("where", ["folder", "s3"])
def test_a_copy_that_fails_part_way_leaves_the_target_as_it_was(
    where, efs_registry_template, tmp_path, s3_bucket, monkeypatch
):
    """The metadata fails after every data file was published: the transaction rolls back and
    the data goes again."""
    from dsgrid_core.registry.copy import copy_between
    from dsgrid_core.registry.sqlite_store import SqliteStore

    calls = {"n": 0}
    original = SqliteStore.put_mapping_records

    def fail_late(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated failure part-way")
        return original(self, *args)

    monkeypatch.setattr(SqliteStore, "put_mapping_records", fail_late)
    target = tmp_path / "target"
    data_root = s3_bucket.url("failed") if where == "s3" else None
    with pytest.raises(RuntimeError, match="simulated"):
        copy_between(str(efs_registry_template), str(target), data_root=data_root)
    assert calls["n"] == 3
    assert not target.exists()  # made by the copy: gone again
    assert s3_bucket.keys("failed/") == []

    # into an existing empty registry: it stays an empty, whole registry
    Registry.create(target, data_root=s3_bucket.url("failed2") if where == "s3" else None).close()
    calls["n"] = 0
    with pytest.raises(RuntimeError, match="simulated"):
        copy_between(str(efs_registry_template), str(target))
    with Registry(target) as registry:
        assert registry.list() == [] and registry.data.is_empty()
        assert registry.check().ok
    assert s3_bucket.keys("failed2/") == []


def test_a_damaged_source_is_not_copied(efs_registry, tmp_path, dsgrid):
    table = next((efs_registry / "data" / "test_efs_comstock").rglob("table.parquet"))
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))
    target = tmp_path / "target"
    refused = dsgrid("registry", "copy", "--from", efs_registry, "--to", target)
    assert refused.exit_code == 2
    assert "does not have its recorded size and SHA-256" in refused.stderr
    assert not target.exists()
