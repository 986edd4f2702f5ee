"""A server's way to start a query: check it, create its job, and hand the job to
`jobs.dispatch` (a thread of this process, or a `dsgrid worker`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.jobs import dispatch
from dsgrid_core.jobs.runner import create_query_job


def submit_query_job(
    registry,
    query: dict[str, Any],
    source: str,
    *,
    engine: str = "duckdb",
    time_limit: float | None = None,
    use_cache: bool = True,
    wait: float = 0.0,
) -> str:
    """Check ``query`` against the registry first (unknown names, units or filters are an
    InputError naming ``source`` now, not a failed job), then run its job in a thread of this
    process, waiting up to ``wait`` seconds so that small queries are done when asked, or leave
    it to a `dsgrid worker` (DSGRID_JOB_RUNNER=workers)."""
    # pydantic and the planner (sqlglot) load with the first query, not with the server.
    from dsgrid_core.query.checking import check_query  # late: pydantic
    from dsgrid_core.query.run import parse_query  # late: pydantic

    model = parse_query(query, source)
    check_query(registry, model)
    job_id = create_query_job(
        Path(registry.path),
        model.model_dump(mode="json"),
        engine=engine,
        time_limit=time_limit,
        use_cache=use_cache,
        for_worker=dispatch.runs_in_workers(),
    )
    thread = dispatch.start(Path(registry.path), job_id)
    if thread is not None and wait > 0:
        thread.join(wait)
    return job_id
