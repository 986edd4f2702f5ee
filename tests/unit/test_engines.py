"""Engines: found by name, their capabilities declared, an interrupted Spark statement raising
QueryInterrupted as DuckDB's does (here with a stand-in session; with real Spark in
tests/query/test_spark_interrupt.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dsgrid_core.engine import ENGINES, create_engine, engine_class
from dsgrid_core.engine.base import CAPABILITIES, Engine, QueryInterrupted
from dsgrid_core.errors import InputError


def test_engines_are_found_by_name_and_unknown_names_are_refused():
    from dsgrid_core.engine.duckdb_engine import DuckDBEngine
    from dsgrid_core.engine.spark_engine import SparkEngine

    assert list(ENGINES) == ["duckdb", "spark"]
    assert engine_class("duckdb") is DuckDBEngine
    assert engine_class("spark") is SparkEngine
    with pytest.raises(InputError, match=r"^unknown engine 'oracle'; use one of duckdb, spark\.$"):
        create_engine("Oracle")
    engine = create_engine("DuckDB")
    try:
        assert isinstance(engine, DuckDBEngine)
        assert engine.execute("SELECT 1 AS one").to_pydict() == {"one": [1]}
    finally:
        engine.close()


def test_an_engine_module_is_imported_only_when_its_engine_is_asked_for():
    code = (
        "import sys\n"
        "import dsgrid_core.engine as engines\n"
        "loaded = lambda name: name in sys.modules\n"
        "assert not loaded('dsgrid_core.engine.duckdb_engine')\n"
        "assert not loaded('dsgrid_core.engine.spark_engine')\n"
        "assert not loaded('duckdb') and not loaded('pyspark')\n"
        "engines.engine_class('duckdb')\n"
        "assert loaded('dsgrid_core.engine.duckdb_engine')\n"
        "assert not loaded('dsgrid_core.engine.spark_engine') and not loaded('pyspark')\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_engines_declare_what_they_can_do():
    duckdb_class, spark_class = engine_class("duckdb"), engine_class("spark")
    assert issubclass(duckdb_class, Engine) and issubclass(spark_class, Engine)
    assert duckdb_class.writes_parquet_itself and duckdb_class.can_lock_down
    assert not spark_class.writes_parquet_itself and not spark_class.can_lock_down
    for capability, method in CAPABILITIES.items():
        assert getattr(Engine, capability) is False
        assert getattr(duckdb_class, method) is not getattr(Engine, method)


def test_a_capability_without_its_method_is_refused():
    with pytest.raises(
        TypeError, match="declares writes_parquet_itself but has no copy_to_parquet"
    ):

        class _Boasting(Engine):  # noqa: F841 - refused as it is made
            name = dialect = "boasting"
            writes_parquet_itself = True


def test_query_interrupted_is_one_class_for_every_engine():
    from dsgrid_core.engine import duckdb_engine, spark_engine

    assert duckdb_engine.QueryInterrupted is QueryInterrupted
    assert spark_engine.QueryInterrupted is QueryInterrupted


class _FakeSession:
    """Raises ``error`` from every statement; records interrupts."""

    def __init__(self, error: Exception):
        self.error = error
        self.interrupts = 0

    def sql(self, sql):
        raise self.error

    def interruptAll(self):  # noqa: N802 - pyspark's name
        self.interrupts += 1
        return []


def _spark_engine(error: Exception):
    engine = engine_class("spark").__new__(engine_class("spark"))
    engine.spark, engine.views, engine.interrupted = _FakeSession(error), [], False
    return engine


class _ConnectError(Exception):
    """Like pyspark's SparkConnectGrpcException: the condition apart from the message."""

    def getCondition(self):  # noqa: N802 - pyspark's name
        return "OPERATION_CANCELED"


@pytest.mark.parametrize(
    "error",
    [
        Exception("org.apache.spark.SparkException: [SPARK_JOB_CANCELLED] Job 0 cancelled"),
        _ConnectError("(org.apache.spark.SparkSQLException) Operation has been stopped."),
    ],
    ids=["classic", "connect"],
)
def test_a_cancellation_is_query_interrupted_only_after_interrupt(error):
    engine = _spark_engine(error)
    with pytest.raises(type(error)) as raised:  # not interrupted: Spark's own error
        engine.execute("SELECT 1")
    assert raised.value is error
    engine.interrupt()
    assert engine.spark.interrupts == 1
    with pytest.raises(QueryInterrupted, match="interrupted"):
        engine.execute("SELECT 1")


def test_other_errors_pass_through_after_interrupt():
    error = ValueError("[TABLE_OR_VIEW_NOT_FOUND] The table `nope` cannot be found.")
    engine = _spark_engine(error)
    engine.interrupt()
    with pytest.raises(ValueError) as raised:
        engine.execute("SELECT * FROM nope")
    assert raised.value is error
