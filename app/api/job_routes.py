"""Query jobs over HTTP: submit a dsgrid query, follow its progress, cancel it, fetch the result
as JSON pages, CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import flask

from app import state
from app.api import models as m
from app.api.read_routes import route
from app.api.routing import ApiError
from app.envelope import envelope
from dsgrid_core.jobs.answers import job_answer

RESULT_TABLE = "table.parquet"


def _links(job_id: str) -> dict[str, str]:
    base = f"{flask.request.script_root}/api/v1/jobs/{job_id}"
    return {"self": base, "result": f"{base}/result", "cancel": f"{base}/cancel"}


def _job_dict(job) -> dict:
    return {**job_answer(job), "links": _links(job.id)}


def _store():
    from dsgrid_core.jobs.store import JobStore

    return JobStore(Path(state.registry().path))


def _job(job_id: str):
    from dsgrid_core.jobs.store import load_job

    return load_job(Path(state.registry().path), job_id, "GET /api/v1/jobs lists the recent ones")


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
    from dsgrid_core.jobs.submit import submit_query_job

    job_id = submit_query_job(
        state.registry(),
        body.query,
        "body.query",
        engine=body.engine,
        time_limit=body.time_limit,
        use_cache=body.use_cache,
    )
    return _job_dict(_job(job_id))


@route(
    "POST",
    "/registrations",
    tag="jobs",
    summary="Register a dimension, mapping or project from a self-contained config",
    body=m.RegistrationRequest,
    answer=m.Job,
    status=202,
    errors=(400, 401, 403),
    writes=True,
    description="Needs write permission: the server must not be read-only, and a server "
    "reachable from other machines needs `Authorization: Bearer <DSGRID_API_TOKEN>`. The job "
    "reports the new components, or the problems field by field.",
)
def start_registration(body: m.RegistrationRequest):
    from dsgrid_core.jobs import dispatch
    from dsgrid_core.jobs.registration import config_params, create_registration_job
    from dsgrid_core.uploads import UploadStore

    registry = state.registry()
    uploads = UploadStore()
    uploads.sweep()
    # The config goes to the job as data (validated there, by the registration); the session
    # is the folder its references start from, and the only one the job may read.
    session = uploads.new_session()
    folder = uploads.folder(session)
    job_id = create_registration_job(
        registry.path,
        body.kind,
        {
            **config_params(body.config, f"{body.kind}.json5", folder),
            "log_message": body.log_message,
            "data_roots": [str(folder)],
            "upload_session": session,
            "upload_root": str(uploads.root),
        },
        for_worker=dispatch.runs_in_workers(),
    )
    dispatch.start(registry.path, job_id)
    return _job_dict(_job(job_id))


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
    store = _store()
    try:
        store.mark_interrupted()
        return [_job_dict(j) for j in store.list(params.limit)]
    finally:
        store.close()


@route("GET", "/jobs/{job_id}", tag="jobs", summary="A job's status and progress", answer=m.Job)
def get_job(job_id: str):
    return _job_dict(_job(job_id))


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
    from dsgrid_core.errors import InputError
    from dsgrid_core.jobs.runner import cancel_job as cancel

    job = _job(job_id)
    try:
        cancel(state.registry().path, job_id)
    except InputError as exc:
        raise ApiError(409, exc.message, type="ConflictError") from None
    return _job_dict(_job(job.id))


@route(
    "GET",
    "/jobs/{job_id}/result",
    tag="jobs",
    summary="A finished job's result: JSON pages, or the whole table as CSV or Parquet",
    params=m.ResultParams,
    answer=m.ResultPage,
    errors=(400, 404, 409, 413),
    files={
        "text/csv": "format=csv: the whole table.",
        "application/vnd.apache.parquet": "format=parquet: the whole table.",
    },
)
def get_result(job_id: str, params: m.ResultParams):
    job = _job(job_id)
    if job.status != "succeeded":
        raise ApiError(
            409,
            f"job {job_id} is {job.status}; a result exists once it has succeeded"
            + (f" (error: {job.error})" if job.error else "")
            + ".",
            type="ConflictError",
        )
    folder = Path(job.result_path)
    path = folder / RESULT_TABLE
    if not path.exists():
        raise ApiError(
            404,
            f"the result of job {job_id} is no longer on the server; run the query again.",
            type="NotFoundError",
        )
    if params.format == "parquet":
        return flask.send_file(
            path,
            mimetype="application/vnd.apache.parquet",
            as_attachment=True,
            download_name=f"{job_id}.parquet",
        )
    if params.format == "csv":
        return _csv_response(job_id, path)
    return _json_page(path, params.offset, params.limit, params.next)


def _json_page(path: Path, offset: int, limit: int, token: str | None) -> flask.Response:
    """A page read through the one result reader (only the row groups holding the page, the
    total from the footer), answered like every paged answer: ``next`` and ``total`` in the
    envelope, and in ``data`` too beside the fields clients read (columns, rows, offset,
    row_count)."""
    from dsgrid_core.browse.results import result_page

    def iso(value):  # timestamps and dates as ISO text, as this route always gave them
        return value.isoformat() if hasattr(value, "isoformat") else value

    page = result_page(path, offset=offset, limit=limit, token=token, cell=iso)
    data = {
        "columns": page.columns,
        "rows": page.items,
        "offset": page.offset,
        "row_count": page.total,
        "limit": page.limit,
        "next": page.next,
    }
    return envelope(data, next=page.next, total=page.total)


def _csv_response(job_id: str, path: Path) -> flask.Response:
    from dsgrid_core.browse.results import csv_bytes

    response = flask.Response(csv_bytes(path), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={job_id}.csv"
    return response
