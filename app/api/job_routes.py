"""Query jobs over HTTP: submit a dsgrid query, follow its progress, cancel it, fetch the result
as JSON pages, CSV, NDJSON or Parquet. Every route asks the request's viewer
(`app.state.viewer()`), so a viewer started on a remote API serves these too."""

from __future__ import annotations

import flask

from app import state
from app.api import models as m
from app.api.route_table import parse_filters, route
from app.envelope import envelope
from dsgrid_core.browse.paging import parse_sort
from dsgrid_core.errors import NotFoundError

WHERE_TO_LOOK = "GET /api/v1/jobs lists the recent ones"


def _links(job_id: str) -> dict[str, str]:
    base = f"{flask.request.script_root}/api/v1/jobs/{job_id}"
    return {"self": base, "result": f"{base}/result", "cancel": f"{base}/cancel"}


def _with_links(job: dict) -> dict:
    return {**job, "links": _links(job["id"])}


def answer_job(job_id: str) -> dict:
    job = state.viewer().job(job_id)
    if job is None:
        raise NotFoundError(f"no job '{job_id}'; {WHERE_TO_LOOK}.")
    return _with_links(job)


@route(
    "POST",
    "/queries",
    tag="jobs",
    summary="Start a query job",
    body=m.QueryRequest,
    answer=m.Job,
    status=202,
    errors=(400, 404),
    description="The query is checked against the registry before the job starts: names that "
    "do not resolve are a 400 with the reason. Follow the job at links.self.",
)
def start_query(body: m.QueryRequest):
    job_id = state.viewer().submit_query(
        body.query,
        wait=body.wait,
        engine=body.engine,
        time_limit=body.time_limit,
        use_cache=body.use_cache,
        source="body.query",
    )
    return answer_job(job_id)


@route(
    "GET",
    "/jobs",
    tag="jobs",
    summary="Recent jobs, newest first",
    params=m.JobListParams,
    answer=list[m.Job],
    errors=(400,),
)
def list_jobs(params: m.JobListParams):
    return [_with_links(job) for job in state.viewer().jobs(params.limit)]


@route("GET", "/jobs/{job_id}", tag="jobs", summary="A job's status and progress", answer=m.Job)
def get_job(job_id: str):
    return answer_job(job_id)


@route(
    "POST",
    "/jobs/{job_id}/cancel",
    tag="jobs",
    summary="Cancel a queued or running job",
    answer=m.Job,
    errors=(400, 401, 403, 404, 409),
    writes=True,
    description="Needs write permission, like a registration: the server must not be "
    "read-only, and a server reachable from other machines needs "
    "`Authorization: Bearer <DSGRID_API_TOKEN>`.",
)
def cancel_job(job_id: str):
    answer_job(job_id)  # an unknown job: 404
    state.viewer().cancel_job(job_id)  # a finished one: ConflictError, 409
    return answer_job(job_id)


@route(
    "GET",
    "/jobs/{job_id}/result",
    tag="jobs",
    summary="A finished job's result: JSON pages, or the whole table as CSV, NDJSON or Parquet",
    params=m.ResultParams,
    answer=m.ResultPage,
    errors=(400, 404, 409, 413),
    files={
        "text/csv": "format=csv: the whole table.",
        "application/x-ndjson": "format=ndjson: the whole table, one JSON object per line "
        "(streamed).",
        "application/vnd.apache.parquet": "format=parquet: the whole table.",
    },
)
def get_result(job_id: str, params: m.ResultParams):
    viewer = state.viewer()
    answer_job(job_id)  # an unknown job: 404
    if params.format == "json":
        return _json_page(viewer, job_id, params)
    if params.format == "ndjson":  # the first rows are read now: errors answer before any byte
        response = flask.Response(viewer.result_ndjson(job_id), mimetype="application/x-ndjson")
        response.headers["Content-Disposition"] = f"attachment; filename={job_id}.ndjson"
        return response
    if params.format == "parquet" and viewer.local:  # streamed from the file
        return flask.send_file(
            viewer.result_table(job_id),
            mimetype="application/vnd.apache.parquet",
            as_attachment=True,
            download_name=f"{job_id}.parquet",
        )
    mimetype = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}[params.format]
    response = flask.Response(viewer.result_file(job_id, params.format), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={job_id}.{params.format}"
    return response


def _json_page(viewer, job_id: str, params: m.ResultParams) -> flask.Response:
    """A page read through the one result reader (only the row groups holding the page, the
    total from the footer, when there is no filter or sort), answered like every paged answer:
    ``next`` and ``total`` in the envelope, and in ``data`` too beside the fields clients read
    (columns, rows, offset, row_count)."""
    page = viewer.result_page(
        job_id,
        filters=parse_filters(params.filter, params.any),
        sort=parse_sort(params.sort, []),
        offset=params.offset,
        limit=params.limit,
        token=params.next,
    )
    data = {
        "columns": page.columns,
        "rows": page.items,
        "offset": page.offset,
        "row_count": page.total,
        "limit": page.limit,
        "next": page.next,
    }
    return envelope(data, next=page.next, total=page.total)
