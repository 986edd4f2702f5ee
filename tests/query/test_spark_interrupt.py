"""A Spark statement stopped by ``SparkEngine.interrupt`` (a job's cancel or time limit) raises
QueryInterrupted, as on DuckDB: in local mode and through a Spark Connect server."""

from __future__ import annotations

import threading
import time

import pytest

from dsgrid_core.engine.base import QueryInterrupted

# minutes of work for two cores: hash() keeps Spark from answering without reading the rows
SLOW_SQL = "SELECT sum(hash(id)) AS s FROM range(0, 100000000000)"


def _interrupt_until_stopped(engine, thread: threading.Thread, seconds: float = 45) -> float:
    """Interrupt the engine until the thread running its statement ends (an interrupt that
    comes before Spark has started the statement stops nothing); returns the seconds taken."""
    start = time.monotonic()
    while thread.is_alive() and time.monotonic() - start < seconds:
        time.sleep(1.0)
        engine.interrupt()
        thread.join(2.0)
    return time.monotonic() - start


@pytest.mark.spark
@pytest.mark.parametrize("where", ["local", "connect"])
def test_interrupting_a_running_spark_statement_raises_query_interrupted(where, request):
    from dsgrid_core.engine import create_engine

    master = "local[2]" if where == "local" else request.getfixturevalue("spark_connect_master")
    engine = create_engine("spark", master=master)
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["result"] = engine.execute(SLOW_SQL)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="slow-spark-statement", daemon=True)
    thread.start()
    try:
        took = _interrupt_until_stopped(engine, thread)
        assert not thread.is_alive(), "the statement was not stopped within 45 s"
        assert "result" not in outcome
        assert isinstance(outcome.get("error"), QueryInterrupted), repr(outcome.get("error"))
        assert took < 45
        # the engine still answers errors of its own unchanged: only interrupts are translated
        with pytest.raises(Exception) as other:
            engine.execute("SELECT * FROM no_such_table_anywhere")
        assert not isinstance(other.value, QueryInterrupted)
    finally:
        if thread.is_alive():
            engine.spark.interruptAll()
            thread.join(30)
        engine.close()


@pytest.mark.spark
def test_a_spark_job_over_its_time_limit_fails_with_that_reason(efs_registry, monkeypatch):
    """The job runner tells an interrupted statement by QueryInterrupted: a Spark job stopped
    by its time limit says so, not Spark's cancellation error."""
    from dsgrid_core.engine import spark_engine
    from dsgrid_core.jobs import runner
    from dsgrid_core.jobs.store import JobStore

    monkeypatch.setenv("DSGRID_SPARK_MASTER", "local[2]")
    original = spark_engine.SparkEngine.execute
    monkeypatch.setattr(
        spark_engine.SparkEngine, "execute", lambda self, sql: original(self, SLOW_SQL)
    )
    query = {
        "name": "slow",
        "project": {
            "project_id": "test_efs",
            "dataset": {
                "dataset_id": "slow",
                "source_datasets": [{"dataset_id": "test_efs_comstock"}],
            },
        },
        "result": {
            "aggregations": [{"dimensions": {"geography": ["US States"]}}],
            "unit": "kWh",
            "column_type": "dimension_types",
        },
    }
    # The session is started first: the limit is for the statement, not for starting Spark
    # (a limit passing before the runner holds the engine would not interrupt it).
    session = spark_engine.get_session("local[2]")
    job_id = runner.create_query_job(
        efs_registry, query, engine="spark", time_limit=10.0, use_cache=False
    )
    safety = threading.Timer(60, session.interruptAll)  # bounded even if the limit is missed
    safety.start()
    start = time.monotonic()
    try:
        assert runner.execute_job(efs_registry, job_id) == "failed"
    finally:
        safety.cancel()
    assert time.monotonic() - start < 60
    store = JobStore(efs_registry)
    try:
        assert "time limit" in store.get(job_id).error
    finally:
        store.close()
