"""Queries as the front doors run them: checked against the registry, run here or as a
detached job, followed, cancelled; and as Python users run them (from a model, a dict or a
JSON5 file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.jobs.answers import job_answer
from dsgrid_core.jobs.runner import cancel_job, create_query_job, run_in_foreground
from dsgrid_core.jobs.runner import start_in_process as _start_in_process
from dsgrid_core.jobs.store import JobStore, load_job
from dsgrid_core.query.cache import ResultCache
from dsgrid_core.query.checking import CheckedQuery, check_query
from dsgrid_core.query.derived import create_derived_dataset_config
from dsgrid_core.query.run import QueryResult, load_query, parse_query
from dsgrid_core.query.run import run_query as run_model

__all__ = [
    "CheckedQuery",
    "cancel_job",
    "check_query",
    "clear_cache",
    "create_derived_dataset_config",
    "find_job",
    "job_answer",
    "load_query",
    "plan_sql",
    "recent_jobs",
    "run_in_foreground",
    "run_query",
    "start_detached",
]


def run_query(
    registry, query, *, engine: str | None = None, use_cache: bool = True, **options
) -> QueryResult:
    """Run a project or dataset query (a model, a dict, or a JSON5 path); returns a
    QueryResult whose ``table`` is a pyarrow.Table (``to_pandas()`` for pandas)."""
    if isinstance(query, str | Path):
        query = load_query(Path(query))
    elif isinstance(query, dict):
        query = parse_query(query)
    return run_model(
        registry, query, engine=engine, use_cache=use_cache, engine_options=options or None
    )


def start_detached(registry, query, **options: Any) -> str:
    """Check ``query`` (a parsed model: mistakes are an InputError now, not a failed job),
    then run it as a job in a process of its own that outlives the caller; its id."""
    check_query(registry, query)
    job_id = create_query_job(Path(registry.path), query.model_dump(mode="json"), **options)
    _start_in_process(Path(registry.path), job_id)
    return job_id


def find_job(registry_path: str | Path, job_id: str, where_to_look: str = ""):
    """One job (NotFoundError, with ``where_to_look``, when there is none)."""
    return load_job(Path(registry_path), job_id, where_to_look)


def recent_jobs(registry_path: str | Path, limit: int = 20) -> list:
    """The newest jobs first, those whose process died marked failed as interrupted."""
    store = JobStore(Path(registry_path))
    try:
        store.mark_interrupted()
        return store.list(limit)
    finally:
        store.close()


def clear_cache(registry_path: str | Path) -> int:
    """Remove every cached query result; how many."""
    return ResultCache(Path(registry_path)).clear()


def plan_sql(checked: CheckedQuery) -> str:
    """The SQL a checked query runs, as DuckDB is given it."""
    from dsgrid_core.engine.duckdb_engine import DuckDBEngine  # late: duckdb

    engine = DuckDBEngine()
    try:
        return checked.plan.sql(engine)
    finally:
        engine.close()
