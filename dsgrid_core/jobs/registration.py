"""Registrations as background jobs (the web forms and the API start them): progress from the
registration's own step messages, the new component as the result, and on failure the error
with its per-field problems, so a form can show each next to its field.

A job carries its config as data in its params (``config``), with the name messages give it
(``config_name``) and the folder of the uploaded files its references start from
(``config_folder``); it is validated once, by the registration the job runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import DsgridError
from dsgrid_core.jobs.messages import scrub_failure, upload_context
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.registry import Registry
from dsgrid_core.uploads import UploadStore

KINDS = ("dimension", "dimension_mapping", "dataset", "project", "submission")
# Typical number of step messages per kind (the bar's length; more steps extend it).
STEPS = {"dimension": 2, "dimension_mapping": 2, "dataset": 6, "project": 2, "submission": 3}


def create_registration_job(
    registry_path: Path, kind: str, params: dict[str, Any], *, for_worker: bool = False
) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown registration kind {kind}")
    store = JobStore(Path(registry_path))
    try:
        job = store.create(
            "register", {"kind": kind, **params}, stages_total=STEPS[kind], for_worker=for_worker
        )
    finally:
        store.close()
    return job.id


def config_params(config: dict[str, Any], name: str, folder: Path | str) -> dict[str, Any]:
    """The params that give a registration job its config: the data, the name messages give
    it and the folder its relative file references start from (the uploaded files')."""
    return {"config": config, "config_name": name, "config_folder": str(folder)}


def _config(params: dict[str, Any], file_key: str) -> ConfigSource | None:
    """The job's config: carried as data, or (a job queued before configs were) a file."""
    if "config" in params:
        return ConfigSource.from_data(
            params["config"], params["config_name"], params["config_folder"]
        )
    if params.get(file_key):
        return ConfigSource.from_file(params[file_key])
    return None


def _register(registry, kind: str, params: dict[str, Any], say) -> list[dict[str, str]]:
    """Run one registration; returns the components it made: [{kind, id, version}]."""
    message = params.get("log_message") or "registered from the web form"
    roots = [Path(r) for r in params.get("data_roots", [])]
    config = _config(params, "mappings_file" if kind == "submission" else "config_file")
    if kind == "dimension":
        say("reading records")
        preps = registry.register_dimension(config, message, data_roots=roots)
        return [{"kind": "dimension", "id": p.id, "version": p.version} for p in preps]
    if kind == "dimension_mapping":
        say("checking the mapping")
        preps = registry.register_mapping(config, message, data_roots=roots)
        return [{"kind": "dimension_mapping", "id": p.id, "version": p.version} for p in preps]
    if kind == "dataset":
        plan = registry.register_dataset(config, message, data_roots=roots, progress=say)
        return [{"kind": "dataset", "id": plan.config.dataset_id, "version": "1.0.0"}]
    if kind == "project":
        say("checking the project")
        plan = registry.register_project(config, message, data_roots=roots)
        return [{"kind": "project", "id": plan.config.project_id, "version": "1.0.0"}]
    say("mapping the dataset to the project")
    facts = registry.submit_dataset(
        params["project_id"],
        params["dataset_id"],
        config,
        message,
        data_roots=roots,
        progress=say,
    )
    return [{"kind": "project", "id": params["project_id"], "version": facts["project_version"]}]


def execute_registration_job(registry_path: Path, job_id: str) -> str:
    """Run a queued registration job to the end; returns its final status."""
    store = JobStore(Path(registry_path))
    job = store.get(job_id)
    store.start(job_id, os.getpid())
    params = dict(job.params)
    kind = params.pop("kind")
    steps = {"done": 0, "total": job.stages_total}

    def say(message: str) -> None:
        steps["done"] += 1
        steps["total"] = max(steps["total"], steps["done"] + 1)
        store.progress(job_id, steps["done"], steps["total"], message)

    status, error, metadata = "failed", None, None
    try:
        try:
            with Registry(registry_path) as registry:
                made = _register(registry, kind, params, say)
            status, metadata = "succeeded", {"components": made}
        except DsgridError as exc:
            # Stored in the names the user knows, never the server's upload paths (listed by
            # GET /api/v1/jobs): the session's manifest is still here, removed below.
            error, metadata = scrub_failure(
                str(exc),
                {
                    "error_type": type(exc).__name__,
                    "message": exc.message,
                    "details": exc.details,
                    "problems": exc.problems,
                },
                *upload_context(params),
            )
        except Exception as exc:  # noqa: BLE001 - recorded for the user, never lost
            error, _ = scrub_failure(f"{type(exc).__name__}: {exc}", {}, *upload_context(params))
        # the uploaded files go before the job is seen to end: whoever reads its status
        # finds them gone
        _remove_upload_session(params)
        store.finish(job_id, status, error=error, metadata=metadata)
        return status
    finally:
        store.close()
        _remove_upload_session(params)  # also when the job is stopped


def _remove_upload_session(params: dict) -> None:
    """Remove the form's or request's uploaded files, done with (nothing if there are none or
    they are gone already)."""
    if params.get("upload_session"):
        try:
            UploadStore(params.get("upload_root")).remove(params["upload_session"])
        except DsgridError:
            pass
