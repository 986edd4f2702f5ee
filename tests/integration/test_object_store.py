"""A registry whose data lives on an S3-compatible object store (s3://bucket/prefix), against a
local moto server on 127.0.0.1 (or DSGRID_TEST_S3_ENDPOINT): registration stages locally and
publishes to the bucket, DuckDB reads the bucket through pyarrow, queries and the viewer give
what they give on a folder registry, `registry check` hashes the bucket, unfinished work on the
bucket is reported and removed, refused work leaves the bucket as it was, and credentials
never reach the registry or a message. Spark needs hadoop-aws, which is not on this machine:
it says so."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import json5
import pandas as pd
import pytest

from dsgrid_core.errors import AlreadyExistsError, CheckFailed, DsgridError, InputError
from dsgrid_core.registry.registry import Registry
from dsgrid_core.service import run_query

QUERIES = "test_efs/queries"
UNPIVOTED_DIR = "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted"
UNPIVOTED_DATA = "datasets/test_efs_comstock_unpivoted"
DATASETS = ("test_efs_comstock", "test_efs_comstock_unpivoted", "test_efs_comstock_time_in_parts")


@pytest.fixture(scope="module")
def s3_registry(s3_bucket, test_data, tmp_path_factory, dsgrid) -> Path:
    """test_efs bulk-registered into a folder registry whose data root is s3://bucket/efs."""
    path = tmp_path_factory.mktemp("s3") / "registry"
    created = dsgrid("registry", "create", path, "--data-root", s3_bucket.url("efs"))
    assert created.exit_code == 0, created
    done = dsgrid(
        "registry", "bulk-register", test_data / "test_efs_registration.json5", registry=path
    )
    assert done.exit_code == 0, done
    return path


def _frame(registry_path: Path, query: dict, engine: str = "duckdb") -> pd.DataFrame:
    with Registry(registry_path, read_only=True) as registry:
        result = run_query(registry, query, engine=engine, use_cache=False)
    frame = result.table.to_pandas()
    keys = [c for c in frame.columns if c != "value"]
    return frame.sort_values(keys).reset_index(drop=True)


def _same(on_s3: pd.DataFrame, on_folder: pd.DataFrame) -> None:
    """The same rows, keys and types; values equal up to the order of floating-point sums
    (DuckDB sums an Arrow scan's batches in parallel, a single-file read_parquet in order)."""
    assert len(on_s3) > 0
    pd.testing.assert_frame_equal(on_s3, on_folder, check_exact=False, rtol=1e-12, atol=0)


def _registration_config(tmp_path: Path, test_data: Path, data: pd.DataFrame, dataset_id: str):
    """dsgrid's comstock_unpivoted dataset under a new id, with ``data`` as its rows."""
    folder = tmp_path / dataset_id
    shutil.copytree(test_data / UNPIVOTED_DIR / "dimensions", folder / "dimensions")
    shutil.copytree(
        test_data / UNPIVOTED_DATA / "missing_associations", folder / "missing_associations"
    )
    data.to_parquet(folder / "load_data.parquet", index=False)
    config = (test_data / UNPIVOTED_DIR / "dataset.json5").read_text()
    config = config.replace("../../../../../datasets/test_efs_comstock_unpivoted/", "")
    config = config.replace('"test_efs_comstock_unpivoted"', f'"{dataset_id}"')
    (folder / "dataset.json5").write_text(config)
    return folder / "dataset.json5"


# --- the data is on the bucket, and reads as it does from a folder -----------------------------


def test_registration_publishes_every_dataset_version_to_the_bucket(s3_registry, s3_bucket):
    keys = s3_bucket.keys("efs/")
    with Registry(s3_registry, read_only=True) as registry:
        kept = {d: registry.show("dataset", d).extra["summaries"] for d in DATASETS}
    # the summaries over time and per local month; the one per local day takes 8 % of these
    # small tables (187 kB), over the 5 % the summaries may take together (as do those over
    # geography: 8 counties)
    assert {d: sorted(k) for d, k in kept.items()} == dict.fromkeys(DATASETS, ["month", "total"])
    expected = sorted(
        f"efs/{d}/1.0.0/{name}"
        for d in DATASETS
        # the table, the declared missing combinations and the summaries (all datetime, in one
        # zone)
        for name in (
            "missing_associations.parquet",
            "summary_month.parquet",
            "summary_total.parquet",
            "table.parquet",
        )
    )
    assert keys == expected  # nothing staged is left, no directory markers
    assert not any((s3_registry / ".staging").iterdir())  # the local staging is gone too
    assert not (s3_registry / "data").exists()
    with Registry(s3_registry, read_only=True) as registry:
        assert registry.data.root == s3_bucket.url("efs")
        located = registry.dataset_table_path("test_efs_comstock")
        assert located == s3_bucket.url("efs/test_efs_comstock/1.0.0/table.parquet")
        sizes = {d: registry.show("dataset", d).size_bytes for d in DATASETS}
        assert registry.data.size_of() >= sum(sizes.values())


