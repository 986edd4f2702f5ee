"""Shared test set-up. Sections are independent: add new ones below, each with its own header."""

from __future__ import annotations

import os
import shutil

import pytest

# ---------------------------------------------------------------------------------------------
# Browser: dash[testing] drives Debian's chromium through its chromedriver (`--headless`).
# ---------------------------------------------------------------------------------------------

# Debian's packages: apt-get install chromium chromium-driver (scripts/test.sh does it).
CHROMIUM_BINARY = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium")

# --no-sandbox: we run as root; --disable-dev-shm-usage: /dev/shm is small in containers; the
# rest keep Chromium from reaching for the network (there is none) and from logging about it.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest.hookimpl(optionalhook=True)  # the hook exists only when dash[testing] is installed
def pytest_setup_options():
    """Chrome options for every dash_duo browser (dash.testing takes the first answer)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if CHROMIUM_BINARY:
        options.binary_location = CHROMIUM_BINARY
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    return options


def pytest_sessionfinish(session, exitstatus):
    """Stop Spark before the interpreter exits: a live JVM gateway can keep pytest from
    exiting after the summary."""
    import sys

    if "dsgrid_core.engine.spark_engine" in sys.modules:
        sys.modules["dsgrid_core.engine.spark_engine"].stop_sessions()


# ---------------------------------------------------------------------------------------------
# Registries: the real dsgrid test data (../shared/dsgrid-test-data) registered once per
# session, copied for every test that changes it.
# ---------------------------------------------------------------------------------------------

import hashlib  # noqa: E402
import sqlite3  # noqa: E402
from pathlib import Path  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(
    os.environ.get("DSGRID_TEST_DATA", REPO_ROOT.parent / "shared" / "dsgrid-test-data")
)
EFS_BULK = TEST_DATA / "test_efs_registration.json5"


@pytest.fixture(scope="session")
def test_data() -> Path:
    if not EFS_BULK.exists():
        pytest.skip(f"dsgrid test data not found at {TEST_DATA} (set DSGRID_TEST_DATA)")
    return TEST_DATA


class CliResult:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        import json

        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"<exit {self.exit_code}\nstdout: {self.stdout}\nstderr: {self.stderr}>"


def run_dsgrid(
    *args: str | Path, registry: Path | None = None, as_json: bool = False, env: dict | None = None
) -> CliResult:
    """Run the dsgrid CLI in-process, as a user would from a shell."""
    from click.testing import CliRunner

    from dsgrid_core.cli.main import cli

    argv: list[str] = []
    if registry is not None:
        argv += ["--registry", str(registry)]
    if as_json:
        argv.append("--json")
    argv += [str(a) for a in args]
    result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        raise AssertionError(
            "unexpected traceback:\n" + "".join(traceback.format_exception(result.exception))
        )
    return CliResult(result)


@pytest.fixture(scope="session")
def dsgrid():
    return run_dsgrid


@pytest.fixture(scope="session")
def efs_registry_template(tmp_path_factory, test_data) -> Path:
    path = tmp_path_factory.mktemp("efs") / "registry"
    assert run_dsgrid("registry", "create", path).exit_code == 0
    result = run_dsgrid(
        "registry", "bulk-register", test_data / "test_efs_registration.json5", registry=path
    )
    assert result.exit_code == 0, result
    return path


@pytest.fixture
def efs_registry(efs_registry_template, tmp_path) -> Path:
    """A private copy of the registered test_efs registry."""
    target = tmp_path / "registry"
    shutil.copytree(efs_registry_template, target)
    return target


@pytest.fixture
def empty_registry(tmp_path) -> Path:
    path = tmp_path / "empty_registry"
    assert run_dsgrid("registry", "create", path).exit_code == 0
    return path


def registry_snapshot(path: Path) -> tuple[str, tuple]:
    """Everything a registry holds: the database content and every data file with its hash."""
    con = sqlite3.connect(f"file:{path / 'registry.db'}?mode=ro", uri=True)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    files = []
    for file in sorted((path / "data").rglob("*")):
        if file.is_file():
            files.append(
                (str(file.relative_to(path)), hashlib.sha256(file.read_bytes()).hexdigest())
            )
        else:
            files.append((str(file.relative_to(path)), "dir"))
    return hashlib.sha256(dump.encode()).hexdigest(), tuple(files)


@pytest.fixture
def snapshot():
    return registry_snapshot


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory):
    """A small demo registry, with the generated input files kept for independent checks:
    (registry folder, folder of the generated project inputs)."""
    root = tmp_path_factory.mktemp("demo")
    registry, inputs = root / "registry", root / "inputs"
    result = run_dsgrid("demo", registry, "--scale", "small", "--work-dir", inputs)
    assert result.exit_code == 0, result
    return registry, inputs / "demo_us_buildings"


@pytest.fixture
def demo_registry_copy(demo_registry, tmp_path) -> Path:
    """A private copy of the demo registry, for tests that write (jobs, registrations)."""
    target = tmp_path / "demo_registry"
    shutil.copytree(demo_registry[0], target)
    return target


# ---------------------------------------------------------------------------------------------
# Object stores: an S3-compatible server for s3:// data roots. moto's server mode on 127.0.0.1
# (started here, in a thread), or a real endpoint (MinIO, Ceph) named by DSGRID_TEST_S3_ENDPOINT
# with credentials in the AWS environment variables. Each test module gets its own bucket.
# ---------------------------------------------------------------------------------------------

import uuid  # noqa: E402
from dataclasses import dataclass  # noqa: E402

# Credentials of the local server: distinctive, so the tests can tell they never leak.
S3_TEST_KEY_ID = "AKIADSGRIDTEST7Q2X"
S3_TEST_SECRET = "dsgrid-test-secret-5f1b9c0e7a"  # noqa: S105 - a fake server's
S3_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "DSGRID_S3_ENDPOINT",
)


@dataclass
class S3Server:
    endpoint: str
    env: dict[str, str]  # what the code under test reads from the environment
    local: bool  # moto started by the tests (credentials are the test's own)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.env.get("AWS_REGION", "us-east-1"),
            aws_access_key_id=self.env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=self.env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=self.env.get("AWS_SESSION_TOKEN"),
        )


@pytest.fixture(scope="session")
def s3_server():
    endpoint = os.environ.get("DSGRID_TEST_S3_ENDPOINT")
    if endpoint:
        env = {k: os.environ[k] for k in S3_VARIABLES if os.environ.get(k)}
        env["DSGRID_S3_ENDPOINT"] = endpoint.rstrip("/")
        env.setdefault("AWS_REGION", "us-east-1")
        yield S3Server(endpoint.rstrip("/"), env, local=False)
        return
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        "AWS_ACCESS_KEY_ID": S3_TEST_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_TEST_SECRET,
        "AWS_REGION": "us-east-1",
        "DSGRID_S3_ENDPOINT": endpoint,
    }
    try:
        yield S3Server(endpoint, env, local=True)
    finally:
        server.stop()


@dataclass
class S3Bucket:
    server: S3Server
    name: str

    def url(self, prefix: str = "") -> str:
        return f"s3://{self.name}/{prefix}".rstrip("/")

    def keys(self, prefix: str = "") -> list[str]:
        client = self.server.client()
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        ):
            found += [o["Key"] for o in page.get("Contents", [])]
        return sorted(found)

    def empty(self) -> None:
        client = self.server.client()
        keys = self.keys()
        for start in range(0, len(keys), 1000):
            client.delete_objects(
                Bucket=self.name,
                Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]]},
            )


@pytest.fixture(scope="module")
def s3_bucket(s3_server):
    """A new bucket, with the AWS environment of the server set for the whole module (and
    every other AWS variable cleared); emptied and deleted at the end."""
    with pytest.MonkeyPatch.context() as patch:
        for name in S3_VARIABLES:
            patch.delenv(name, raising=False)
        for name, value in s3_server.env.items():
            patch.setenv(name, value)
        bucket = S3Bucket(s3_server, f"dsgrid-test-{uuid.uuid4().hex[:12]}")
        s3_server.client().create_bucket(Bucket=bucket.name)
        try:
            yield bucket
        finally:
            bucket.empty()
            s3_server.client().delete_bucket(Bucket=bucket.name)


# ---------------------------------------------------------------------------------------------
# Spark Connect: one local server per session (pyspark's own sbin script), for every suite that
# runs queries on our Spark engine through a Connect client (tests/query, tests/compat_queries).
# Local Spark is one SparkSession per session too: every suite asks for master "local[2]".
# ---------------------------------------------------------------------------------------------

import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def spark_connect_master(tmp_path_factory):
    """A Spark Connect server on 127.0.0.1, started from pyspark's own sbin script."""
    import pyspark

    if shutil.which("java") is None:
        pytest.fail(
            "Java 17 is needed for the Spark tests (apt-get install openjdk-17-jre-headless)"
        )
    spark_home = Path(pyspark.__file__).parent
    port = _free_port()
    logs = tmp_path_factory.mktemp("spark-connect")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(logs),
        "SPARK_PID_DIR": str(logs),
        "PYSPARK_PYTHON": sys.executable,
    }
    log = open(logs / "server.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(  # noqa: S603 - pyspark's own script
        [
            shutil.which("bash") or "/bin/bash",
            str(spark_home / "sbin" / "start-connect-server.sh"),
            "--wait",
            "--master",
            "local[2]",
            "--conf",
            "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf",
            f"spark.connect.grpc.binding.port={port}",
            "--conf",
            "spark.sql.session.timeZone=UTC",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.sql.shuffle.partitions=4",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        text = (logs / "server.log").read_text(errors="replace")
        if "Spark Connect server started" in text:
            break
        if process.poll() is not None:
            pytest.fail(f"Spark Connect server exited:\n{text[-3000:]}")
        time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("Spark Connect server did not start within 180 s")
    master = f"sc://127.0.0.1:{port}"
    yield master
    from dsgrid_core.engine.spark_engine import stop_session

    stop_session(master)  # before the server goes: the client's exit hook would wait for it
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


# ---------------------------------------------------------------------------------------------
# A standalone Spark cluster (master and two workers from pyspark's spark-class, 127.0.0.1,
# bounded memory), and a child process that runs our queries on it with a classic session
# (tests/spark_cluster.py): the third Spark mode of tests/query and tests/compat_queries.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark_cluster_runner(tmp_path_factory):
    from spark_cluster import ClusterQueryRunner, StandaloneCluster

    logs = tmp_path_factory.mktemp("spark-cluster")
    try:
        cluster = StandaloneCluster.start(logs)
    except RuntimeError as exc:
        pytest.fail(f"cannot start the standalone Spark cluster: {exc}")
    try:
        runner = ClusterQueryRunner(cluster.master, logs / "runner")
    except BaseException:
        cluster.stop()
        raise
    yield runner
    runner.stop()
    cluster.stop()


# ---------------------------------------------------------------------------------------------
# The reference, ahead of its tests: the differential query suite (tests/compat_queries) waits
# about two minutes for the reference to register test_efs and the small StandardScenarios and
# to answer their query files. When that suite is selected, a thread does it, one reference
# process at a time, from the session's first test: beside the tests before it (the browser's
# wait on Chromium most of the time). Those reference processes have TMPDIRs of their own, so
# they cannot meet another test's reference process.
# ---------------------------------------------------------------------------------------------


def _reference_ahead(tmp_path_factory) -> None:
    """What the differential query suite's fixtures would do first (each of them locked and
    once per session: they find it done, or wait for it)."""
    from queries_corpus import missing_requirement
    from queries_session import start_reference
    from queries_standard_scenarios import reference_url, registered_by_the_reference
    from reference_cli import reference_efs_registry

    if missing_requirement() is not None:
        return
    url, _, _ = reference_efs_registry(tmp_path_factory, TEST_DATA)
    work = tmp_path_factory.mktemp("compat-ahead")
    start_reference("test_efs", url, work).process.wait()
    if missing_requirement("standard_scenarios") is None:
        side = registered_by_the_reference(tmp_path_factory)
        start_reference("standard_scenarios", reference_url(side), work)


@pytest.fixture(scope="session", autouse=True)
def reference_ahead(request, tmp_path_factory):
    import threading

    thread = None
    if any(item.path.parent.name == "compat_queries" for item in request.session.items):

        def ahead():
            try:
                _reference_ahead(tmp_path_factory)
            except Exception:  # noqa: BLE001, S110 - the suite's fixtures try again and say why
                pass

        thread = threading.Thread(target=ahead, name="reference-ahead", daemon=True)
        thread.start()
    yield
    if thread is not None:
        thread.join(timeout=900)
