"""Registrations over HTTP: a client uploads the files its config names into an upload session
(POST /uploads, then one PUT per file, the file's bytes as the body), then starts the
registration job with the config and the session (POST /registrations, or POST /submissions
to submit a dataset to a project) and follows the job under /jobs. The job registers through
the request's viewer (`app.state.viewer()`), so a viewer started on a remote API (`dsgrid
serve --api-url`) forwards the files and the config to that server, which decides with its
own permissions."""

from __future__ import annotations

import flask

from app import state
from app.api import models as m
from app.api.job_routes import answer_job
from app.api.route_table import route
from dsgrid_core.service import registrations

WRITES = (
    "Needs write permission: the server must not be read-only, and a server reachable from "
    "other machines needs `Authorization: Bearer <DSGRID_API_TOKEN>`."
)


@route(
    "POST",
    "/registrations",
    tag="registrations",
    summary="Register a dimension, mapping, dataset or project",
    body=m.RegistrationRequest,
    answer=m.Job,
    status=202,
    errors=(400, 401, 403, 404),
    writes=True,
    description=WRITES + " The files the config names come from `upload_session` (see POST "
    "/uploads). The job reports the new components, or the problems field by field.",
)
def start_registration(body: m.RegistrationRequest):
    return _start(body.kind, body, None)


@route(
    "POST",
    "/submissions",
    tag="registrations",
    summary="Submit a registered dataset to a project, with its dimension mappings",
    body=m.SubmissionRequest,
    answer=m.Job,
    status=202,
    errors=(400, 401, 403, 404),
    writes=True,
    description=WRITES + " The mapping files the config names come from `upload_session`. "
    "The job reports the project's new version, or the problems field by field.",
)
def start_submission(body: m.SubmissionRequest):
    return _start(
        "submission", body, {"project_id": body.project_id, "dataset_id": body.dataset_id}
    )


def _start(kind: str, body, params: dict[str, str] | None) -> dict:
    session = body.upload_session
    job_id = state.viewer().start_registration(
        kind,
        body.config,
        config_name=body.config_name or f"{kind}.json5",
        log_message=body.log_message,
        files=registrations.given_files(session) if session else None,
        params=params,
    )
    if session:  # the job works on its own copies
        registrations.end_upload(session)
    return answer_job(job_id)


@route(
    "POST",
    "/uploads",
    tag="registrations",
    summary="Start an upload session for the files of a registration",
    answer=m.UploadSession,
    status=201,
    errors=(401, 403),
    writes=True,
    description=WRITES + " Sessions nobody touches for a day are removed.",
)
def start_upload():
    return {"session": registrations.new_upload()}


@route(
    "PUT",
    "/uploads/{session}/files/{name}",
    tag="registrations",
    summary="Upload one file of a registration (the body: the file's bytes)",
    answer=m.UploadedFile,
    errors=(400, 401, 403, 404),
    writes=True,
    raw_body="The file's bytes (csv, parquet, json, json5, ...), at most DSGRID_UPLOAD_LIMIT_MB.",
    description=WRITES + " A file of the same name replaces the earlier one; the file is "
    "checked to be what its name says.",
)
def put_upload(session: str, name: str):
    return registrations.add_upload(session, name, flask.request.get_data(cache=False))


@route(
    "DELETE",
    "/uploads/{session}",
    tag="registrations",
    summary="End an upload session and remove its files",
    answer=m.UploadSession,
    errors=(401, 403, 404),
    writes=True,
    description=WRITES,
)
def end_upload(session: str):
    registrations.end_upload(session)
    return {"session": session}