@pytest.mark.parametrize("name", ["baseline", "five_year_intervals"])
def test_a_project_query_on_s3_data_equals_it_on_a_folder_registry(
    name, s3_registry, efs_registry_template, test_data
):
    query = json5.loads((test_data / QUERIES / f"{name}.json5").read_text())
    _same(_frame(s3_registry, query), _frame(efs_registry_template, query))


def test_a_dataset_query_with_a_filter_on_s3_data_equals_it_on_a_folder_registry(
    s3_registry, efs_registry_template
):
    query = {
        "name": "one_county",
        "dataset_id": "test_efs_comstock_unpivoted",
        "aggregations": [
            {"dimensions": {"time": [{"dimension_name": "time", "function": "start_of_day"}]}}
        ],
        "column_type": "dimension_types",
        "dimension_filters": [
            {
                "filter_type": "column_operator",
                "dimension_type": "geography",
                "dimension_name": "geography",
                "operator": "isin",
                "value": ["08031"],
            }
        ],
    }
    _same(_frame(s3_registry, query), _frame(efs_registry_template, query))


def test_the_viewer_previews_and_maps_coverage_of_s3_data(s3_registry, efs_registry_template):
    from dsgrid_core.browse.datasets import coverage, dataset_facts, preview
    from dsgrid_core.browse.paging import Filter
    from dsgrid_core.browse.projects import project_coverage

    def views(path: Path) -> dict:
        with Registry(path, read_only=True) as registry:
            out = {}
            status = registry.show("project", "test_efs").extra["datasets"]
            for d in DATASETS:
                page = preview(
                    registry,
                    d,
                    filters=[Filter("geography", "exact", "08031")],
                    sort=[("metric", False), ("timestamp", True), ("subsector", False)],
                    limit=50,
                    offset=10,
                )
                out[d] = {
                    "preview": (page.total, page.items),
                    "coverage": coverage(registry, d, x="geography", y="subsector"),
                    "facts": dataset_facts(registry, d),
                    "project": (
                        project_coverage(registry, "test_efs", d)
                        if status.get(d, {}).get("status") == "Registered"
                        else None
                    ),
                }
            return out

    on_s3, on_folder = views(s3_registry), views(efs_registry_template)
    assert on_s3 == on_folder
    assert on_s3["test_efs_comstock"]["preview"][0] > 0
    assert on_s3["test_efs_comstock"]["coverage"]["counts"]["declared_missing"] > 0
    assert on_s3["test_efs_comstock"]["project"]["counts"]["present"] > 0


def test_registry_check_hashes_the_data_on_the_bucket(s3_registry, dsgrid):
    checked = dsgrid("registry", "check", registry=s3_registry, as_json=True)
    assert checked.exit_code == 0, checked
    report = checked.json()
    assert report["ok"] and report["findings"] == []
    with Registry(s3_registry, read_only=True) as registry:
        records = [registry.show("dataset", d) for d in DATASETS]
    # each table and its summary over time, with the sizes their version records keep
    tables = sum(r.size_bytes for r in records)
    summaries = sum(e["size_bytes"] for r in records for e in r.extra["summaries"].values())
    assert summaries > 0
    assert report["counted"]["data_bytes_hashed"] == tables + summaries


def test_registry_check_finds_a_changed_or_missing_object(
    s3_bucket, efs_registry_template, tmp_path
):
    from dsgrid_core.registry.copy import copy_between

    path = tmp_path / "registry"
    copy_between(str(efs_registry_template), str(path), data_root=s3_bucket.url("damaged"))
    client = s3_bucket.server.client()
    changed = "damaged/test_efs_comstock/1.0.0/table.parquet"
    body = client.get_object(Bucket=s3_bucket.name, Key=changed)["Body"].read()
    client.put_object(Bucket=s3_bucket.name, Key=changed, Body=body[:-8] + b"XXXXXXXX")
    client.delete_object(
        Bucket=s3_bucket.name, Key="damaged/test_efs_comstock_unpivoted/1.0.0/table.parquet"
    )
    with Registry(path, read_only=True) as registry:
        lines = [f.line() for f in registry.check().findings]
    assert any("test_efs_comstock 1.0.0" in x and "SHA-256" in x for x in lines), lines
    assert any("test_efs_comstock_unpivoted 1.0.0" in x and "missing" in x for x in lines), lines


