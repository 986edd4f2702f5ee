"""Spark: local mode, a standalone cluster (spark://) or a Spark Connect server (sc://).

One SparkSession per process (starting one takes about 10 s). Java is required for local and
cluster masters; a Connect server needs only the client.

A statement stopped by ``SparkEngine.interrupt`` raises ``QueryInterrupted``, as on DuckDB:
Spark's own error says the job or operation was cancelled (py4j's SPARK_JOB_CANCELLED for
local and cluster masters, OPERATION_CANCELED from a Connect server).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from urllib.parse import urlparse

from sqlglot import exp

from dsgrid_core.data.s3 import (
    S3A_CLASS,
    S3Settings,
    bundled_hadoop_version,
    is_s3_url,
    missing_s3a_message,
    s3a_settings,
    s3a_url,
)
from dsgrid_core.engine.base import Engine, QueryInterrupted
from dsgrid_core.errors import InputError
from dsgrid_core.settings import get as setting

_SESSIONS: dict[str, object] = {}
SMALL_RESULT_ROWS = 2_000_000
# How Spark says a statement was stopped: a classic session's job (SPARK_JOB_CANCELLED, "Job 3
# cancelled ..."), a Connect server's operation (OPERATION_CANCELED, SQLSTATE HY008), or a
# thread interrupted while waiting for it.
CANCELLED_MARKERS = ("SPARK_JOB_CANCELLED", "OPERATION_CANCELED", "INTERRUPTED", "CANCELLED")


def spark_master() -> str:
    return setting("DSGRID_SPARK_MASTER")


def get_session(master: str | None = None):
    """The process's SparkSession, created on first use."""
    master = master or spark_master()
    if master in _SESSIONS:
        return _SESSIONS[master]
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from pyspark.sql import SparkSession  # late: pyspark (optional)
    except ImportError:
        raise InputError(
            "the Spark engine needs pyspark: pip install 'dsgrid-viewer[spark]'."
        ) from None
    if master.startswith("sc://"):
        _check_reachable(master)
        try:
            # The Connect client's own builder: it may live beside a local session.
            from pyspark.sql.connect.session import (  # late: pyspark (optional)
                SparkSession as RemoteSession,
            )

            session = RemoteSession.builder.remote(master).create()
            session.conf.set("spark.sql.session.timeZone", "UTC")
        except Exception as exc:  # noqa: BLE001 - grpc errors have many types
            raise InputError(
                f"cannot reach the Spark Connect server {master}: "
                f"{str(exc).splitlines()[0][:200]}. Start it, or check the "
                "address in DSGRID_SPARK_MASTER."
            ) from None
    else:
        if master.startswith("spark://"):
            _check_reachable(master)
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise InputError(
                "the Spark engine needs Java 17 (apt-get install "
                "openjdk-17-jre-headless), or use --engine duckdb."
            )
        builder = (
            SparkSession.builder.master(master)
            .appName("dsgrid")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config(
                "spark.sql.shuffle.partitions",
                setting("DSGRID_SPARK_SHUFFLE_PARTITIONS"),
            )
            .config("spark.driver.memory", setting("DSGRID_SPARK_DRIVER_MEMORY"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
        if master.startswith("local"):
            builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
                "spark.driver.host", "127.0.0.1"
            )
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001
            raise InputError(
                f"cannot start Spark with master {master}: {str(exc).splitlines()[0][:200]}."
            ) from None
        session.sparkContext.setLogLevel("ERROR")
    _SESSIONS[master] = session
    return session


def stop_session(master: str) -> None:
    """Stop one session; for Spark Connect, do it while the server is still up (the client's
    exit hook would otherwise retry against a server that is gone)."""
    session = _SESSIONS.pop(master, None)
    if session is not None:
        try:
            session.stop()
        except Exception:  # noqa: BLE001, S110 - shutting down anyway
            pass


def stop_sessions() -> None:
    """Stop every SparkSession this process started (the JVM, its gateway and the accumulator
    server), so the interpreter can exit."""
    for master, session in list(_SESSIONS.items()):
        if master.startswith("sc://"):
            # A Connect client holds no JVM; its server may already be gone, and stopping
            # would retry the release call against it.
            _SESSIONS.pop(master, None)
            continue
        try:
            session.stop()
        except Exception:  # noqa: BLE001, S110 - shutting down anyway
            pass
        _SESSIONS.pop(master, None)


def _check_reachable(master: str, timeout: float = 5.0) -> None:
    """Fail fast: the Connect client otherwise retries an absent server for minutes."""
    scheme = "sc" if master.startswith("sc://") else "spark"
    parsed = urlparse("http://" + master.split("://", 1)[1].split(",")[0])
    host = parsed.hostname or "localhost"
    port = parsed.port or (15002 if scheme == "sc" else 7077)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot reach the Spark {'Connect server' if scheme == 'sc' else 'master'} "
            f"{master}: {exc.strerror or exc}. Start it, or check the address in "
            "DSGRID_SPARK_MASTER."
        ) from None


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"

    def __init__(self, *, master: str | None = None, **_ignored):
        self.spark = get_session(master)
        self.views: list[str] = []
        self.interrupted = False  # interrupt() was called: a cancellation error is ours

    def register_parquet(self, name: str, path: str) -> None:
        path = str(path)
        if is_s3_url(path):
            self._prepare_s3()
            try:
                frame = self.spark.read.parquet(s3a_url(path))
            except Exception as exc:  # noqa: BLE001 - a Connect server reports it on reading
                if "S3AFileSystem" in str(exc) or 'scheme "s3a"' in str(exc):
                    raise InputError(_missing_s3a(self.spark)) from None
                raise
        else:
            frame = self.spark.read.parquet(path)
        frame.createOrReplaceTempView(name)
        self.views.append(name)

    def _prepare_s3(self) -> None:
        """Reading s3:// needs Hadoop's s3a connector (hadoop-aws, which pyspark does not ship)
        and its settings from the environment's AWS settings. Credentials given as environment
        variables go into the session's Hadoop configuration (never into SQL settings); a
        Spark Connect server uses its own."""
        jvm = _jvm(self.spark)
        if jvm is None:  # Spark Connect: the server must have hadoop-aws; said on reading
            for key, value in s3a_settings(S3Settings.from_env(), env={}).items():
                self.spark.conf.set(key, value)
            return
        try:
            jvm.java.lang.Class.forName(S3A_CLASS)
        except Exception:  # noqa: BLE001 - py4j's ClassNotFoundException
            raise InputError(_missing_s3a(self.spark)) from None
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        for key, value in s3a_settings(S3Settings.from_env()).items():
            conf.set(key, value)

    def register_rows(self, name: str, columns: list[tuple[str, str]], rows: list) -> None:
        """Sent as an Arrow table: Spark holds it as a local relation of known size, so it
        broadcasts these small tables (mappings, time maps) in joins, and no Python worker
        reads them (rows as Python objects would become an RDD of unknown size: sort-merge
        joins that shuffle every data row, about 4x slower on the demo)."""
        import pyarrow as pa  # late: pyarrow
        from pyspark.sql.types import (  # late: pyspark (optional)
            DoubleType,
            LongType,
            StringType,
            StructField,
            StructType,
            TimestampNTZType,
            TimestampType,
        )

        types = {  # kind -> (Arrow type, Spark type): the schema is given, not guessed
            "string": (pa.string(), StringType()),
            "double": (pa.float64(), DoubleType()),
            "instant": (pa.timestamp("us", tz="UTC"), TimestampType()),
            "wallclock": (pa.timestamp("us"), TimestampNTZType()),
            "integer": (pa.int64(), LongType()),
        }
        values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
        table = pa.table(
            {
                column: pa.array(list(column_values), type=types[kind][0])
                for (column, kind), column_values in zip(columns, values, strict=True)
            }
        )
        schema = StructType([StructField(column, types[kind][1]) for column, kind in columns])
        self.spark.createDataFrame(table, schema=schema).createOrReplaceTempView(name)
        self.views.append(name)

    def register_result(self, name: str, path, sql: str) -> None:
        """The query's result for reports: sent from the written file when it is small (the
        driver's file may not be visible to a cluster), otherwise evaluated again."""
        import pyarrow.parquet as pq  # late: pyarrow

        if pq.ParquetFile(path).metadata.num_rows <= SMALL_RESULT_ROWS:
            frame = self.spark.createDataFrame(pq.read_table(path).to_pandas())
        else:
            frame = self.spark.sql(sql)
        frame.createOrReplaceTempView(name)
        self.views.append(name)

    def execute(self, sql: str):
        try:
            return self.spark.sql(sql).toArrow()
        except Exception as exc:
            if self.interrupted and _is_cancellation(exc):
                raise QueryInterrupted(
                    "the query was interrupted (cancelled or over its time limit)."
                ) from None
            raise

    def interrupt(self) -> None:
        self.interrupted = True
        try:
            self.spark.interruptAll()
        except Exception:  # noqa: BLE001 - classic sessions
            self.spark.sparkContext.cancelAllJobs()

    def close(self) -> None:
        for view in self.views:
            try:
                self.spark.catalog.dropTempView(view)
            except Exception:  # noqa: BLE001, S110 - best effort
                pass
        self.views.clear()

    def local_time(self, expr: exp.Expression, time_zone: str) -> exp.Expression:
        return exp.Anonymous(
            this="from_utc_timestamp", expressions=[expr, exp.Literal.string(time_zone)]
        )


def _is_cancellation(exc: Exception) -> bool:
    """Whether Spark's error says the statement was cancelled or interrupted (py4j's
    Py4JJavaError on a classic session, a SparkConnectGrpcException from a Connect server)."""
    condition = None
    get_condition = getattr(exc, "getCondition", None)  # pyspark's own exceptions
    if callable(get_condition):
        try:
            condition = get_condition()
        except Exception:  # noqa: BLE001 - the message is checked anyway
            condition = None
    text = f"{condition or ''} {exc}".upper()
    return any(marker in text for marker in CANCELLED_MARKERS)


def _jvm(spark):
    """The JVM gateway of a classic session; None for Spark Connect."""
    try:
        return spark.sparkContext._jvm
    except Exception:  # noqa: BLE001 - Connect sessions have no sparkContext
        return None


def _missing_s3a(spark) -> str:
    version = None
    jvm = _jvm(spark)
    if jvm is not None:
        try:
            version = str(jvm.org.apache.hadoop.util.VersionInfo.getVersion())
        except Exception:  # noqa: BLE001 - fall back to the jar pyspark ships
            version = None
    return missing_s3a_message(version or bundled_hadoop_version())
