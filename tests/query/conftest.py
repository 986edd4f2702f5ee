"""Query tests run on every engine: DuckDB, Spark local mode and a local Spark Connect server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ENGINES = ["duckdb", "spark", "spark_connect"]


@dataclass
class EngineChoice:
    name: str
    options: dict = field(default_factory=dict)
    label: str = ""


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


@pytest.fixture(params=ENGINES)
def engine(request) -> EngineChoice:
    if request.param == "duckdb":
        return EngineChoice("duckdb", {}, "duckdb")
    request.applymarker(pytest.mark.spark)
    if request.param == "spark":
        return EngineChoice("spark", {"master": "local[2]"}, "spark")
    master = request.getfixturevalue("spark_connect_master")
    return EngineChoice("spark", {"master": master}, "spark_connect")


@pytest.fixture
def duckdb_engine() -> EngineChoice:
    """DuckDB alone: for refusals and checks that do not depend on the engine."""
    return EngineChoice("duckdb", {}, "duckdb")


def run(registry_path, query: dict, engine: EngineChoice):
    """Run a query dict on an engine, without the cache; returns (DataFrame, QueryResult)."""
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    with Registry(registry_path, read_only=True) as registry:
        result = run_query(
            registry,
            parse_query(query),
            engine=engine.name,
            engine_options=engine.options,
            use_cache=False,
        )
    assert result.metadata["engine"] == engine.name
    return result.table.to_pandas(), result


@pytest.fixture(scope="session")
def run_query_on():
    return run