# --- unfinished and refused work ----------------------------------------------------------------

KILLER = """
import os, signal, sys
from pathlib import Path
from dsgrid_core.data.object_store import ObjectDataStore
from dsgrid_core.registry.registry import Registry

registry, point, bulk = sys.argv[1], sys.argv[2], sys.argv[3]
original = getattr(ObjectDataStore, point)

def then_die(self, *args, **kwargs):
    original(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

setattr(ObjectDataStore, point, then_die)
with Registry(registry) as reg:
    reg.bulk_register(Path(bulk))
"""


@pytest.mark.parametrize("point", ["prepare_publish", "publish"])
def test_a_registration_killed_before_its_row_commits_leaves_keys_that_the_next_check_removes(
    point, s3_bucket, test_data, tmp_path, dsgrid
):
    prefix = f"killed-{point}"
    path = tmp_path / "registry"
    assert dsgrid("registry", "create", path, "--data-root", s3_bucket.url(prefix)).exit_code == 0
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    bulk = test_data / "test_efs_registration.json5"
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(script), str(path), point, str(bulk)],
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    left = s3_bucket.keys(f"{prefix}/")
    assert any(k.endswith("/owner.json") for k in left), left
    published = sorted({k.split("/")[1] for k in left if "/.staging/" not in k})
    assert len(published) == (1 if point == "publish" else 0), left

    with Registry(path, read_only=True) as registry:  # a reader reports, removes nothing
        findings = registry.check().findings
    assert findings and {f.area for f in findings} == {"leftovers"}, findings
    shown = " ".join(f.where for f in findings)
    assert s3_bucket.url(f"{prefix}/.staging/") in shown
    for dataset_id in published:
        assert s3_bucket.url(f"{prefix}/{dataset_id}/1.0.0/") in shown
    assert s3_bucket.keys(f"{prefix}/") == left

    # `registry check` that can write recovers first, as SQLite rolls back a hot journal: the
    # leftovers are removed and the check passes.
    checked = dsgrid("registry", "check", registry=path, as_json=True)
    assert checked.exit_code == 0, checked.stdout
    report = checked.json()
    assert report["recovered"]["data_folders"] == len(findings), report
    assert not report["findings"], report
    assert s3_bucket.keys(f"{prefix}/") == []  # as before the killed registration
    with Registry(path, read_only=True) as registry:
        assert registry.check().ok
        assert registry.list("project") and not registry.list("dataset")
    assert not any((path / ".staging").iterdir())


def test_another_machines_unfinished_publication_is_left_alone_for_an_hour(
    s3_bucket, tmp_path, dsgrid, monkeypatch
):
    """A staging prefix whose publisher runs elsewhere may still commit: not a leftover
    until it is an hour old, and neither is the version it is publishing."""
    from dsgrid_core.data import object_store

    prefix = "elsewhere"
    path = tmp_path / "registry"
    assert dsgrid("registry", "create", path, "--data-root", s3_bucket.url(prefix)).exit_code == 0
    client = s3_bucket.server.client()
    marker = {"target": "some_dataset/1.0.0", "owner": {"host": "another-machine", "pid": 1}}
    client.put_object(
        Bucket=s3_bucket.name,
        Key=f"{prefix}/.staging/abc/owner.json",
        Body=json.dumps(marker).encode(),
    )
    client.put_object(
        Bucket=s3_bucket.name, Key=f"{prefix}/some_dataset/1.0.0/table.parquet", Body=b"x"
    )
    with Registry(path, read_only=True) as registry:
        assert registry.check().ok
    monkeypatch.setattr(object_store, "STALE_AFTER", -1.0)  # as if an hour had passed
    with Registry(path, read_only=True) as registry:
        found = {f.where for f in registry.check().findings}
    assert found == {
        s3_bucket.url(f"{prefix}/.staging/abc") + "/",
        s3_bucket.url(f"{prefix}/some_dataset/1.0.0") + "/",
    }
    with Registry(path) as registry:
        assert registry.check().ok
    assert s3_bucket.keys(f"{prefix}/") == []


