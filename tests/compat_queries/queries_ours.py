"""Our side: each query file through the code path of `dsgrid query run` (load_query, then
run_query on the chosen engine; the job runner adds only bookkeeping), without the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from queries_corpus import QueryFile


@dataclass(frozen=True)
class Engine:
    """Our engine for a run: its name for run_query and its options."""

    label: str  # "duckdb", "spark", "spark_connect", "spark_cluster"
    name: str
    options: dict = field(default_factory=dict)
    runner: object = None  # spark_cluster: tests/spark_cluster.py's ClusterQueryRunner


# local Spark with the master every suite uses ("local[2]", as tests/query does): one
# SparkSession per test session
ENGINES = {
    "duckdb": Engine("duckdb", "duckdb"),
    "spark": Engine("spark", "spark", {"master": "local[2]"}),
}


def spark_connect(master: str) -> Engine:
    """Our Spark engine through a Spark Connect client (the server: tests/conftest.py's
    spark_connect_master, shared with tests/query)."""
    return Engine("spark_connect", "spark", {"master": master})


def spark_cluster(runner) -> Engine:
    """Our Spark engine with a classic session on a standalone cluster, in the runner's child
    process (tests/conftest.py's spark_cluster_runner, shared with tests/query)."""
    return Engine("spark_cluster", "spark", {"master": runner.master}, runner)


def _short(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:1500]


def run_ours(query: QueryFile, registry_path: Path, engine: Engine) -> dict:
    """accepted with the result's tables as DataFrames ("table" and one per report), or
    refused with our message."""
    from dsgrid_core.query.run import load_query, run_query
    from dsgrid_core.registry.registry import Registry

    try:
        if engine.runner is not None:
            return _frames(engine.runner.run(registry_path, path=query.path))
        model = load_query(query.path)
        with Registry(registry_path, read_only=True) as registry:
            result = run_query(
                registry,
                model,
                engine=engine.name,
                engine_options=engine.options,
                use_cache=False,
            )
        return _frames(result)
    except Exception as exc:  # noqa: BLE001 - any refusal is a verdict to record
        return {"accepted": False, "message": _short(exc)}


def _frames(result) -> dict:
    frames = {"table": result.table.to_pandas()}
    for name, table in result.reports.items():
        frames[name] = table.to_pandas()
    return {"accepted": True, "message": "", "frames": frames}


def run_all_ours(queries: list[QueryFile], registry_path: Path, engine: Engine) -> dict:
    return {q.key: run_ours(q, registry_path, engine) for q in queries}


def build_our_registry(folder: Path, bulk_file: Path) -> Path:
    """Our bulk-register of test_efs into a new registry (what the efs_registry_template
    fixture does through the CLI)."""
    import warnings

    from dsgrid_core.registry.registry import Registry

    registry = Registry.create(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the notices on test_efs's legacy keys
            registry.bulk_register(bulk_file)
    finally:
        registry.close()
    return folder
