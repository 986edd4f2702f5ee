"""Query tests run on every engine: DuckDB, Spark local mode, a local Spark Connect server and a
standalone Spark cluster (tests/conftest.py's session fixtures spark_connect_master and
spark_cluster_runner, shared with tests/compat_queries; the cluster's classic session lives in a
child process, so its queries go through the runner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

ENGINES = ["duckdb", "spark", "spark_connect", "spark_cluster"]


@dataclass
class EngineChoice:
    name: str
    options: dict = field(default_factory=dict)
    label: str = ""
    runner: object = None  # spark_cluster: tests/spark_cluster.py's ClusterQueryRunner


@pytest.fixture(params=ENGINES)
def engine(request) -> EngineChoice:
    if request.param == "duckdb":
        return EngineChoice("duckdb", {}, "duckdb")
    request.applymarker(pytest.mark.spark)
    if request.param == "spark":
        return EngineChoice("spark", {"master": "local[2]"}, "spark")
    if request.param == "spark_cluster":
        runner = request.getfixturevalue("spark_cluster_runner")
        return EngineChoice("spark", {"master": runner.master}, "spark_cluster", runner)
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

    if engine.runner is not None:
        result = engine.runner.run(registry_path, query=query)
    else:
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


# Spark Connect and the standalone cluster carry the same Spark SQL as local mode; what they
# can get wrong is the transport (sessions, rows sent and received, files read by executors).
TRANSPORTS = ("spark_connect", "spark_cluster")


def pytest_collection_modifyitems(config, items):
    """Where a query test is parametrized beyond its engine (functions, operators, periods),
    the transports run its first case and DuckDB and local Spark every case
    (DSGRID_TEST_EVERY_TRANSPORT_CASE=1: every case everywhere). This keeps the whole suite
    under its 30 minutes."""
    import os

    if os.environ.get("DSGRID_TEST_EVERY_TRANSPORT_CASE") == "1":
        return
    here = Path(__file__).parent
    kept, dropped = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        further = (
            spec is not None
            and here in Path(item.path).parents
            and spec.params.get("engine") in TRANSPORTS
            and any(index > 0 for name, index in spec.indices.items() if name != "engine")
        )
        (dropped if further else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