def test_a_refused_registration_leaves_the_bucket_as_it_was(
    s3_registry, s3_bucket, test_data, tmp_path, snapshot, monkeypatch
):
    raw = pd.read_parquet(test_data / UNPIVOTED_DATA / "load_data.parquet")
    before_keys, before_db = s3_bucket.keys(), snapshot(s3_registry)

    def unchanged():
        assert s3_bucket.keys() == before_keys
        assert snapshot(s3_registry) == before_db
        assert not any((s3_registry / ".staging").iterdir())

    with Registry(s3_registry) as registry:
        # registered already: refused before anything is staged
        again = test_data / "test_efs/dsgrid_project/datasets/modeled/comstock/dataset.json5"
        with pytest.raises(AlreadyExistsError):
            registry.register_dataset(again, "again", data_roots=[test_data])
        unchanged()
        # data that fails its check: refused after staging, before publishing
        short = _registration_config(tmp_path, test_data, raw.iloc[len(raw) // 3 :], "short")
        with pytest.raises(CheckFailed):
            registry.register_dataset(short, "rows missing")
        unchanged()
        # a failure after publishing (the commit fails): what was published is removed
        whole = _registration_config(tmp_path, test_data, raw, "whole_copy")
        transaction = registry.store.transaction

        @contextlib.contextmanager
        def failing_commit():
            with transaction():
                yield
                if s3_bucket.keys("efs/whole_copy/"):  # published: the last step before commit
                    raise RuntimeError("simulated failure of the commit")

        monkeypatch.setattr(registry.store, "transaction", failing_commit)
        with pytest.raises(RuntimeError, match="simulated"):
            registry.register_dataset(whole, "publish, then fail")
        unchanged()


def test_credentials_never_reach_the_registry_or_a_message(
    s3_registry, s3_bucket, tmp_path, dsgrid, monkeypatch
):
    secrets = [
        v.encode()
        for v in (os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY"))
        if v
    ]
    assert secrets
    for file in s3_registry.rglob("*"):
        if file.is_file():
            content = file.read_bytes()
            assert not any(s in content for s in secrets), file
    with Registry(s3_registry, read_only=True) as registry:
        assert registry.store.get_meta("data_root") == s3_bucket.url("efs")

    messages = []
    key, secret = (s.decode() for s in secrets[:2])
    for data_root in (f"s3://{key}:{secret}@{s3_bucket.name}/x", "s3://no-such-bucket-dsgrid/x"):
        with pytest.raises(InputError) as refused:
            Registry.create(tmp_path / "refused", data_root=data_root)
        messages.append(str(refused.value))
        assert not (tmp_path / "refused").exists()
    assert "NoSuchBucket" in messages[-1]
    created = dsgrid(
        "registry", "create", tmp_path / "r2", "--data-root", "s3://no-such-bucket-x/y"
    )
    assert created.exit_code == 2
    messages.append(created.stderr)

    monkeypatch.setenv("DSGRID_S3_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    unreachable = dsgrid("registry", "check", registry=s3_registry, as_json=True)
    assert unreachable.exit_code == 2 and "reachable" in unreachable.stderr
    messages += [unreachable.stderr, unreachable.stdout]
    with Registry(s3_registry, read_only=True) as registry, pytest.raises(DsgridError) as failed:
        run_query(registry, {"name": "q", "dataset_id": "test_efs_comstock"}, use_cache=False)
    messages.append(str(failed.value))
    for message in messages:
        assert message.strip()
        assert not any(s.decode() in message for s in secrets), message


# --- engines ------------------------------------------------------------------------------------


def test_duckdb_reads_s3_data_without_gaining_access_to_local_files(s3_registry, tmp_path):
    import duckdb

    from dsgrid_core.engine.duckdb_engine import DuckDBEngine

    local = tmp_path / "secret.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(local)
    with Registry(s3_registry, read_only=True) as registry:
        location = registry.dataset_table_path("test_efs_comstock")
        rows = registry.show("dataset", "test_efs_comstock").row_count
    engine = DuckDBEngine()
    try:
        engine.register_parquet("data", location)
        engine.lock_down(writable=[tmp_path / "out"])
        assert engine.execute("SELECT count(*) AS n FROM data").to_pydict()["n"] == [rows]
        with pytest.raises(duckdb.PermissionException):
            engine.execute(f"SELECT * FROM read_parquet('{local}')")
    finally:
        engine.close()


@pytest.mark.spark
def test_spark_on_s3_data_says_hadoop_aws_is_needed(s3_registry, test_data):
    from dsgrid_core.data.s3 import bundled_hadoop_version

    version = bundled_hadoop_version()
    assert version  # pyspark ships hadoop-client-api-<version>.jar
    query = json5.loads((test_data / QUERIES / "baseline.json5").read_text())
    with Registry(s3_registry, read_only=True) as registry, pytest.raises(InputError) as refused:
        run_query(registry, query, engine="spark", use_cache=False)
    message = str(refused.value)
    assert f"spark.jars.packages org.apache.hadoop:hadoop-aws:{version}" in message
    assert "S3AFileSystem" in message
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in message


# --- pieces -------------------------------------------------------------------------------------


def test_s3_urls_hold_a_bucket_and_a_prefix_and_never_credentials():
    from dsgrid_core.data.s3 import S3Url

    url = S3Url.parse("s3://my-bucket/some/prefix/")
    assert (url.bucket, url.prefix) == ("my-bucket", "some/prefix")
    assert url.key("ds/1.0.0/table.parquet") == "some/prefix/ds/1.0.0/table.parquet"
    assert url.url("ds/1.0.0") == "s3://my-bucket/some/prefix/ds/1.0.0"
    assert S3Url.parse("s3://my-bucket").key("a") == "a"
    for bad, reason in (
        ("s3://KEY:SECRET@bucket/p", "must not hold credentials"),
        ("s3://Bad_Bucket/p", "not an S3 bucket name"),
        ("s3://bucket/a//b", "empty"),
        ("s3://bucket/../b", "'..'"),
        ("s3://bucket/p?x=1", r"no \?query"),
    ):
        with pytest.raises(InputError, match=reason) as refused:
            S3Url.parse(bad)
        assert "KEY:SECRET" not in str(refused.value)


def test_spark_reads_s3a_with_settings_from_the_aws_environment():
    from dsgrid_core.data.s3 import S3Settings, missing_s3a_message, s3a_settings, s3a_url

    assert (
        s3a_url("s3://bucket/p/ds/1.0.0/table.parquet") == "s3a://bucket/p/ds/1.0.0/table.parquet"
    )
    assert s3a_url("/data/x.parquet") == "/data/x.parquet"
    minio = S3Settings(endpoint="http://127.0.0.1:9000", region="us-west-2")
    keys = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
    assert s3a_settings(minio, keys) == {
        "fs.s3a.endpoint": "http://127.0.0.1:9000",
        "fs.s3a.path.style.access": "true",
        "fs.s3a.connection.ssl.enabled": "false",
        "fs.s3a.endpoint.region": "us-west-2",
        "fs.s3a.access.key": "k",
        "fs.s3a.secret.key": "s",
        "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }
    temporary = s3a_settings(S3Settings(None, None), {**keys, "AWS_SESSION_TOKEN": "t"})
    assert temporary["fs.s3a.session.token"] == "t"
    assert temporary["fs.s3a.aws.credentials.provider"].endswith("TemporaryAWSCredentialsProvider")
    profile = s3a_settings(S3Settings(None, None), {"AWS_PROFILE": "team"})
    assert profile == {
        "fs.s3a.aws.credentials.provider": (
            "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider"
        )
    }
    message = missing_s3a_message("3.5.0")
    assert "spark.jars.packages org.apache.hadoop:hadoop-aws:3.5.0" in message


def test_the_endpoint_comes_from_dsgrid_s3_endpoint_else_the_aws_variables(monkeypatch):
    from dsgrid_core.data.s3 import S3Settings

    for name in ("DSGRID_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert S3Settings.from_env() == S3Settings(endpoint=None, region=None)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://ceph.example.org:7480/")
    assert S3Settings.from_env().endpoint == "https://ceph.example.org:7480"
    monkeypatch.setenv("DSGRID_S3_ENDPOINT", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert S3Settings.from_env() == S3Settings("http://127.0.0.1:9000", "eu-west-1")
    monkeypatch.setenv("DSGRID_S3_ENDPOINT", "http://user:pw@127.0.0.1:9000")
    with pytest.raises(InputError, match="must not hold credentials") as refused:
        S3Settings.from_env()
    assert "pw" not in str(refused.value).replace("password", "")
