"""A standalone Spark cluster for the tests: a master and two workers started with pyspark's own
``spark-class`` on 127.0.0.1 (bounded cores and memory), and a query runner that holds a classic
SparkSession on it in a child process.

Why a child process: a Python process holds one SparkContext, and the test session's is the
local one ("local[2]"). The child runs exactly what `dsgrid query run --engine spark` runs
(run_query with master spark://...), one request at a time over its stdin and stdout (JSON
lines, tests/spark_cluster_driver.py); each result comes back as its folder of Parquet files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 180  # seconds for the master, the workers or the child's first answer
WORKERS = 2
WORKER_CORES = 1
WORKER_MEMORY = "1g"  # each worker hosts one executor of this size at most


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(logs: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(logs),
        "SPARK_WORKER_DIR": str(logs / "work"),
        "SPARK_DAEMON_MEMORY": "512m",
        "PYSPARK_PYTHON": sys.executable,
    }


def _wait_for(log: Path, text: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace") if log.exists() else ""
        if text in content:
            return
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{content[-3000:]}")
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT} s: see {log}")


@dataclass
class StandaloneCluster:
    """A running master and its workers; ``stop`` ends them all."""

    master: str
    logs: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    _files: list = field(default_factory=list)

    @classmethod
    def start(cls, logs: Path, workers: int = WORKERS) -> StandaloneCluster:
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise RuntimeError(
                "Java 17 is needed for the Spark tests (apt-get install openjdk-17-jre-headless)"
            )
        logs.mkdir(parents=True, exist_ok=True)
        (logs / "work").mkdir(exist_ok=True)
        port = free_port()
        cluster = cls(master=f"spark://127.0.0.1:{port}", logs=logs)
        try:
            master_log = logs / "master.log"
            master = cluster._launch(
                master_log,
                "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port()),
            )  # fmt: skip
            _wait_for(master_log, "I have been elected leader", master, "the Spark master")
            for n in range(workers):
                worker_log = logs / f"worker-{n}.log"
                worker = cluster._launch(
                    worker_log,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", str(WORKER_CORES),
                    "--memory", WORKER_MEMORY, "--webui-port", str(free_port()),
                    "--work-dir", str(logs / "work"), cluster.master,
                )  # fmt: skip
                _wait_for(
                    worker_log, "Successfully registered with master", worker, "a Spark worker"
                )
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _launch(self, log: Path, main_class: str, *args: str) -> subprocess.Popen:
        out = open(log, "w")  # noqa: SIM115 - closed by stop()
        self._files.append(out)
        process = subprocess.Popen(  # noqa: S603 - pyspark's own launcher
            [str(spark_home() / "bin" / "spark-class"), main_class, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_environment(self.logs),
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):  # workers first, then the master
            _end(process)
        self.processes.clear()
        for out in self._files:
            out.close()
        self._files.clear()


def _end(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


class RemoteQueryError(Exception):
    """A failure in the child that is none of dsgrid_core's own error types (its traceback is
    in the runner's driver.log)."""


class ClusterQueryRunner:
    """run_query on the cluster, in a child process holding the classic SparkSession."""

    def __init__(self, master: str, scratch: Path):
        self.master = master
        self.scratch = scratch
        self._count = 0
        scratch.mkdir(parents=True, exist_ok=True)
        self._log = open(scratch / "driver.log", "w")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(Path(__file__).with_name("spark_cluster_driver.py")), master],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable},
            start_new_session=True,
        )
        answer = self._receive()  # the child says "ready" once its session is up
        if not answer.get("ready"):
            raise RuntimeError(f"the cluster's query driver did not start: {answer}")

    def run(self, registry: Path, *, query: dict | None = None, path: Path | None = None):
        """The QueryResult of a query (a dict, or a query file); our own errors are raised
        again with their type and message."""
        from dsgrid_core import errors
        from dsgrid_core.query.run import QueryResult

        self._count += 1
        out = self.scratch / f"result-{self._count}"
        request = {
            "registry": str(registry),
            "query": query,
            "path": str(path) if path else None,
            "out": str(out),
        }
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self._receive()
        if answer["ok"]:
            return QueryResult(out, answer["metadata"])
        error_type = getattr(errors, answer["type"], None)
        if isinstance(error_type, type) and issubclass(error_type, errors.DsgridError):
            raise error_type(answer["message"], details=answer["details"])
        raise RemoteQueryError(f"{answer['type']}: {answer['message']}")

    def _receive(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self._log.flush()
            log = (self.scratch / "driver.log").read_text(errors="replace")
            raise RuntimeError(f"the cluster's query driver stopped:\n{log[-3000:]}")
        return json.loads(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # the child stops its session and exits
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                _end(self.process)
        self._log.close()
