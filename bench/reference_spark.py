"""The reference dsgrid-toolkit 0.4.0 on Spark, for the side-by-side benchmark: its own venv
(``dsgrid-toolkit[spark]==0.4.0``: pyspark 4.0.0, thrift), a Spark Thrift Server started from
that venv's pyspark, and the environment that points the reference's CLI at both.

The reference maps and converts time through chronify's Hive store, which reaches a Spark
Thrift Server at ``THRIFT_SERVER_URL``; with ``use_hive_metastore`` off (its default) chronify
reads the reference's Parquet files into views there and writes its output to Parquet, so the
server and the reference's own Spark session share no metastore. The server binds 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import common  # bench/ is the script's folder

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
INSTALL_HINT = (
    'python3.11 -m venv VENV && VENV/bin/pip install "dsgrid-toolkit[spark]==0.4.0" "pandas<3"'
)


def spark_home(venv: Path) -> Path:
    """The pyspark package folder of ``venv`` (its bin/spark-submit, its jars)."""
    found = sorted(venv.glob("lib/python3*/site-packages/pyspark"))
    if not found or not (found[0] / "bin" / "spark-submit").exists():
        raise SystemExit(f"no pyspark in {venv}; make the venv with: {INSTALL_HINT}")
    return found[0]


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the Spark Thrift Server stopped; its log: {log}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"the Spark Thrift Server did not listen within {timeout:.0f} s; log: {log}")


@dataclass(frozen=True)
class ThriftServer:
    pid: int  # its JVM (spark-submit execs it): its memory counts with the reference's
    url: str  # what the reference's THRIFT_SERVER_URL is set to


@contextmanager
def thrift_server(venv: Path, folder: Path, memory: str, cores: int) -> Iterator[ThriftServer]:
    """A Spark Thrift Server from ``venv``'s pyspark, local[cores], ``memory`` for its driver,
    its metastore and log in ``folder``; stopped on leaving."""
    home = spark_home(venv)
    folder.mkdir(parents=True, exist_ok=True)
    port = common.free_port()
    log = folder / "thrift-server.log"
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    cmd = [
        str(home / "bin" / "spark-submit"),
        "--class",
        THRIFT_SERVER_CLASS,
        "--master",
        f"local[{cores}]",
        "--driver-memory",
        memory,
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "spark-internal",
        "--hiveconf",
        "hive.server2.thrift.bind.host=127.0.0.1",
        "--hiveconf",
        f"hive.server2.thrift.port={port}",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            cmd, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_for_port(port, proc, log, timeout=180)
        yield ThriftServer(proc.pid, f"hive://127.0.0.1:{port}/default")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def reference_env(venv: Path, server: ThriftServer, memory: str, cores: int) -> dict[str, str]:
    """What makes the reference's CLI run on Spark: its backend, the server, its driver."""
    return {
        "DSGRID_BACKEND_ENGINE": "spark",
        "THRIFT_SERVER_URL": server.url,
        "SPARK_HOME": str(spark_home(venv)),
        "PYSPARK_PYTHON": str(venv / "bin" / "python"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_SUBMIT_ARGS": (
            f"--master local[{cores}] --driver-memory {memory} "
            "--conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false pyspark-shell"
        ),
    }
