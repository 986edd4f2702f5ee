"""Registrations beyond one component's config file: as the web server starts them (the
wizards and POST /api/v1/registrations: a config given as data, never written to a file
first, registered by a job on its own upload session, a folder holding copies (hard links) of
the files the config names; the job reads nothing else and removes the folder itself; a job
that cannot be created leaves none), and a project's changes (datasets added, dimensions and
mappings added or replaced; a dataset registered and submitted in one step)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dsgrid_core.jobs import dispatch
from dsgrid_core.jobs.registration import config_params, create_registration_job
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.registry.project_additions import change_project, register_and_submit
from dsgrid_core.uploads import UploadStore

__all__ = ["change_project", "register_and_submit", "registration_job", "start_registration"]


def start_registration(
    registry_path: str | Path,
    kind: str,
    config: dict[str, Any],
    *,
    config_name: str,
    log_message: str,
    sessions: Iterable[str] = (),
    params: dict[str, str] | None = None,
) -> str:
    """Start the job registering ``config`` (a ``kind`` config, shown as ``config_name`` in its
    messages) on a new upload session holding the files of the upload ``sessions``; returns
    the job's id. ``params``: what else the job takes (a submission's project and dataset)."""
    store = UploadStore()
    session = store.new_session()
    try:
        folder = store.folder(session)
        for source in sessions:
            _link_files(store, source, folder)
        job_params = {
            **config_params(config, config_name, folder),
            "log_message": log_message,
            "data_roots": [str(folder)],
            "upload_session": session,
            "upload_root": str(store.root),
            **(params or {}),
        }
        job_id = create_registration_job(
            Path(registry_path), kind, job_params, for_worker=dispatch.runs_in_workers()
        )
    except BaseException:
        store.remove(session)
        raise
    dispatch.start(Path(registry_path), job_id)
    return job_id


def _link_files(store: UploadStore, session: str, target: Path) -> None:
    """An upload session's files in ``target``: hard links (copies across file systems)."""
    for info in store.files(session).values():
        destination = target / info["stored"]
        try:
            os.link(info["path"], destination)
        except OSError:
            shutil.copy2(info["path"], destination)


def registration_job(registry_path: str | Path, job_id: str):
    """A registration job as its page follows it (its parameters and metadata), or None."""
    store = JobStore(Path(registry_path))
    try:
        return store.get(job_id)
    finally:
        store.close()
