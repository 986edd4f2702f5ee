"""A job as the front doors show it: `dsgrid --json query status|list` and
GET /api/v1/jobs[/<id>] answer in this one shape. The API adds its links; the CLI, which runs
on the registry's own machine, adds ``result_path`` (the folder of the result) and shows
errors with their paths whole (``local``): a server's paths are never served over HTTP."""

from __future__ import annotations

from typing import Any

from dsgrid_core.jobs.messages import public_error


def job_answer(job, *, local: bool = False) -> dict[str, Any]:
    meta = job.metadata or {}
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "stages_done": job.stages_done,
        "stages_total": job.stages_total,
        "message": job.message,
        "error": job.error if local else public_error(job),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "time_limit": job.time_limit,
        "row_count": meta.get("row_count"),
        "components": meta.get("components", []),
        "problems": meta.get("problems", []),
        "reason": meta.get("message"),  # a failed registration's, in a line
        "details": meta.get("details", []),
        # what a query job ran and what its result holds (the viewer restores and charts it)
        "query": (job.params or {}).get("query") if job.kind == "query" else None,
        "columns": meta.get("columns", []),
        "time_zone": meta.get("time_zone"),
    }
